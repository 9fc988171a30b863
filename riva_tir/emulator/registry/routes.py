"""HTTP surface of the container registry: the two reads the SDK makes (docs/unknowns.md)."""

from __future__ import annotations

from flask import Blueprint, Response

from riva_tir.emulator.envelope import ok
from riva_tir.emulator.wire import state

bp = Blueprint("registry", __name__)


@bp.get("container_registry/")
def namespaces() -> Response:
    return ok(state().catalog.registry_namespaces())


@bp.get("container_registry/<int:namespace_id>/namespace-repository/")
def repositories(namespace_id: int) -> Response:
    return ok(state().catalog.registry_repositories(namespace_id))
