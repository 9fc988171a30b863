"""The policy pack's image rule, on the inputs of each kind (node catalog image, node
registry image, endpoint containers), and its budget rule on a stack's estimate."""
from __future__ import annotations

from typing import Any

import pytest

from policies.guardrails import (COST, DEPLOYMENT, ENDPOINTS, NODE, Limits, gpu_memory, images_pinned, load_limits,
                                 monthly_budget)

LIMITS = Limits(gpu_plans=frozenset(), max_replicas=10, riva_api_min_replicas=1, max_monthly_cost=200000,
                currency="INR")
REGISTRY = "registry.e2enetworks.net/team/riva-speech"


def _endpoint(image: str) -> dict[str, Any]:
    return {"container": {"container": {"container_name": image}}}


@pytest.mark.parametrize(("kind", "props", "pinned"), [
    (NODE, {"image_version": "2.19.0"}, True),
    (NODE, {"image_version": "latest"}, False),
    (NODE, {"image_version": "2.19.0", "registry_image": f"{REGISTRY}:2.19.0"}, True),
    (NODE, {"image_version": "2.19.0", "registry_image": f"{REGISTRY}:latest"}, False),
    (next(iter(ENDPOINTS)), _endpoint(f"{REGISTRY}:2.19.0"), True),
    (next(iter(ENDPOINTS)), _endpoint(f"{REGISTRY}:latest"), False),
    (next(iter(ENDPOINTS)), _endpoint(f"{REGISTRY}@sha256:{'0' * 64}"), True),
])
def test_images_pinned(kind: str, props: dict[str, Any], pinned: bool) -> None:
    assert (images_pinned(kind, props, LIMITS) == []) is pinned


def _totals(high: float, currency: str = "INR", unpriced: list[str] | None = None) -> dict[str, Any]:
    return {"totals": {"min": high / 2, "max": high, "currency": currency, "unpriced": unpriced or []}}


def test_budget_holds_the_autoscaling_maximum_to_the_limit() -> None:
    assert monthly_budget(COST, _totals(200000), LIMITS, "dev") == []
    [message] = monthly_budget(COST, _totals(213055.4), LIMITS, "dev")
    assert message.startswith("stack dev: the monthly estimate at the autoscaling maximum, ₹213,055, exceeds "
                              "the stack's budget of ₹200,000 (policies/limits.yaml maxMonthlyCost)")
    # Other resources, and an estimate not yet priced, are not the rule's business.
    assert monthly_budget(NODE, _totals(10**9), LIMITS, "dev") == []
    assert monthly_budget(COST, {"totals": None}, LIMITS, "dev") == []


def test_budget_refuses_what_it_cannot_compare() -> None:
    [other] = monthly_budget(COST, _totals(10, "USD"), LIMITS, "prod")
    assert "in USD, the budget in INR" in other
    [unpriced] = monthly_budget(COST, _totals(10, unpriced=["node"]), LIMITS, "prod")
    assert "no price for node" in unpriced


def test_shipped_limits_give_every_stack_a_budget() -> None:
    assert load_limits("prod").max_monthly_cost == 1200000
    assert load_limits("anything").max_monthly_cost == 200000 and load_limits("anything").currency == "INR"


def _memory(total: float, gpu: float | None) -> dict[str, Any]:
    return {"gpu_memory": {"plan": "GPU-L4-8-48GB-1", "gpu": "L4", "gpu_memory_gb": gpu, "total_gb": total,
                           "models": [{"name": "parakeet-0.6b-en-US-asr-offline", "gpu_memory_gb": total}]}}


@pytest.mark.parametrize(("props", "fits"), [
    (_memory(8, 24), True), (_memory(24, 24), True), (_memory(29, 24), False), (_memory(99, None), True), ({}, True),
])
def test_gpu_memory(props: dict[str, Any], fits: bool) -> None:
    found = gpu_memory(DEPLOYMENT, props, LIMITS)
    assert (found == []) is fits
    if not fits:
        assert "29 GB of GPU memory (parakeet-0.6b-en-US-asr-offline 29 GB)" in found[0] and "'GPU-L4-8-48GB-1'" in found[0]
    assert gpu_memory(NODE, props, LIMITS) == []
