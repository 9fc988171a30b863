"""Plans (SKUs): list the catalog and resolve a user's short code to ids."""

from __future__ import annotations

import builtins
from typing import Any, Literal

from riva_tir.tir._http import Transport
from riva_tir.tir._models import as_list, parse
from riva_tir.tir.errors import PlanNotFound, TermNotOffered
from riva_tir.tir.plans.models import ResolvedPlan, Sku

Service = Literal["notebook", "inference_service"]


def resolve_plan(code: str, skus: list[Sku], committed_days: int = 0) -> ResolvedPlan:
    """Pick the SKU whose short code equals ``code`` (case-insensitive) and its price for
    ``committed_days`` (0: the hourly one; else that committed term, docs/cost.md).

    SKUs with ``is_free`` are skipped, as the SDK's helpers do (docs/tir.md §3): a free tier
    may share its short code with the paid SKU a user means.
    """
    wanted = code.strip().upper()
    paid = [s for s in skus if not s.is_free]
    sku = next((s for s in paid if s.code.upper() == wanted), None)
    available = sorted({s.code for s in paid})
    if sku is None:
        raise PlanNotFound(f"no plan {code!r}", available)
    hourly = sku.hourly_plan
    if hourly is None:
        raise PlanNotFound(f"plan {code!r} has no hourly (committed_days=0) price", available)
    term = sku.plan_for(committed_days)
    if term is None:
        raise TermNotOffered(sku.code, committed_days, sku.committed_terms)
    return ResolvedPlan(code=sku.code, sku_id=sku.sku_id, sku_item_price_id=term.sku_item_price_id,
                        committed_days=committed_days, hourly_item_price_id=hourly.sku_item_price_id, sku=sku)


class PlansClient:
    """``GET gpu_service/sku/``: not project-scoped, one call per method."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, service: Service, *, image_version_id: int | None = None, framework: str | None = None) -> list[Sku]:
        """All SKUs for a service, flattened from TIR's ``{"CPU": [...], "GPU": [...]}`` groups."""
        params: dict[str, Any] = {"service": service, "image_version_id": image_version_id, "framework": framework}
        data = self._t.shared_get("gpu_service/sku/", scoped=False, params=params)
        skus: list[Sku] = []
        groups = data.items() if isinstance(data, dict) else [("", data)]
        for group, items in groups:
            for item in as_list(items, "sku group"):
                # The group key doubles as the series when an item omits it.
                skus.append(parse(Sku, {"series": group, **item} if isinstance(item, dict) else item))
        return skus

    def for_nodes(self, image_version_id: int | None) -> builtins.list[Sku]:
        """Node plans for a catalog image; None (a registry image) lists them without one
        (ASSUMPTION, docs/tir.md §5.3)."""
        return self.list("notebook", image_version_id=image_version_id)

    def for_endpoints(self, framework: str) -> builtins.list[Sku]:
        return self.list("inference_service", framework=framework)

    def resolve_node_plan(self, code: str, image_version_id: int | None, committed_days: int = 0) -> ResolvedPlan:
        """Short code -> ids for a node (nodes send ``sku_item_price_id``)."""
        return resolve_plan(code, self.for_nodes(image_version_id), committed_days)

    def resolve_endpoint_plan(self, code: str, framework: str, committed_days: int = 0) -> ResolvedPlan:
        """Short code -> ids for an endpoint (endpoints send ``sku_id`` + ``sku_item_price_id``)."""
        return resolve_plan(code, self.for_endpoints(framework), committed_days)
