"""Catalog (SKUs, images, frameworks) and account SSH keys."""

from __future__ import annotations

import pytest

from tests.emulator.api_harness import PUBKEY_A, Api


pytestmark = pytest.mark.emulator

def test_skus_grouped_with_hourly_and_committed_plans(api: Api) -> None:
    data = api.ok("GET", "gpu_service/sku/", scoped=False, params={"service": "inference_service", "framework": "triton"})
    assert set(data) == {"CPU", "GPU"}
    gpu = next(s for s in data["GPU"] if s["is_inventory_available"] and not s["is_free"])
    kinds = {(p["sku_type"], p["committed_days"] > 0) for p in gpu["plans"]}
    assert kinds == {("hourly", False), ("committed", True)}
    assert gpu["gpu"] >= 1 and gpu["memory"].endswith("GB") and all("sku_item_price_id" in p for p in gpu["plans"])
    assert "service" in api.error("GET", "gpu_service/sku/", 400, scoped=False, params={"service": "x"})["errors"]
    errors = api.error("GET", "gpu_service/sku/", 400, scoped=False,
                       params={"service": "notebook", "image_version_id": 9999})["errors"]
    assert "image_version_id" in errors


def test_images_include_nvidia_riva_versions(api: Api) -> None:
    images = api.ok("GET", "gpu_service/image/", scoped=False, params={"category": "notebook"})
    riva = [i for i in images if "riva" in i["name"].lower()]
    assert len(riva) == 1 and riva[0]["name"] == "NVIDIA Riva"
    versions = [v["version"] for v in riva[0]["versions"]]
    assert "2.19.0" in versions and len(versions) == 2


def test_framework_details_in_both_styles(api: Api) -> None:
    data = api.ok("GET", "serving/inference/framework-details/", scoped=False)
    triton = next(f for f in data if f["framework"] == "triton")
    assert triton["versions"][0]["image"] == "aimle2e/tritonserver:24.02-py3-01"
    assert Api(api.url, legacy=True).ok("GET", "serving/inference/framework-details/") == data


def test_ssh_key_crud_and_validation(api: Api) -> None:
    created = api.call("POST", "ssh_keys/", scoped=False, json={"label": "alice", "ssh_key": PUBKEY_A})
    assert created.status_code == 200 and created.json()["code"] == 200  # not 201 (docs/tir.md §2)
    key = created.json()["data"]
    assert key["label"] == "alice" and key["ssh_key"] == PUBKEY_A
    assert api.ok("GET", "ssh_keys/", scoped=False) == [key]
    assert api.ok("GET", "ssh_keys/sync/", scoped=False) == [key]
    dup = api.error("POST", "ssh_keys/", 400, scoped=False, json={"label": "again", "ssh_key": PUBKEY_A})
    assert "ssh_key" in dup["errors"]
    bad = api.error("POST", "ssh_keys/", 400, scoped=False, json={"label": "bad", "ssh_key": "not a key"})
    assert "ssh_key" in bad["errors"]
    assert "label" in api.error("POST", "ssh_keys/", 400, scoped=False, json={"ssh_key": PUBKEY_A})["errors"]
    api.ok("DELETE", f"ssh_keys/{key['id']}/", scoped=False)
    api.error("DELETE", f"ssh_keys/{key['id']}/", 404, scoped=False)
    assert api.ok("GET", "ssh_keys/", scoped=False) == []
