"""`/_emulator/` control API: reset, faults, alternatives, transitions, paging, inventory, request log, fail,
host-key rotation, health (client: `riva_tir.emulator.control_client`).

No TIR credentials, but only loopback clients are served: the control API can wipe everything.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request
from pydantic import ValidationError as PydanticValidationError

from riva_tir.emulator.envelope import ApiError, ValidationFailed, ok
from riva_tir.emulator.faults import FaultPlan, FaultRule, FaultSpecError
from riva_tir.emulator.validation import as_int, require_choice, require_str
from riva_tir.emulator.wire import Paging, body, state

FAULTS_KEY = "riva_tir.emulator.faults"
LOOPBACK = ("127.0.0.1", "::1")

bp = Blueprint("control", __name__)


class Forbidden(ApiError):
    status = 403

    def __init__(self) -> None:
        super().__init__("the control API only answers loopback clients", {"remote_addr": "not loopback"})


def _faults() -> FaultPlan:
    plan: FaultPlan = current_app.extensions[FAULTS_KEY]
    return plan


@bp.before_request
def _loopback_only() -> None:
    if request.remote_addr not in LOOPBACK:
        raise Forbidden()


@bp.get("/health")
def health() -> Response:
    emu = state()
    return ok({"status": "ok", "objectstore": emu.objectstore.endpoint_url, "url": emu.public_url})


@bp.post("/reset")
def reset() -> Response:
    state().reset()
    _faults().clear()
    return ok({}, "Emulator reset")


@bp.get("/faults")
def get_faults() -> Response:
    return ok(_faults().to_json())


@bp.put("/faults")
def put_faults() -> Response:
    payload = body()
    raw_rules = payload.get("rules")
    if not isinstance(raw_rules, list):
        raise ValidationFailed("rules", "rules must be a list")
    try:
        rules = [FaultRule.from_json(raw) for raw in raw_rules]
    except FaultSpecError as exc:
        raise ValidationFailed("rules", str(exc)) from None
    seed = None if payload.get("seed") is None else as_int(payload["seed"], "seed")
    _faults().replace(rules, seed)
    return ok(_faults().to_json(), "Fault plan set")


@bp.delete("/faults")
def delete_faults() -> Response:
    _faults().clear()
    return ok(_faults().to_json(), "Fault plan cleared")


@bp.get("/transitions")
def get_transitions() -> Response:
    return ok({"seconds": state().lifecycle.seconds})


@bp.put("/transitions")
def put_transitions() -> Response:
    payload = body()
    speed: Any = payload.get("speed", payload.get("seconds"))
    if not isinstance(speed, str | dict):
        raise ValidationFailed("speed", "give speed (instant|demo) or seconds {transition: s}")
    try:
        state().lifecycle.set_speed(speed)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed("speed", str(exc)) from None
    return ok({"seconds": state().lifecycle.seconds}, "Transitions set")


@bp.get("/paging")
def get_paging() -> Response:
    return ok(state().paging.to_wire())


@bp.put("/paging")
def put_paging() -> Response:
    payload = body()
    ignore = payload.get("ignore_per_page", False)
    if not isinstance(ignore, bool):
        raise ValidationFailed("ignore_per_page", "ignore_per_page must be a boolean")
    size = None if payload.get("page_size") is None else as_int(payload["page_size"], "page_size")
    if size is not None and size < 1:
        raise ValidationFailed("page_size", "page_size must be >= 1")
    state().paging = Paging(ignore, size)
    return ok(state().paging.to_wire(), "Paging set")


@bp.get("/alternatives")
def get_alternatives() -> Response:
    return ok(state().alternatives.model_dump())


@bp.put("/alternatives")
def put_alternatives() -> Response:
    """Play another answer to an unknown (riva_tir/emulator/alternatives.py)."""
    try:
        state().alternatives.assign(body())
    except PydanticValidationError as exc:
        raise ValidationFailed("alternatives", str(exc).splitlines()[0] + ": " + "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
    return ok(state().alternatives.model_dump(), "Alternatives set")


@bp.get("/inventory")
def inventory() -> Response:
    return ok(state().inventory())


@bp.get("/requests")
def get_requests() -> Response:
    return ok(state().requests.entries())


@bp.delete("/requests")
def clear_requests() -> Response:
    state().requests.clear()
    return ok([], "Request log cleared")


@bp.post("/nodes/<int:node_id>/rotate-host-key")
def rotate_host_key(node_id: int) -> Response:
    emu = state()
    emu.nodes.get(None, node_id)  # 404 for a node that does not exist
    return ok({"host_key": emu.machines.rotate_host_key(node_id)}, "Host key rotated")


@bp.post("/fail")
def fail() -> Response:
    payload = body()
    kind = require_choice(payload, "kind", ("node", "endpoint"))
    resource_id = as_int(payload.get("id"), "id")
    reason = require_str(payload, "reason")
    return ok(state().fail(kind, resource_id, reason), "Resource failed")
