"""Error mapping and retries over real HTTP, driven by the emulator's fault plans and request log."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.contract.harness import API_KEY, AUTH_TOKEN, Contract, make_client
from riva_tir.tir import AuthError, NotFound, RateLimited, ServerError, TransportError
from riva_tir.tir.model_repositories import RepositorySpec

pytestmark = pytest.mark.emulator


def _statuses(contract: Contract, method: str, path: str) -> list[int | None]:
    return [e["status"] for e in contract.control.requests(method, path)]


@pytest.mark.parametrize("wrong", ["api_key", "auth_token"])
def test_wrong_credentials_raise_auth_error_without_secrets(contract: Contract, wrong: str) -> None:
    bad_value = f"wrong-{wrong}-5b8e1f"
    bad = make_client(contract.emulator, contract.url_style, contract.sleep, **{wrong: bad_value})
    with bad, pytest.raises(AuthError) as caught:
        bad.nodes.list()
    text = f"{caught.value} {caught.value!r} {caught.value.url} {caught.value.field_errors}"
    assert caught.value.status == 401 and "Invalid APIkey or Token" in text
    for secret in (bad_value, API_KEY, AUTH_TOKEN):
        assert secret not in text
    assert _statuses(contract, "GET", "notebooks/") == [401]  # never retried


def test_not_found_for_every_kind(contract: Contract) -> None:
    client = contract.client
    for kind in (client.nodes, client.model_repositories, client.endpoints):
        with pytest.raises(NotFound) as caught:
            kind.get(987_654)
        assert caught.value.status == 404 and "apikey=***" in caught.value.url
        assert API_KEY not in str(caught.value)


def test_rate_limit_and_server_error_are_retried(contract: Contract, caplog: pytest.LogCaptureFixture) -> None:
    path = "notebooks/$"
    contract.control.faults({"fault": "rate_limit", "method": "GET", "path": path, "nth": 1, "retry_after": 1},
                            {"fault": "error", "status": 503, "method": "GET", "path": path, "nth": 2},
                            {"fault": "error", "status": 500, "method": "GET", "path": path, "nth": 3})
    with caplog.at_level(logging.DEBUG, logger="tir"):
        assert contract.client.nodes.list().items == ()
    assert _statuses(contract, "GET", contract.scoped_path("notebooks/")) == [429, 503, 500, 200]
    assert max(contract.sleep.pauses) >= 1.0  # Retry-After was honoured
    assert API_KEY not in caplog.text and AUTH_TOKEN not in caplog.text and "retrying" in caplog.text
    logged = " ".join(e["path"] for e in contract.control.requests())
    assert "apikey=***" in logged and API_KEY not in logged  # the emulator's log is masked too


def test_rate_limit_reset_seconds_are_waited_without_retry_after(contract: Contract) -> None:
    contract.control.faults({"fault": "rate_limit", "method": "GET", "path": "serving/model/$", "nth": 1,
                             "retry_after": 2, "retry_after_header": False})
    assert contract.client.model_repositories.list().items == ()
    assert _statuses(contract, "GET", contract.scoped_path("serving/model/")) == [429, 200]
    assert contract.sleep.pauses and 2.0 <= max(contract.sleep.pauses) <= contract.client.config.retry_after_max


def test_retries_give_up_after_the_budget(contract: Contract) -> None:
    contract.control.faults({"fault": "error", "status": 502, "method": "GET", "path": "serving/model/$"},
                            {"fault": "rate_limit", "method": "GET", "path": "notebooks/$", "retry_after": 0})
    with pytest.raises(ServerError) as caught:
        contract.client.model_repositories.list()
    assert caught.value.status == 502
    with pytest.raises(RateLimited):
        contract.client.nodes.list()
    assert contract.control.fault_counts() == [(4, 4), (4, 4)]  # 1 try + max_retries=3, each


def test_post_is_not_resent_blindly(contract: Contract) -> None:
    contract.control.faults({"fault": "error", "status": 503, "method": "POST", "path": "serving/model/$", "nth": 1})
    with pytest.raises(ServerError):
        contract.client.model_repositories.create(RepositorySpec(name="once"))
    assert _statuses(contract, "POST", "serving/model/") == [503]
    created = contract.client.model_repositories.create_idempotent(RepositorySpec(name="once"))
    assert [r["id"] for r in contract.control.inventory()["model_repositories"]] == [created.id]


def test_dropped_get_is_retried(contract: Contract) -> None:
    node = contract.client.nodes.create(contract.node_spec("drop-get-node"))
    contract.control.clear_requests()
    contract.control.faults({"fault": "drop", "method": "GET", "path": rf"notebooks/{node.id}/$", "nth": 1})
    assert contract.client.nodes.get(node.id).id == node.id
    log = contract.control.requests("GET", f"notebooks/{node.id}/")
    assert [(e["fault"], e["status"]) for e in log] == [("drop", None), (None, 200)]


def test_dropped_post_with_create_idempotent_makes_one_node(contract: Contract) -> None:
    spec = contract.node_spec("drop-post-node")
    contract.control.faults({"fault": "drop", "method": "POST", "path": "notebooks/$", "nth": [1, 2]})
    with pytest.raises(TransportError) as caught:  # plain create sends once
        contract.client.nodes.create(spec)
    assert API_KEY not in str(caught.value) and "apikey=***" in str(caught.value)
    contract.control.clear_requests()
    node = contract.client.nodes.create_idempotent(spec)
    assert [n["id"] for n in contract.control.inventory()["nodes"]] == [node.id]
    calls = [(e["method"], e["fault"], e["status"]) for e in contract.control.requests(contains="notebooks/")]
    assert calls[0] == ("POST", "drop", None) and calls[-1] == ("POST", None, 201)
    assert ("GET", None, 200) in calls[1:-1]  # looked the name up before re-sending


def test_capacity_refusal_on_start_is_retried(contract: Contract) -> None:
    nodes = contract.client.nodes
    node = nodes.wait_ready(nodes.create(contract.node_spec("busy-node")).id)
    nodes.stop(node.id)
    nodes.wait_stopped(node.id)
    contract.control.faults({"fault": "capacity", "method": "PUT", "path": "actions/$", "action": "start",
                             "nth": 1})
    nodes.start(node.id)
    assert nodes.wait_ready(node.id).status == "running"
    assert _statuses(contract, "PUT", "actions/?action=start") == [400, 200]


def test_only_idempotent_actions_are_retried(contract: Contract) -> None:
    endpoints = contract.client.endpoints
    endpoint = endpoints.wait_ready(endpoints.create(contract.custom_spec("retry-ep", commands=[], args=[])).id)
    path = rf"serving/inference/{endpoint.id}/$"
    contract.control.faults({"fault": "error", "status": 503, "method": "PUT", "path": path, "action": "restart"},
                            {"fault": "error", "status": 503, "method": "PUT", "path": path, "action": "stop",
                             "nth": 1})
    with pytest.raises(ServerError):
        endpoints.restart(endpoint.id)  # restarting twice is not harmless: sent once
    endpoints.stop(endpoint.id)
    assert endpoints.wait_stopped(endpoint.id).status == "stopped"
    assert contract.control.fault_counts() == [(1, 1), (2, 1)]


def test_resources_are_scoped_by_project_and_location(contract: Contract) -> None:
    node = contract.client.nodes.create(contract.node_spec("scoped-node"))
    for other in ({"location": "Chennai"}, {"project_id": 35}):
        with make_client(contract.emulator, contract.url_style, contract.sleep, **other) as elsewhere:
            assert elsewhere.nodes.list_all() == []
            with pytest.raises(NotFound):
                elsewhere.nodes.get(node.id)
    assert [n.id for n in contract.client.nodes.list_all()] == [node.id]


@pytest.mark.parametrize("kind", ["node", "endpoint"])
def test_stop_whose_response_was_lost_is_not_an_error(contract: Contract, kind: str) -> None:
    """The first stop is served after the client gave up; the re-send must not fail on "already stopped"."""
    if kind == "node":
        resources: Any = contract.client.nodes
        created = resources.create(contract.node_spec("lost-stop-node"))
        path = rf"notebooks/{created.id}/actions/$"
    else:
        resources = contract.client.endpoints
        created = resources.create(contract.custom_spec("lost-stop-ep", commands=[], args=[]))
        path = rf"serving/inference/{created.id}/$"
    # The server sleeps 0.5 s before acting; the client times out at 0.2 s and re-sends after >= 1 s.
    contract.control.faults({"fault": "latency", "latency_ms": 500, "method": "PUT", "path": path, "nth": 1})
    with make_client(contract.emulator, contract.url_style, contract.sleep, read_timeout=0.2,
                     backoff_initial=1.0, backoff_max=1.0) as impatient:
        (impatient.nodes if kind == "node" else impatient.endpoints).stop(created.id)
    assert resources.wait_stopped(created.id, timeout=10).status == "stopped"
    assert [e["status"] for e in contract.control.requests("PUT", f"/{created.id}/")] == [200]  # not re-sent


def test_delete_whose_response_was_lost_is_not_an_error(contract: Contract) -> None:
    """The first DELETE is served after the client gave up; the re-send must not raise NotFound."""
    repository = contract.client.model_repositories.create(RepositorySpec(name="lost-delete"))
    contract.control.faults({"fault": "latency", "latency_ms": 500, "method": "DELETE",
                             "path": rf"serving/model/{repository.id}/$", "nth": 1})
    with make_client(contract.emulator, contract.url_style, contract.sleep, read_timeout=0.2,
                     backoff_initial=1.0, backoff_max=1.0) as impatient:
        assert impatient.model_repositories.delete(repository.id) is None
    assert contract.control.inventory()["model_repositories"] == []
    assert [e["status"] for e in contract.control.requests("DELETE", "serving/model/")] == [200]  # not re-sent
