"""HTTP surface of nodes (`notebooks/`, project-scoped)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from riva_tir.emulator.envelope import ok
from riva_tir.emulator.wire import body, paginate, scope, state

bp = Blueprint("nodes", __name__)


@bp.post("notebooks/")
def create() -> Response:
    nodes = state().nodes
    return ok(nodes.to_wire(nodes.create(scope(), body())), "Notebook created successfully", 201)


@bp.get("notebooks/")
def list_nodes() -> Response:
    nodes = state().nodes
    found = nodes.list(scope(), request.args.get("status") or None)
    return ok([nodes.to_wire(n) for n in paginate(found)])


@bp.get("notebooks/<int:node_id>/")
def get(node_id: int) -> Response:
    nodes = state().nodes
    return ok(nodes.to_wire(nodes.get(scope(), node_id)))


@bp.put("notebooks/<int:node_id>/")
def change_plan(node_id: int) -> Response:
    nodes = state().nodes
    return ok(nodes.to_wire(nodes.change_plan(scope(), node_id, body())), "Plan updated successfully")


@bp.put("notebooks/<int:node_id>/pvc/upgrade/")
def upgrade_disk(node_id: int) -> Response:
    nodes = state().nodes
    return ok(nodes.to_wire(nodes.upgrade_disk(scope(), node_id, body())), "Disk upgraded successfully")


@bp.put("notebooks/<int:node_id>/image_update/")
def update_image(node_id: int) -> Response:
    nodes = state().nodes
    return ok(nodes.to_wire(nodes.update_image(scope(), node_id, body())), "Image updated successfully")


@bp.put("notebooks/<int:node_id>/actions/")
def action(node_id: int) -> Response:
    nodes = state().nodes
    node = nodes.action(scope(), node_id, request.args.get("action"), body())
    return ok(nodes.to_wire(node), "Action performed successfully")


@bp.get("notebooks/<int:node_id>/ssh-keys/")
def ssh_keys(node_id: int) -> Response:
    nodes = state().nodes
    return ok(nodes.attached_keys(nodes.get(scope(), node_id)))


@bp.put("notebooks/<int:node_id>/ssh-keys/")
def update_ssh_keys(node_id: int) -> Response:
    nodes = state().nodes
    node = nodes.update_ssh_keys(scope(), node_id, body())
    return ok(nodes.attached_keys(node), "SSH keys updated successfully")


@bp.delete("notebooks/<int:node_id>/")
def delete(node_id: int) -> Response:
    state().nodes.delete(scope(), node_id)
    return ok({}, "Notebook deleted successfully")
