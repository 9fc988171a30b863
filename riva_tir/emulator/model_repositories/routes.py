"""HTTP surface of model repositories (project-scoped)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from riva_tir.emulator.envelope import ok
from riva_tir.emulator.model_repositories.models import MODEL_TYPES
from riva_tir.emulator.wire import body, paginate, scope, state

bp = Blueprint("model_repositories", __name__)


@bp.post("serving/model/")
def create() -> Response:
    repositories = state().repositories
    return ok(repositories.to_wire(repositories.create(scope(), body())), "Model created successfully", 201)


@bp.get("serving/model/")
def list_repositories() -> Response:
    repositories = state().repositories
    return ok([repositories.to_wire(r) for r in paginate(repositories.list(scope()))])


@bp.get("serving/model/model_types/")
def model_types() -> Response:
    return ok(list(MODEL_TYPES))


@bp.get("serving/model/<int:repo_id>/")
def get(repo_id: int) -> Response:
    repositories = state().repositories
    return ok(repositories.to_wire(repositories.get(scope(), repo_id)))


@bp.put("serving/model/<int:repo_id>/")
def update(repo_id: int) -> Response:
    repositories = state().repositories
    return ok(repositories.to_wire(repositories.update(scope(), repo_id, body())))


@bp.get("serving/model/<int:repo_id>/bucket/")
def bucket(repo_id: int) -> Response:
    objects = state().repositories.list_objects(scope(), repo_id, request.args.get("prefix", ""))
    return ok(paginate(objects))


@bp.delete("serving/model/<int:repo_id>/")
def delete(repo_id: int) -> Response:
    state().repositories.delete(scope(), repo_id)
    return ok({}, "Model deleted successfully")
