"""Plans: models. The client is `tir.plans.client`,
imported by `TirClient` only, so code that only validates does not load the HTTP stack."""
from riva_tir.tir.plans.models import ResolvedPlan, Sku, SkuDetails, SkuPlan

__all__ = ["ResolvedPlan", "Sku", "SkuDetails", "SkuPlan"]
