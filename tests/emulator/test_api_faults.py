"""Fault plans: each kind observable over HTTP, reproducible by seed, logged, never in models."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.emulator.api_harness import Api
from riva_tir.emulator.control_client import ControlError

pytestmark = pytest.mark.emulator


def _plan(api: Api, *rules: dict[str, Any], seed: int | None = None) -> None:
    api.control.faults(*rules, seed=seed)


def test_rate_limit_has_retry_after_and_ratelimit_headers(api: Api) -> None:
    _plan(api, {"fault": "rate_limit", "method": "GET", "path": "/notebooks/$", "nth": 1, "retry_after": 7})
    limited = api.call("GET", "notebooks/")
    assert limited.status_code == 429 and limited.json()["code"] == 429
    assert limited.headers["Retry-After"] == "7" and limited.headers["ratelimit-remaining"] == "0"
    assert limited.headers["ratelimit-reset"] == "7"  # seconds until the client may retry
    assert api.call("GET", "notebooks/").status_code == 200  # only the 1st call


def test_rate_limit_without_retry_after_has_ratelimit_reset_seconds(api: Api) -> None:
    _plan(api, {"fault": "rate_limit", "path": "/notebooks/$", "nth": 1, "retry_after": 3,
                "retry_after_header": False})
    limited = api.call("GET", "notebooks/")
    assert limited.status_code == 429 and "Retry-After" not in limited.headers
    assert limited.headers["ratelimit-reset"] == "3" and limited.headers["ratelimit-remaining"] == "0"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_transient_server_errors(api: Api, status: int) -> None:
    _plan(api, {"fault": "error", "status": status, "method": "GET", "path": "notebooks/", "times": 1})
    assert api.call("GET", "notebooks/").status_code == status
    assert api.call("GET", "notebooks/").status_code == 200


def test_latency_delays_then_serves(api: Api) -> None:
    _plan(api, {"fault": "latency", "latency_ms": 400, "path": "gpu_service/image/"})
    started = time.monotonic()
    response = api.call("GET", "gpu_service/image/", scoped=False)
    assert response.status_code == 200 and time.monotonic() - started >= 0.4
    log = api.control.requests()
    assert log[-1]["fault"] == "latency" and log[-1]["duration_ms"] >= 400


def test_dropped_connection_gets_no_response(api: Api) -> None:
    _plan(api, {"fault": "drop", "method": "GET", "path": "notebooks/$", "nth": 1})
    with pytest.raises(requests.ConnectionError):
        api.call("GET", "notebooks/")
    assert api.call("GET", "notebooks/").status_code == 200
    assert api.control.requests()[-2]["fault"] == "drop"


def test_lost_response_serves_the_call_then_drops(api: Api) -> None:
    key = api.ssh_key()
    _plan(api, {"fault": "lose_response", "method": "DELETE", "path": "ssh_keys/", "nth": 1})
    with pytest.raises(requests.ConnectionError):
        api.call("DELETE", f"ssh_keys/{key['id']}/", scoped=False)
    assert api.ok("GET", "ssh_keys/", scoped=False) == []  # the delete took effect
    entry = api.control.requests()[-2]
    assert entry["fault"] == "lose_response" and entry["status"] == 200


def test_capacity_error_on_create_and_start_only(api: Api) -> None:
    node = api.node()
    api.ok("PUT", f"notebooks/{node['id']}/actions/", params={"action": "stop"})
    _plan(api, {"fault": "capacity", "method": "POST", "path": "notebooks/$"},
          {"fault": "capacity", "method": "PUT", "path": "actions/$", "action": "start"})
    body = api.error("POST", "notebooks/", 400, json=api.node_body(name="n2"))
    assert body["message"] == "SKU Inventory temporarily unavailable. Please try again"
    api.error("PUT", f"notebooks/{node['id']}/actions/", 400, params={"action": "start"})
    assert api.ok("PUT", f"notebooks/{node['id']}/actions/", params={"action": "rename"}, json={"name": "x"})
    endpoint = api.endpoint()
    api.ok("PUT", f"serving/inference/{endpoint['id']}/", json={"action": "stop"})
    _plan(api, {"fault": "capacity", "method": "PUT", "path": "serving/inference/", "action": "start"})
    api.error("PUT", f"serving/inference/{endpoint['id']}/", 400, json={"action": "start"})
    assert api.ok("GET", f"serving/inference/{endpoint['id']}/")["status"] == "stopped"  # model untouched


def _statuses(api: Api, seed: int) -> list[int]:
    _plan(api, {"fault": "error", "status": 503, "method": "GET", "path": "notebooks/", "probability": 0.5},
          seed=seed)
    return [api.call("GET", "notebooks/").status_code for _ in range(24)]


def test_probability_faults_are_reproducible_by_seed(api: Api) -> None:
    first = _statuses(api, 1234)
    assert _statuses(api, 1234) == first
    assert 503 in first and 200 in first
    assert _statuses(api, 99) != first
    assert api.control.fault_plan()["seed"] == 99


def test_plan_round_trip_validation_and_clear(api: Api) -> None:
    _plan(api, {"fault": "error", "status": 500, "path": "x", "nth": [2, 3]})
    plan = api.control.fault_plan()
    assert plan["rules"][0]["nth"] == [2, 3] and plan["rules"][0]["fired"] == 0
    with pytest.raises(ControlError) as bad:
        api.control.faults({"fault": "error", "status": 418})
    assert bad.value.status == 400 and "rules" in bad.value.errors
    api.control.clear_faults()
    assert api.control.fault_plan()["rules"] == []


def test_control_api_is_not_faulted_and_reports_health(api: Api) -> None:
    _plan(api, {"fault": "error", "status": 500, "path": ".*"})
    health = api.control.health()
    assert health["status"] == "ok" and health["objectstore"].startswith("http://127.0.0.1:")
    assert api.call("GET", "notebooks/").status_code == 500
