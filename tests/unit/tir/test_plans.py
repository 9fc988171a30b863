"""Plan catalog listing and short-code resolution."""

from __future__ import annotations

from typing import Any

import pytest

from riva_tir.tir import PlanNotFound, TirClient


def test_node_plan_resolves_to_hourly_price(client: TirClient, api: Any, sku_catalog: Any) -> None:
    api.reply("GET", "gpu_service/sku/", sku_catalog, scoped=False)
    plan = client.plans.resolve_node_plan("gpu-a100-16-115gb-1", image_version_id=72)
    assert (plan.code, plan.sku_id, plan.sku_item_price_id) == ("GPU-A100-16-115GB-1", 21, 211)
    (call,) = api.calls
    assert call.path == "/myaccount/api/v1/gpu/gpu_service/sku/"
    assert call.query == {"service": "notebook", "image_version_id": "72", "location": "Delhi", "apikey": api.API_KEY}


def test_endpoint_plan_query_uses_framework(client: TirClient, api: Any, sku_catalog: Any) -> None:
    api.reply("GET", "gpu_service/sku/", sku_catalog, scoped=False)
    plan = client.plans.resolve_endpoint_plan("CPU-C3-4-8GB-0", framework="triton")
    assert (plan.sku_id, plan.sku_item_price_id) == (11, 111)
    assert api.calls[0].query["service"] == "inference_service"
    assert api.calls[0].query["framework"] == "triton"
    assert "image_version_id" not in api.calls[0].query


def test_free_sku_with_the_same_code_is_skipped(client: TirClient, api: Any, sku_catalog: Any) -> None:
    # The SDK's helpers skip `is_free` SKUs (docs/tir.md §3); a free twin listed first is not chosen.
    free = {**sku_catalog["CPU"][0], "sku_id": 10, "is_free": True,
            "plans": [{"sku_item_price_id": 101, "sku_type": "hourly", "committed_days": 0, "unit_price": 0}]}
    api.reply("GET", "gpu_service/sku/", {**sku_catalog, "CPU": [free, *sku_catalog["CPU"]]}, scoped=False)
    plan = client.plans.resolve_node_plan("CPU-C3-4-8GB-0", image_version_id=72)
    assert (plan.sku_id, plan.sku_item_price_id) == (11, 111)


def test_unknown_code_lists_available(client: TirClient, api: Any, sku_catalog: Any) -> None:
    api.reply("GET", "gpu_service/sku/", sku_catalog, scoped=False)
    with pytest.raises(PlanNotFound) as info:
        client.plans.resolve_endpoint_plan("GPU-H100-1", framework="triton")
    assert info.value.available == ["CPU-C3-4-8GB-0", "GPU-A100-16-115GB-1", "GPU-L4-8-32GB-1"]
    assert "GPU-H100-1" in str(info.value) and "CPU-C3-4-8GB-0" in str(info.value)


def test_code_without_hourly_plan_is_refused(client: TirClient, api: Any, sku_catalog: Any) -> None:
    api.reply("GET", "gpu_service/sku/", sku_catalog, scoped=False)
    with pytest.raises(PlanNotFound, match="no hourly"):
        client.plans.resolve_node_plan("GPU-L4-8-32GB-1", image_version_id=72)


def test_list_flattens_groups_and_fills_series(client: TirClient, api: Any) -> None:
    api.reply("GET", "gpu_service/sku/", {"CPU": [{"sku_id": 1, "sku_type": "C3", "cpu": 2, "memory": "4GB"}]},
              scoped=False)
    (sku,) = client.plans.list("notebook")
    assert sku.series == "CPU" and sku.code == "CPU-C3-2-4GB-0" and sku.hourly_plan is None
