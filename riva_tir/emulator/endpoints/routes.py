"""HTTP surface of model endpoints (`serving/inference/`, project-scoped)."""

from __future__ import annotations

from flask import Blueprint, Response

from riva_tir.emulator.envelope import ok
from riva_tir.emulator.wire import body, paginate, scope, state

bp = Blueprint("endpoints", __name__)


@bp.post("serving/inference/")
def create() -> Response:
    endpoints = state().endpoints
    created = endpoints.create(scope(), body())
    return ok(endpoints.to_wire(created), "Inference service created successfully", 201)


@bp.get("serving/inference/")
def list_endpoints() -> Response:
    endpoints = state().endpoints
    return ok([endpoints.to_wire(e) for e in paginate(endpoints.list(scope()))])


@bp.get("serving/inference/<int:endpoint_id>/")
def get(endpoint_id: int) -> Response:
    endpoints = state().endpoints
    return ok(endpoints.to_wire(endpoints.get(scope(), endpoint_id)))


@bp.put("serving/inference/<int:endpoint_id>/")
def action(endpoint_id: int) -> Response:
    endpoints, payload = state().endpoints, body()
    changed = endpoints.action(scope(), endpoint_id, payload.get("action"), payload)
    return ok(endpoints.to_wire(changed), "Action performed successfully")


@bp.get("serving/inference/<int:endpoint_id>/replicas/")
def replicas(endpoint_id: int) -> Response:
    return ok(state().endpoints.replicas(scope(), endpoint_id))


@bp.delete("serving/inference/<int:endpoint_id>/replicas/<replica_name>/")
def restart_replica(endpoint_id: int, replica_name: str) -> Response:
    state().endpoints.restart_replica(scope(), endpoint_id, replica_name)
    return ok({}, "Replica restarted successfully")


@bp.get("serving/inference/<int:endpoint_id>/logs/")
def logs(endpoint_id: int) -> Response:
    return ok(paginate(state().endpoints.logs(scope(), endpoint_id)))


@bp.delete("serving/inference/<int:endpoint_id>/")
def delete(endpoint_id: int) -> Response:
    return ok(state().endpoints.delete(scope(), endpoint_id), "Inference service deleted successfully")
