"""Committed billing (docs/tir.md §3): shared by node and endpoint specs."""

from __future__ import annotations

from typing import Literal

from pydantic import ValidationInfo

CommittedPolicy = Literal["auto_renew", "auto_terminate", "convert_to_hourly_billing"]
# docs/tir.md §3: the next plan is required for the first and the last policy.
NEEDS_NEXT_PLAN = frozenset({"auto_renew", "convert_to_hourly_billing"})
# ASSUMPTION (docs/cost.md §2.3): at the end of a committed term riva-tir's resources go on
# the same SKU's hourly plan, E2E's "hourly billing" choice: no new term is bought
# unasked (auto_renew) and nothing is deleted (auto_terminate).
END_OF_TERM: CommittedPolicy = "convert_to_hourly_billing"


def next_plan_rule(value: int | None, info: ValidationInfo) -> int | None:
    """``next_sku_item_price_id`` must follow ``committed_instance_policy`` in the spec."""
    if value is None and info.data.get("committed_instance_policy") in NEEDS_NEXT_PLAN:
        raise ValueError("required when committed_instance_policy is auto_renew or convert_to_hourly_billing")
    return value
