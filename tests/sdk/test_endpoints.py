"""The SDK's Triton and custom-container endpoint calls against the emulator.

Where the SDK and the emulator disagreed, the emulator follows the SDK (docs/tir.md §11).
"""

from __future__ import annotations

from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest

from tests.contract.harness import CPU_PLAN, TRITON_CONFIG, TRITON_MODEL
from tests.sdk.conftest import Sdk

pytestmark = pytest.mark.emulator
TRITON_IMAGE = "aimle2e/tritonserver:24.02-py3-01"


def _repository(sdk: Sdk) -> int:
    """A managed repository holding a minimal Triton model (made through the SDK)."""
    got: dict[str, Any] = sdk.run('''
        ok, repo = tir.Models().create("sdk-triton-models", model_type="triton", storage_type="managed")
        done(plain(tir.Models().get(repo.id)[1]))
    ''')
    bucket, keys = got["bucket"], got["access_key"]
    s3 = boto3.client("s3", endpoint_url=bucket["endpoint"], region_name="us-east-1",
                      aws_access_key_id=keys["access_key"], aws_secret_access_key=keys["secret_key"])
    s3.put_object(Bucket=bucket["bucket_name"], Key=f"{TRITON_MODEL}/config.pbtxt", Body=TRITON_CONFIG.encode())
    s3.put_object(Bucket=bucket["bucket_name"], Key=f"{TRITON_MODEL}/1/model.py", Body=b"class TritonPythonModel: ...\n")
    return int(got["id"])


def _create_triton(sdk: Sdk, model_id: int, then: str = "") -> Any:
    return sdk.run(f'''
        eps = tir.EndPoints()
        ok, ep = eps.create_triton("sdk-triton", "{CPU_PLAN}", {model_id}, container_name="{TRITON_IMAGE}",
                                   is_auto_scale_enabled=True, min_replicas=1, max_replicas=3)
        if not ok:
            done({{"created": False, "error": plain(ep)}})
            sys.exit(0)
        got_ok, got = eps.get(ep.id)
        result = {{"created": True, "id": ep.id, "got_ok": got_ok, "got": plain(got)}}
        {then}
        done(result)
    ''')


def test_triton_create_get_stop_start_delete(sdk: Sdk) -> None:
    model_id = _repository(sdk)
    result = _create_triton(sdk, model_id, then='''
        _, listed = eps.list()
        result["listed"] = [e.id for e in listed]
        result["stop"] = eps.stop(ep.id)[0]
        result["stopped"] = eps.get(ep.id)[1].status
        result["start"] = eps.start(ep.id)[0]
        result["started"] = eps.get(ep.id)[1].status
        result["delete"] = eps.delete(ep.id)[0]
        result["gone"] = plain(eps.get(ep.id)[1])
    ''')
    assert result["created"], result
    got = result["got"]
    assert result["got_ok"] and got["framework"] == "triton" and result["listed"] == [result["id"]]
    assert got["custom_endpoint_details"]["container"]["container_name"] == TRITON_IMAGE
    assert got["auto_scale_policy"]["min_replicas"] == 1 and got["auto_scale_policy"]["max_replicas"] == 3
    assert result["stop"] and result["stopped"].lower() == "stopped"
    assert result["start"] and result["delete"] and result["gone"]["http_status"] == 404
    (post,) = sdk.control.requests("POST", "serving/inference/")
    assert post["status"] == 201 and "teams/12/projects/34/" in post["path"]
    assert sdk.control.inventory()["endpoints"] == []


def test_custom_container_create_get_delete(sdk: Sdk) -> None:
    result = sdk.run(f'''
        eps = tir.EndPoints()
        ok, ep = eps.create("sdk-custom", "custom", "{CPU_PLAN}", container_name="nginx:latest",
                            commands=["nginx"], args=["-g", "daemon off;"])
        if not ok:
            done({{"created": False, "error": plain(ep)}})
            sys.exit(0)
        _, got = eps.get(ep.id)
        result = {{"created": True, "got": plain(got), "delete": eps.delete(ep.id)[0]}}
        done(result)
    ''')
    assert result["created"], result
    got = result["got"]
    assert got["framework"] == "custom"
    assert got["custom_endpoint_details"]["container"]["container_name"] == "nginx:latest"
    assert result["delete"] and sdk.control.inventory()["endpoints"] == []


def test_upscale_and_downscale_read_and_send_the_auto_scale_policy(sdk: Sdk) -> None:
    model_id = _repository(sdk)
    result = _create_triton(sdk, model_id, then='''
        try:
            result["up"] = eps.upscale_replica(ep.id)
            result["after_up"] = plain(eps.get(ep.id)[1].auto_scale_policy)
            result["down"] = eps.downscale_replica(ep.id)
            result["after_down"] = plain(eps.get(ep.id)[1].auto_scale_policy)
        except Exception as exc:
            result["error"] = f"{type(exc).__name__}: {exc}"
    ''')
    assert result["created"], result
    policy = result["got"]["auto_scale_policy"]
    # Fields the SDK reads back (cloud/tir/inference/endpoints.py:620-626, 664-670).
    missing = [k for k in ("initial_cooldown_period", "stability_period", "rules") if k not in policy]
    assert not missing and "error" not in result, (missing, result.get("error"))
    assert result["up"] == "Replica upscaled successfully" and result["after_up"]["min_replicas"] == 2
    assert result["down"] == "Replica downscaled successfully" and result["after_down"]["min_replicas"] == 1
