"""Scenario 9: wrong or expired credentials give one clear error, with no retry storm and
without echoing the key."""
from __future__ import annotations

import pytest
from pulumi import automation as auto

from tests.integration.harness import FULL_STACK, Deployment
from tir_emulator import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN
from tir_emulator.state import Credentials

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

ROTATED_KEY = "rotated-key-0b7f3a"
TIR_RESOURCES = 10  # key, node, wake, power, repository, content, 2 endpoints, 2 scales


def _requests(dep: Deployment) -> list[dict[str, object]]:
    return list(dep.control.requests())


def _assert_one_refusal_each(dep: Deployment, text: str) -> None:
    assert DEFAULT_API_KEY not in text and ROTATED_KEY not in text and DEFAULT_AUTH_TOKEN not in text
    calls = _requests(dep)
    # Every call was refused and none was retried: at most one per resource.
    assert calls and all(c["status"] == 401 for c in calls), calls
    assert len(calls) <= TIR_RESOURCES, calls
    assert all("apikey=***" in str(c["path"]) for c in calls)


def test_expired_credentials_fail_once_without_retries(deployment: Deployment) -> None:
    dep = deployment
    dep.stack.up()
    # The platform expires the key the stack holds.
    assert dep.emulator.state is not None
    dep.emulator.state.credentials = Credentials(ROTATED_KEY, DEFAULT_AUTH_TOKEN)

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

    # The new key in the config: the stack updates in place, nothing is recreated.
    dep.set("riva-tir:tirApiKey", ROTATED_KEY, secret=True)
    result = dep.stack.up()
    assert not {"create", "delete", "replace"} & set(result.summary.resource_changes or {})
    assert dep.counts() == FULL_STACK
    dep.stack.refresh(expect_no_changes=True)
