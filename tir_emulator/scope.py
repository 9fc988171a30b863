"""Request-independent helpers shared by the per-kind models: scoping and timestamps."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Concatenate, ParamSpec, Protocol, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Scope:
    """A TIR resource lives in one project and one region."""

    project_id: int
    location: str


def iso(timestamp: float) -> str:
    """Wire form of a clock time (ISO 8601, UTC)."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


class Locked(Protocol):
    lock: threading.RLock


S = TypeVar("S", bound=Locked)


def synchronized(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Serialise a model method on the shared state lock (lazy transitions have side effects)."""

    @functools.wraps(method)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.lock:
            return method(self, *args, **kwargs)

    return cast(Callable[Concatenate[S, P], R], wrapper)
