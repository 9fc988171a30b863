"""HTTP surface of the project dashboard: only the call the SDK makes to check access."""

from __future__ import annotations

from flask import Blueprint, Response

from riva_tir.emulator import assumptions
from riva_tir.emulator.envelope import ok
from riva_tir.emulator.wire import scope, state

bp = Blueprint("dashboard", __name__)


@bp.get("dashboard/service-count/")
def service_count() -> Response:
    """The SDK only checks that this answers 2xx for the project (docs/tir.md §11)."""
    emu, where = state(), scope()
    counts = {
        "notebooks": len(emu.nodes.list(where)),
        "model_repositories": len(emu.repositories.list(where)),
        "inference_services": len(emu.endpoints.list(where)),
    }
    return ok({assumptions.SERVICE_COUNT_KEYS.get(k, k): v for k, v in counts.items()})
