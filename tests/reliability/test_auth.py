"""Scenario 9: wrong or expired credentials give one clear error, with no retry storm and
without echoing the key."""
from __future__ import annotations

import pytest
from pulumi import automation as auto

from tests.integration.harness import FULL_STACK, Deployment, triton_index
from riva_tir.emulator import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN
from riva_tir.emulator.state import Credentials

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

ROTATED_KEY = "rotated-key-0b7f3a"
ROTATED_TOKEN = "rotated-token-5d21c9"
TIR_RESOURCES = 10  # key, node, wake, power, repository, content, 2 endpoints, 2 scales


def _requests(dep: Deployment) -> list[dict[str, object]]:
    return list(dep.control.requests())


def _assert_one_refusal_each(dep: Deployment, text: str) -> None:
    assert all(secret not in text for secret in (DEFAULT_API_KEY, ROTATED_KEY, DEFAULT_AUTH_TOKEN, ROTATED_TOKEN))
    calls = _requests(dep)
    # Every call was refused and none was retried: at most one per resource.
    assert calls and all(c["status"] == 401 for c in calls), calls
    assert len(calls) <= TIR_RESOURCES, calls
    assert all("apikey=***" in str(c["path"]) for c in calls)


def test_expired_credentials_fail_once_without_retries(deployment: Deployment) -> None:
    dep = deployment
    dep.stack.up()
    # The platform expires the key and token the stack holds.
    assert dep.emulator.state is not None
    dep.emulator.state.credentials = Credentials(ROTATED_KEY, ROTATED_TOKEN)

    dep.control.clear_requests()
    with pytest.raises(auto.CommandError) as info:
        dep.stack.up()
    text = str(info.value)
    assert "TIR refused the API key or token (HTTP 401)" in text and "riva-tir:tirApiKey" in text
    _assert_one_refusal_each(dep, text)

    dep.control.clear_requests()
    with pytest.raises(auto.CommandError) as info:  # refresh reads with the key in the state
        dep.stack.refresh()
    text = str(info.value)
    assert "HTTP 401: Validation Failed, Invalid APIkey or Token" in text
    _assert_one_refusal_each(dep, text)

    # The new key and token in the config: the stack updates in place, nothing is recreated,
    # and the endpoints answer through the ingress with the new token.
    dep.set("riva-tir:tirApiKey", ROTATED_KEY, secret=True)
    dep.set("riva-tir:tirAuthToken", ROTATED_TOKEN, secret=True)
    result = dep.stack.up()
    assert not {"create", "delete", "replace"} & set(result.summary.resource_changes or {})
    assert triton_index(dep.outputs()["triton_grpc"], token=ROTATED_TOKEN)["models"]
    assert dep.counts() == FULL_STACK
    dep.stack.refresh(expect_no_changes=True)
