"""HTTP surface of account SSH keys (never team-scoped)."""

from __future__ import annotations

from flask import Blueprint, Response

from tir_emulator.envelope import ok
from tir_emulator.wire import body, paginate, state

bp = Blueprint("ssh_keys", __name__)


@bp.post("ssh_keys/")
def create() -> Response:
    # 200, not 201: the SDK's success check (docs/tir.md §2).
    return ok(state().ssh_keys.create(body()).to_wire(), "SSH key added successfully")


@bp.get("ssh_keys/")
@bp.get("ssh_keys/sync/")
def list_keys() -> Response:
    return ok([key.to_wire() for key in paginate(state().ssh_keys.list())])


@bp.get("ssh_keys/<int:key_id>/")
def get(key_id: int) -> Response:
    return ok(state().ssh_keys.get(key_id).to_wire())


@bp.delete("ssh_keys/<int:key_id>/")
def delete(key_id: int) -> Response:
    state().ssh_keys.delete(key_id)
    return ok({}, "SSH key deleted successfully")
