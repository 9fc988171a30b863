"""Transport behaviour through real requests + ``responses``: auth, URL styles,
envelope handling, the status->error mapping, retries and masking."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
import requests

from riva_tir.tir import (
    AuthError,
    CapacityError,
    Conflict,
    NotFound,
    RateLimited,
    ServerError,
    TirApiError,
    TirClient,
    TransportError,
    UnexpectedResponse,
    ValidationFailed,
)
from riva_tir.tir.nodes import NodeSpec


def _spec() -> NodeSpec:
    return NodeSpec(name="riva-node", image_version_id=72, sku_item_price_id=211)


def test_every_call_carries_auth_location_and_project(client: TirClient, api: Any, node_payload: Any) -> None:
    api.reply("GET", "notebooks/501/", node_payload)
    client.nodes.get(501)
    (call,) = api.calls
    assert call.method == "GET"
    assert call.path == "/myaccount/api/v1/gpu/notebooks/501/"
    assert call.query == {"apikey": api.API_KEY, "location": "Delhi", "project_id": "34"}
    assert call.headers["Authorization"] == f"Bearer {api.AUTH_TOKEN}"


def test_team_scoped_style_puts_team_and_project_in_path(
    make_client: Callable[..., TirClient], api: Any, node_payload: Any
) -> None:
    client = make_client(url_style="team-scoped", location="Chennai")
    api.style = "team-scoped"
    api.reply("GET", "notebooks/501/", node_payload)
    client.nodes.get(501)
    (call,) = api.calls
    assert call.path == "/myaccount/api/v1/gpu/teams/12/projects/34/notebooks/501/"
    assert call.query == {"apikey": api.API_KEY, "location": "Chennai"}


def test_unscoped_paths_never_carry_project(make_client: Callable[..., TirClient], api: Any) -> None:
    client = make_client(url_style="team-scoped")
    api.reply("GET", "ssh_keys/", [], scoped=False)
    client.ssh_keys.list()
    (call,) = api.calls
    assert call.path == "/myaccount/api/v1/gpu/ssh_keys/"
    assert "project_id" not in call.query


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, ValidationFailed), (401, AuthError), (403, AuthError), (404, NotFound), (409, Conflict),
     (422, ValidationFailed), (429, RateLimited), (500, ServerError), (418, TirApiError)],
)
def test_status_maps_to_error_class(client: TirClient, api: Any, status: int, cls: type[TirApiError]) -> None:
    # A PUT carries the error: a retried DELETE would first GET to see whether it took effect.
    api.reply("PUT", "serving/model/7/", json_body={"code": status, "data": None, "errors": {}, "message": "nope"},
              status=status)
    with pytest.raises(cls) as info:
        client.model_repositories.update(7, {"wer": 0.1})
    assert type(info.value) is cls
    assert info.value.status == status
    assert info.value.message == "nope"


def test_validation_error_carries_field_messages(client: TirClient, api: Any) -> None:
    body = {"code": 400, "data": None, "message": "Invalid input",
            "errors": {"name": "name already exists", "sku_item_price_id": ["unknown", "inactive"]}}
    api.reply("POST", "notebooks/", json_body=body, status=400, headers={"x-request-id": "req-42"})
    with pytest.raises(ValidationFailed) as info:
        client.nodes.create(_spec())
    err = info.value
    assert err.field_errors == {"name": "name already exists", "sku_item_price_id": "unknown; inactive"}
    assert err.request_id == "req-42"
    assert "name: name already exists" in str(err) and "request_id=req-42" in str(err)
    assert len(api.calls) == 1


def test_detail_body_and_error_code_inside_2xx(client: TirClient, api: Any) -> None:
    api.reply("GET", "notebooks/1/", json_body={"detail": "Invalid APIkey or Token"}, status=401)
    with pytest.raises(AuthError, match="Invalid APIkey or Token"):
        client.nodes.get(1)
    api.reply("GET", "notebooks/2/", json_body={"code": 404, "data": None, "errors": {}, "message": "gone"}, status=200)
    with pytest.raises(NotFound, match="gone"):
        client.nodes.get(2)


def test_capacity_message_wins_over_status(client: TirClient, api: Any) -> None:
    msg = "SKU Inventory temporarily unavailable. Please try again"
    api.reply("PUT", "notebooks/5/actions/", json_body={"code": 400, "data": None, "errors": {}, "message": msg},
              status=400)
    api.reply("PUT", "notebooks/5/actions/", {})
    client.nodes.start(5)
    assert [c.query["action"] for c in api.calls] == ["start", "start"]


def test_capacity_budget_exhausted_names_the_plan(client: TirClient, api: Any, clock: Any) -> None:
    msg = "SKU Inventory temporarily unavailable. Please try again"
    for _ in range(3):  # capacity_retries=2 -> 3 attempts
        api.reply("POST", "notebooks/", json_body={"code": 503, "data": None, "errors": {}, "message": msg}, status=503)
    with pytest.raises(CapacityError) as info:
        client.nodes.create(_spec())
    assert info.value.plan == "sku_item_price_id=211"
    assert info.value.attempts == 3
    assert "plan=sku_item_price_id=211" in str(info.value)
    assert len(api.calls) == 3
    assert len(clock.sleeps) == 2 and all(s >= 15 for s in clock.sleeps)


def test_get_retries_503_then_succeeds(client: TirClient, api: Any, node_payload: Any, clock: Any) -> None:
    api.reply("GET", "notebooks/501/", json_body={"code": 503, "message": "busy"}, status=503)
    api.reply("GET", "notebooks/501/", node_payload)
    assert client.nodes.get(501).id == 501
    assert len(api.calls) == 2
    assert len(clock.sleeps) == 1 and 0.5 <= clock.sleeps[0] <= 1.0


# A 429 waits `Retry-After` when sent, else `ratelimit-reset`: seconds remaining, not an epoch,
# as in TIR's sample `ratelimit-reset: 141` (docs/tir.md §2); capped by `retry_after_max`.
@pytest.mark.parametrize(("headers", "expected"), [
    ({"Retry-After": "7", "ratelimit-remaining": "0"}, 7.0),
    ({"ratelimit-reset": "9", "ratelimit-remaining": "0"}, 9.0),
    ({"ratelimit-reset": "141"}, None),  # None: the cap
])
def test_429_waits_the_seconds_the_server_named(
    client: TirClient, api: Any, node_payload: Any, clock: Any, headers: dict[str, str], expected: float | None
) -> None:
    api.reply("GET", "notebooks/501/", json_body={"code": 429, "message": "slow down"}, status=429, headers=headers)
    api.reply("GET", "notebooks/501/", node_payload)
    client.nodes.get(501)
    cap = client.config.retry_after_max
    assert cap < 141 and clock.sleeps == [cap if expected is None else expected]


def test_retries_give_up_after_budget(client: TirClient, api: Any) -> None:
    for _ in range(4):  # max_retries=3 -> 4 attempts
        api.reply("GET", "notebooks/1/", json_body={"code": 502, "message": "bad gateway"}, status=502)
    with pytest.raises(ServerError) as info:
        client.nodes.get(1)
    assert info.value.status == 502
    assert len(api.calls) == 4


@pytest.mark.parametrize("status", [401, 403, 400, 404, 409])
def test_non_transient_errors_are_not_retried(client: TirClient, api: Any, status: int) -> None:
    api.reply("GET", "notebooks/1/", json_body={"code": status, "message": "no"}, status=status)
    with pytest.raises(TirApiError):
        client.nodes.get(1)
    assert len(api.calls) == 1


def test_plain_500_retried_for_get_but_not_for_put(client: TirClient, api: Any, node_payload: Any) -> None:
    api.reply("GET", "notebooks/1/", json_body={"code": 500, "message": "oops"}, status=500)
    api.reply("GET", "notebooks/1/", node_payload)
    client.nodes.get(1)
    api.reply("PUT", "notebooks/1/ssh-keys/", json_body={"code": 500, "message": "oops"}, status=500)
    with pytest.raises(ServerError):
        client.nodes.add_ssh_keys(1, ["ssh-ed25519 AAAA x"])
    assert [c.method for c in api.calls] == ["GET", "GET", "PUT"]


def test_plain_500_on_a_checked_action_is_retried_after_the_check(
        client: TirClient, api: Any, node_payload: Any) -> None:
    """stop/start/DELETE check their effect before a re-send, so a 500 is retried safely."""
    api.reply("PUT", "notebooks/1/actions/", json_body={"code": 500, "message": "oops"}, status=500)
    api.reply("GET", "notebooks/1/", {**node_payload, "status": "running"})
    api.reply("PUT", "notebooks/1/actions/", {})
    client.nodes.stop(1)
    assert [c.method for c in api.calls] == ["PUT", "GET", "PUT"]


def test_connection_error_is_retried_and_masked(client: TirClient, api: Any, node_payload: Any) -> None:
    leak = requests.ConnectionError(f"Max retries exceeded with url: /notebooks/1/?apikey={api.API_KEY}")
    for _ in range(4):
        api.reply("GET", "notebooks/1/", exc=leak)
    with pytest.raises(TransportError) as info:
        client.nodes.get(1)
    text = str(info.value)
    assert api.API_KEY not in text and "apikey=***" in text
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert len(api.calls) == 4


def test_post_is_never_retried_blindly(client: TirClient, api: Any) -> None:
    api.reply("POST", "notebooks/", json_body={"code": 503, "message": "unavailable"}, status=503)
    with pytest.raises(ServerError):
        client.nodes.create(_spec())
    assert [c.method for c in api.calls] == ["POST"]


def test_create_idempotent_recovers_lost_response_by_name(client: TirClient, api: Any, node_payload: Any) -> None:
    api.reply("POST", "notebooks/", exc=requests.ConnectionError("reset by peer"))
    api.reply("GET", "notebooks/", [node_payload])
    node = client.nodes.create_idempotent(_spec())
    assert node.id == 501 and node.name == "riva-node"
    assert [c.method for c in api.calls] == ["POST", "GET"]
    assert api.calls[1].query["page_no"] == "1"


def test_create_idempotent_resends_when_lookup_finds_nothing(client: TirClient, api: Any, node_payload: Any) -> None:
    api.reply("POST", "notebooks/", json_body={"code": 429, "message": "slow"}, status=429)
    api.reply("GET", "notebooks/", [])
    api.reply("POST", "notebooks/", node_payload, status=201)
    assert client.nodes.create_idempotent(_spec()).id == 501
    assert [c.method for c in api.calls] == ["POST", "GET", "POST"]
    assert api.calls[0].body == api.calls[2].body


def test_non_json_success_is_unexpected(client: TirClient, api: Any) -> None:
    api.reply("GET", "notebooks/1/", raw="<html>maintenance</html>", status=200)
    with pytest.raises(UnexpectedResponse):
        client.nodes.get(1)


def test_html_error_body_falls_back_to_reason(client: TirClient, api: Any) -> None:
    api.reply("DELETE", "notebooks/1/", raw="<html>oops</html>", status=404)
    with pytest.raises(NotFound, match="Not Found"):
        client.nodes.delete(1)


def test_secrets_never_in_errors_or_logs(
    client: TirClient, api: Any, caplog: pytest.LogCaptureFixture, node_payload: Any
) -> None:
    echo = f"bad key {api.API_KEY} token {api.AUTH_TOKEN}"
    api.reply("GET", "notebooks/1/", json_body={"code": 503, "message": echo}, status=503)
    api.reply("GET", "notebooks/1/", node_payload)
    api.reply("GET", "notebooks/2/", json_body={"code": 401, "message": echo, "errors": {"apikey": echo}}, status=401)
    with caplog.at_level(logging.DEBUG, logger="tir"):
        client.nodes.get(1)
        with pytest.raises(AuthError) as info:
            client.nodes.get(2)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "apikey=***" in logged and "notebooks/1/" in logged
    for secret in (api.API_KEY, api.AUTH_TOKEN):
        assert secret not in logged
        assert secret not in str(info.value)
        assert secret not in repr(client) and secret not in repr(client.config)
    assert any(r.levelno == logging.WARNING and "retrying" in r.getMessage() for r in caplog.records)
