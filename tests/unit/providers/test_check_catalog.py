"""`check` asks TIR's catalog only about plan and image inputs TIR has not accepted yet (a
new resource or a changed plan is checked at `preview`; an unchanged one costs no catalog
call), and confirms once per process that TIR still takes the credentials."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from riva_tir.providers import base
from riva_tir.providers.node import NodeProvider
from riva_tir.tir.read_cache import ReadCache

FIXTURES = Path(__file__).resolve().parents[1] / "tir" / "fixtures"
ROOT = "https://tir.test/myaccount/api/v1/gpu/"
NODE = {"tir": {"api_root": ROOT, "project_id": 7}, "credentials": {"api_key": "k", "auth_token": "t"},
        "name": "rt-x-node", "plan": "GPU-A100-16-115GB-1", "image_version": "2.19.0",
        "disk_size_gb": 100, "public_keys": ["ssh-ed25519 AAAA k"], "ready_timeout": 60}


def _envelope(data: Any) -> dict[str, Any]:
    return {"code": 200, "data": data, "errors": {}, "message": "Success"}


@pytest.fixture
def catalog_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    """TIR answering the node's catalog checks; a fresh process-wide cache."""
    monkeypatch.setattr(base, "SHARED_READS", ReadCache())
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(ROOT + "notebooks/", json=_envelope([]))
        mock.get(ROOT + "gpu_service/image/", json=_envelope(json.loads((FIXTURES / "images.json").read_text())))
        mock.get(ROOT + "gpu_service/sku/", json=_envelope(json.loads((FIXTURES / "skus.json").read_text())))
        yield mock


def _paths(mock: responses.RequestsMock) -> list[str]:
    return [str(c.request.url).split("?")[0].removeprefix(ROOT) for c in mock.calls]


def test_new_resource_is_checked_against_the_catalog(catalog_api: responses.RequestsMock) -> None:
    assert NodeProvider().check({}, dict(NODE)).failures == []
    assert _paths(catalog_api) == ["notebooks/", "gpu_service/image/", "gpu_service/sku/"]
    NodeProvider().check({}, {**NODE, "name": "rt-y-node"})  # another node: all answers shared
    assert len(catalog_api.calls) == 3


def test_unknown_plan_fails_check_naming_the_field(catalog_api: responses.RequestsMock) -> None:
    failures = NodeProvider().check({}, {**NODE, "plan": "GPU-H100-9"}).failures
    assert [f.property for f in failures] == ["plan"]
    assert "GPU-H100-9" in failures[0].reason and "GPU-A100-16-115GB-1" in failures[0].reason


def test_unchanged_catalog_inputs_cost_only_the_access_check(catalog_api: responses.RequestsMock) -> None:
    olds = {**NODE, "node_id": 1001, "status": "running"}
    assert NodeProvider().check(olds, {**NODE, "public_keys": ["ssh-ed25519 BBBB k2"]}).failures == []
    assert NodeProvider().check(olds, dict(NODE)).failures == []
    assert _paths(catalog_api) == ["notebooks/"]


def test_revoked_credentials_fail_even_an_unchanged_resource(catalog_api: responses.RequestsMock) -> None:
    catalog_api.replace(responses.GET, ROOT + "notebooks/", status=401,
                        json={"code": 401, "data": None, "errors": {}, "message": "Invalid APIkey or Token"})
    failures = NodeProvider().check(dict(NODE), dict(NODE)).failures
    assert [f.property for f in failures] == ["credentials"]
    assert "riva-tir:tirApiKey" in failures[0].reason and "k" not in failures[0].reason.split()


def test_a_changed_plan_is_checked_again(catalog_api: responses.RequestsMock) -> None:
    failures = NodeProvider().check(dict(NODE), {**NODE, "plan": "GPU-H100-9"}).failures
    assert [f.property for f in failures] == ["plan"]
    assert "gpu_service/sku/" in _paths(catalog_api)
