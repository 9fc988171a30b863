"""The shared waiter with a fake clock: deadline, backoff, failure and disappearance."""

from __future__ import annotations

from typing import Any, TypeGuard

import pytest

from riva_tir.tir import Backoff, Pacing, ResourceFailed, TirClient, WaitTimeout, wait_for


class Thing:
    def __init__(self, status: str) -> None:
        self.status = status


def _is_running(t: Thing | None) -> TypeGuard[Thing]:
    return t is not None and t.status == "running"


def _pacing(clock: Any, jitter: float = 0.0) -> Pacing:
    backoff = Backoff(initial=1.0, maximum=8.0, factor=2.0, jitter=jitter)
    return Pacing(clock=clock, sleep=clock.sleep, backoff=backoff, rand=lambda: 1.0)


def test_times_out_at_monotonic_deadline_with_last_model(clock: Any) -> None:
    seen = Thing("deploying")
    with pytest.raises(WaitTimeout) as info:
        wait_for(lambda: seen, _is_running, lambda t: False, 30, what="endpoint 9 ready", pacing=_pacing(clock))
    assert info.value.last is seen
    assert "endpoint 9 ready" in str(info.value) and "deploying" in str(info.value)
    # 1, 2, 4, 8 (capped), 8, then the remainder (7) so the deadline is never overshot
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, 8.0, 7.0]
    assert clock.now == 1030.0


def test_returns_first_ready_value(clock: Any) -> None:
    states = iter([Thing("creating"), Thing("creating"), Thing("running")])
    result = wait_for(lambda: next(states), _is_running, lambda t: False, 600, what="node", pacing=_pacing(clock))
    assert result.status == "running"
    assert clock.sleeps == [1.0, 2.0]


def test_failure_state_raises_resource_failed(clock: Any) -> None:
    bad = Thing("failed")
    with pytest.raises(ResourceFailed) as info:
        wait_for(lambda: bad, _is_running, lambda t: t is not None and t.status == "failed", 60, what="node",
                 pacing=_pacing(clock))
    assert info.value.last is bad and clock.sleeps == []


def test_jitter_stays_within_band(clock: Any) -> None:
    backoff = Backoff(initial=10.0, maximum=100.0, factor=2.0, jitter=0.2)
    assert backoff.delay(0, lambda: 0.0) == pytest.approx(8.0)
    assert backoff.delay(0, lambda: 1.0) == pytest.approx(12.0)
    assert backoff.delay(5, lambda: 0.5) == pytest.approx(100.0)


def test_client_wait_ready_polls_until_running(client: TirClient, api: Any, node_payload: Any, clock: Any) -> None:
    api.reply("GET", "notebooks/501/", {**node_payload, "status": "Creating"})
    api.reply("GET", "notebooks/501/", {**node_payload, "status": "RUNNING"})
    node = client.nodes.wait_ready(501, timeout=60)
    assert node.status == "running" and len(api.calls) == 2 and len(clock.sleeps) == 1


def test_client_wait_ready_raises_when_resource_vanishes(client: TirClient, api: Any) -> None:
    api.reply("GET", "notebooks/501/", json_body={"code": 404, "message": "not found"}, status=404)
    with pytest.raises(ResourceFailed, match="gone") as info:
        client.nodes.wait_ready(501, timeout=60)
    assert info.value.last is None


def test_client_wait_deleted_until_404(client: TirClient, api: Any, node_payload: Any, clock: Any) -> None:
    api.reply("GET", "notebooks/501/", {**node_payload, "status": "deleting"})
    api.reply("GET", "notebooks/501/", json_body={"code": 404, "message": "not found"}, status=404)
    client.nodes.wait_deleted(501, timeout=60)
    assert len(api.calls) == 2


def test_client_wait_timeout_with_fake_clock(client: TirClient, api: Any, node_payload: Any, clock: Any) -> None:
    api.reply("GET", "notebooks/501/", {**node_payload, "status": "creating"})
    with pytest.raises(WaitTimeout) as info:
        client.nodes.wait_ready(501, timeout=20)
    assert getattr(info.value.last, "status", None) == "creating"
    assert clock.now <= 1020.0 + 1e-9
