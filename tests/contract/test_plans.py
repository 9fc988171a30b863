"""Plans: short codes resolve against the emulator's live SKU catalog."""

from __future__ import annotations

import pytest

from tests.contract.harness import BIGGER_CPU_PLAN, CPU_PLAN, NO_INVENTORY_PLAN, RIVA_VERSION, Contract
from riva_tir.tir import PlanNotFound

pytestmark = pytest.mark.emulator


def test_list_flattens_cpu_and_gpu_groups(contract: Contract) -> None:
    image = contract.client.images.find_riva(RIVA_VERSION)
    skus = contract.client.plans.for_nodes(image.image_version_id)
    assert {s.series for s in skus} == {"CPU", "GPU"}
    codes = {s.code for s in skus}
    assert {CPU_PLAN, BIGGER_CPU_PLAN, NO_INVENTORY_PLAN} <= codes
    assert all(s.hourly_plan is not None for s in skus)
    endpoint_skus = contract.client.plans.list("inference_service", framework="triton")
    assert {s.code for s in endpoint_skus} == {s.code for s in skus if not s.is_free}
    assert not any(s.is_free for s in endpoint_skus)  # free tiers are for nodes (emulator ASSUMPTION)


def test_resolution_skips_a_free_sku_with_the_same_code(contract: Contract) -> None:
    # The emulator lists a free C3.4 twin first (docs/tir.md §3: the SDK skips `is_free`).
    image = contract.client.images.find_riva(RIVA_VERSION)
    skus = contract.client.plans.for_nodes(image.image_version_id)
    twins = [s for s in skus if s.code == CPU_PLAN]
    assert [s.is_free for s in twins] == [True, False]
    resolved = contract.client.plans.resolve_node_plan(CPU_PLAN, image.image_version_id)
    assert not resolved.sku.is_free and resolved.sku_item_price_id == twins[1].hourly_plan.sku_item_price_id  # type: ignore[union-attr]


def test_resolve_node_plan_gives_the_hourly_price_id(contract: Contract) -> None:
    image = contract.client.images.find_riva(RIVA_VERSION)
    resolved = contract.client.plans.resolve_node_plan(CPU_PLAN.lower(), image.image_version_id)
    assert resolved.code == CPU_PLAN and resolved.sku.name == "C3.4"
    hourly = [p for p in resolved.sku.plans if p.committed_days == 0]
    assert [p.sku_item_price_id for p in hourly] == [resolved.sku_item_price_id]
    assert any(p.committed_days > 0 for p in resolved.sku.plans)  # the committed price exists, unused


def test_resolve_endpoint_plan_gives_the_sku_id(contract: Contract) -> None:
    resolved = contract.client.plans.resolve_endpoint_plan(BIGGER_CPU_PLAN, "triton")
    assert resolved.sku.name == "C3.8" and resolved.sku_id == resolved.sku.sku_id
    assert contract.client.plans.for_endpoints("custom")  # the custom framework is served too


def test_unknown_code_lists_the_available_codes(contract: Contract) -> None:
    with pytest.raises(PlanNotFound) as caught:
        contract.client.plans.resolve_endpoint_plan("CPU-C9-99-1TB-0", "triton")
    assert CPU_PLAN in caught.value.available and NO_INVENTORY_PLAN in caught.value.available
    assert "CPU-C9-99-1TB-0" in str(caught.value) and CPU_PLAN in str(caught.value)
