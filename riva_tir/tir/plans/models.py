"""SKU catalog models (``gpu_service/sku/``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from riva_tir.tir._models import TirModel
from riva_tir.tir.plans.committed import END_OF_TERM


class SkuPlan(TirModel):
    """One price of a SKU; ``committed_days == 0`` is the hourly one."""

    sku_item_price_id: int
    sku_type: str = ""
    committed_days: int = 0
    unit_price: float | None = None
    currency: str | None = None


class Sku(TirModel):
    sku_id: int
    name: str = ""
    series: str = ""
    sku_type: str = ""
    cpu: int | str | None = None
    gpu: int | str | None = None
    memory: str | int | None = None
    is_free: bool = False
    is_inventory_available: bool = True
    plans: list[SkuPlan] = Field(default_factory=list)

    @property
    def code(self) -> str:
        """SDK short code ``{series}-{sku_type head}-{cpu}-{memory}-{gpu or 0}``, e.g. ``CPU-C3-4-8GB-0``."""
        head = self.sku_type.split("-")[0]
        return f"{self.series}-{head}-{self.cpu}-{self.memory}-{self.gpu or 0}"

    @property
    def hourly_plan(self) -> SkuPlan | None:
        return self.plan_for(0)

    @property
    def committed_terms(self) -> list[int]:
        """The committed terms (days) the catalog offers for this SKU."""
        return sorted(p.committed_days for p in self.plans if p.committed_days)

    def plan_for(self, committed_days: int) -> SkuPlan | None:
        """The price of this SKU for a term of ``committed_days`` (0: by the hour)."""
        return next((p for p in self.plans if p.committed_days == committed_days), None)


class ResolvedPlan(TirModel):
    """What a short code (and term) stands for: the ids that node and endpoint bodies need."""

    code: str
    sku_id: int
    sku_item_price_id: int  # of the hourly plan, or of the committed term asked for
    sku: Sku
    committed_days: int = 0
    hourly_item_price_id: int | None = None

    def committed_fields(self) -> dict[str, Any]:
        """The committed-billing fields of a create or plan-change body (docs/tir.md §3);
        none for an hourly plan."""
        if not self.committed_days:
            return {}
        return {"committed_instance_policy": END_OF_TERM, "next_sku_item_price_id": self.hourly_item_price_id}


class SkuSpecs(TirModel):
    name: str | None = None


class SkuPlanSummary(TirModel):
    sku_type: str | None = None
    committed_days: int | None = None
    currency: str | None = None


class SkuDetails(TirModel):
    """Plan summary embedded in node and endpoint responses."""

    specs: SkuSpecs | None = None
    plan: SkuPlanSummary | None = None
