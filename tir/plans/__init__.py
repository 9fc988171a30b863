from tir.plans.client import PlansClient, resolve_plan
from tir.plans.models import ResolvedPlan, Sku, SkuDetails, SkuPlan

__all__ = ["PlansClient", "ResolvedPlan", "Sku", "SkuDetails", "SkuPlan", "resolve_plan"]
