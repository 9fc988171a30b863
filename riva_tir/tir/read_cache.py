"""A short-lived, process-wide cache of the reads every resource of a run repeats.

One `pulumi up` asks TIR the same things many times, all from the one provider process:
every node and endpoint resolves its plan (and the node its image) in `check` and again in
`create`, and every resource's `check` confirms TIR still takes the credentials. The
catalog changes on the scale of days; sharing the answers cuts those repeats to one call
each (bench/ counts them). Errors are never cached.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

# Long enough for one engine operation, short enough that a plan withdrawn or a key
# revoked in TIR shows in the next `preview` of a long-lived process.
READ_CACHE_TTL_SECONDS = 300.0
# How long one read of an object answers the other resources reading the same object: a
# `refresh` reads a node for the node, its wake and its power step, an endpoint for the
# endpoint and its scale, all at the same moment (docs/performance.md). Never a wait's polls.
SAME_MOMENT_SECONDS = 2.0


class ReadCache:
    """Answers of GETs by key, each loaded at most once per TTL, also when several
    provider threads ask at the same time."""

    def __init__(self, ttl: float = READ_CACHE_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Any], ttl: float | None = None) -> Any:
        """The answer under `key`, loaded unless one younger than `ttl` (default: the
        cache's) is there; callers asking while it loads wait for that load."""
        ttl = self._ttl if ttl is None else ttl
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            entry = self._entries.get(key)
            if entry is not None and self._clock() - entry[0] < ttl:
                return entry[1]
            value = load()
            self._entries[key] = (self._clock(), value)
            return value
