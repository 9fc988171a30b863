"""HTTP surface of datasets (project-scoped)."""

from __future__ import annotations

from flask import Blueprint, Response

from tir_emulator.envelope import ok
from tir_emulator.wire import body, paginate, scope, state

bp = Blueprint("datasets", __name__)


@bp.post("datasets/")
def create() -> Response:
    emu = state()
    return ok(emu.datasets.create(scope(), body()).to_wire(emu.objectstore), "Dataset created successfully", 201)


@bp.get("datasets/")
def list_datasets() -> Response:
    emu = state()
    return ok([d.to_wire(emu.objectstore) for d in paginate(emu.datasets.list(scope()))])


@bp.get("datasets/eos-bucket-selection-list/")
def bucket_selection() -> Response:
    scope()
    return ok(state().datasets.bucket_selection())


@bp.get("datasets/<int:dataset_id>/")
def get(dataset_id: int) -> Response:
    emu = state()
    return ok(emu.datasets.get(scope(), dataset_id).to_wire(emu.objectstore))


@bp.delete("datasets/<int:dataset_id>/")
def delete(dataset_id: int) -> Response:
    state().datasets.delete(scope(), dataset_id)
    return ok({}, "Dataset deleted successfully")
