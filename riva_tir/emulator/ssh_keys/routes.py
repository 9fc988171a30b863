"""HTTP surface of account SSH keys (never team-scoped)."""

from __future__ import annotations

from flask import Blueprint, Response

from riva_tir.emulator.envelope import ok
from riva_tir.emulator.wire import body, paginate, state

bp = Blueprint("ssh_keys", __name__)


@bp.post("ssh_keys/")
def create() -> Response:
    # 200, not 201: the SDK's success check (docs/tir.md §2).
    keys = state().ssh_keys
    return ok(keys.to_wire(keys.create(body())), "SSH key added successfully")


@bp.get("ssh_keys/")
@bp.get("ssh_keys/sync/")
def list_keys() -> Response:
    keys = state().ssh_keys
    return ok([keys.to_wire(key) for key in paginate(keys.list(None))])


@bp.get("ssh_keys/<int:key_id>/")
def get(key_id: int) -> Response:
    keys = state().ssh_keys
    return ok(keys.to_wire(keys.get(None, key_id)))


@bp.delete("ssh_keys/<int:key_id>/")
def delete(key_id: int) -> Response:
    state().ssh_keys.delete(key_id)
    return ok({}, "SSH key deleted successfully")
