"""The one polling loop, shared by every resource kind and by the providers.

Deadline on a monotonic clock, exponential backoff with jitter; clock, sleep and
randomness are injectable so tests run instantly with a fake clock.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeGuard, TypeVar

from riva_tir.tir.errors import ResourceFailed, WaitTimeout

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Backoff:
    """Delay before poll ``n`` (0-based): ``min(maximum, initial * factor**n)`` +/- ``jitter``."""

    # How late a wait sees a resource ready is about half the delay it has reached, and
    # `pulumi up` pays that on every wait of its critical path (node, Triton, Riva API).
    # From 0.5 s with a gentle factor the delay is ~1.3 s after 20 s of waiting (lateness
    # ~0.65 s; factor 2.0 measured 2.2x the provisioning time, 1.08 from 1 s 1.13-1.30x),
    # and a 10-minute wait takes ~100 polls. 20 deployments waiting at once poll ~900 times
    # a minute at their busiest; TIR allows 1200 (docs/performance.md).
    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 1.04
    jitter: float = 0.2  # fraction of the delay, spread evenly both ways

    def delay(self, attempt: int, rand: Callable[[], float]) -> float:
        base = min(self.maximum, self.initial * self.factor**attempt)
        return max(0.0, base * (1.0 + self.jitter * (2.0 * rand() - 1.0)))


@dataclass(frozen=True)
class Pacing:
    """How a client waits: bundled so tests inject a fake clock in one place."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    backoff: Backoff = field(default_factory=Backoff)
    rand: Callable[[], float] = random.random


def _status(current: object) -> str:
    if current is None:
        return "gone"
    return str(getattr(current, "status", "unknown"))


def _reason(current: object) -> str:
    """The failure reason TIR gave, if any, so the user sees why and not just "failed"."""
    reason = getattr(current, "failure_reason", None)
    return f": {reason}" if reason else ""


def wait_for(
    fetch: Callable[[], T | None],
    ready: Callable[[T | None], TypeGuard[R]],
    failed: Callable[[T | None], bool],
    timeout: float,
    *,
    what: str,
    pacing: Pacing = Pacing(),
) -> R:
    """Poll ``fetch`` until ``ready`` (returns that value) or ``failed``/deadline (raises).

    ``fetch`` returns None when the resource is gone, so the same loop serves
    "wait until running" (gone counts as failed) and "wait until deleted".
    """
    deadline = pacing.clock() + timeout
    attempt = 0
    while True:
        current = fetch()
        if ready(current):
            return current
        if failed(current):
            raise ResourceFailed(f"{what} failed (status {_status(current)}){_reason(current)}", current)
        remaining = deadline - pacing.clock()
        if remaining <= 0:
            raise WaitTimeout(f"{what} not done after {timeout:g}s (last status {_status(current)})", current)
        pacing.sleep(min(pacing.backoff.delay(attempt, pacing.rand), remaining))
        attempt += 1
