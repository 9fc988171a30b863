"""Timed status transitions, evaluated lazily on read against an injected clock.

No background threads: a resource stores its status and when it entered it; every read asks
:meth:`Lifecycle.advance` which transitions are due. Wall-clock time is used by default so that a
restarted emulator resumes transitions where the previous process left them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...


class SystemClock:
    """Wall-clock seconds (persisted timestamps must mean the same after a restart)."""

    def now(self) -> float:
        return time.time()


class FakeClock:
    """Manually advanced clock for tests."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


@dataclass(frozen=True)
class Transition:
    """``source`` becomes ``target`` once ``name``'s delay has passed (and the guard agrees)."""

    name: str
    source: str
    target: str


class TransitionTable:
    """One kind's transitions, indexed by source status."""

    def __init__(self, transitions: Iterable[Transition]) -> None:
        self.by_source = {t.source: t for t in transitions}


SPEEDS: dict[str, dict[str, float]] = {
    "instant": {},
    "demo": {
        "node.create": 3.0,
        "node.start": 2.0,
        "node.stop": 2.0,
        "endpoint.deploy": 4.0,
        "endpoint.start": 2.0,
        "endpoint.stop": 2.0,
    },
}

Speed = str | Mapping[str, float]


def always(_: Transition) -> bool:
    return True


class Lifecycle:
    """Advances statuses after per-transition delays; the speed can change at runtime."""

    def __init__(self, clock: Clock, speed: Speed = "instant") -> None:
        self.clock = clock
        self._seconds: dict[str, float] = {}
        self.set_speed(speed)

    def set_speed(self, speed: Speed) -> None:
        """A preset name, or explicit seconds per transition name (others are instant)."""
        if isinstance(speed, str):
            if speed not in SPEEDS:
                raise ValueError(f"unknown speed {speed!r}; expected one of {sorted(SPEEDS)}")
            self._seconds = dict(SPEEDS[speed])
            return
        known = set(SPEEDS["demo"])
        unknown = set(speed) - known
        if unknown:
            raise ValueError(f"unknown transitions {sorted(unknown)}; expected some of {sorted(known)}")
        if any(float(v) < 0 for v in speed.values()):
            raise ValueError("transition seconds must be >= 0")
        self._seconds = {k: float(v) for k, v in speed.items()}

    @property
    def seconds(self) -> dict[str, float]:
        """Delay of every known transition (0 when instant)."""
        return {name: self._seconds.get(name, 0.0) for name in SPEEDS["demo"]}

    def now(self) -> float:
        return self.clock.now()

    def advance(
        self,
        table: TransitionTable,
        status: str,
        since: float,
        guard: Callable[[Transition], bool] = always,
    ) -> tuple[str, float, list[Transition]]:
        """Follow every due transition from ``status`` (entered at ``since``).

        Returns the new status, when it was entered, and the transitions taken in order so the
        caller can apply their side effects. A failing guard holds the status (re-checked on the
        next read).
        """
        taken: list[Transition] = []
        now = self.clock.now()
        while (transition := table.by_source.get(status)) is not None:
            due_at = since + self._seconds.get(transition.name, 0.0)
            if now < due_at or not guard(transition):
                break
            status, since = transition.target, due_at
            taken.append(transition)
        return status, since, taken
