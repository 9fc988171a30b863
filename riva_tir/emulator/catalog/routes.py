"""HTTP surface of the catalog (SKUs, images, frameworks); not project-scoped."""

from __future__ import annotations

from flask import Blueprint, Response, request

from riva_tir.emulator.envelope import ok
from riva_tir.emulator.validation import as_int
from riva_tir.emulator.wire import state

bp = Blueprint("catalog", __name__)


@bp.get("gpu_service/sku/")
def skus() -> Response:
    raw_version = request.args.get("image_version_id")
    version = None if raw_version in (None, "") else as_int(raw_version, "image_version_id")
    return ok(state().catalog.skus(request.args.get("service"), version))


@bp.get("gpu_service/image/")
def images() -> Response:
    return ok(state().catalog.images())


@bp.get("serving/inference/framework-details/")
@bp.get("teams/<int:team_id>/projects/<int:project_id>/serving/inference/framework-details/")
def framework_details() -> Response:
    return ok(state().catalog.frameworks())
