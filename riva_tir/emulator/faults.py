"""Seeded fault plans, applied only by the HTTP middleware.

A plan is a list of rules (method + path regex [+ action], fired on the nth matching call or with
a probability). One ``random.Random(seed)`` serves the whole plan and is drawn once per matching
probability rule, so the same seed and the same request sequence give the same faults.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

# `drop` closes the socket before the API sees the call; `lose_response` serves it (its effect
# happens) and then closes the socket without an answer: a response lost on the way back.
FaultKind = Literal["rate_limit", "error", "latency", "drop", "lose_response", "capacity"]
FAULT_KINDS: tuple[str, ...] = ("rate_limit", "error", "latency", "drop", "lose_response", "capacity")
ERROR_STATUSES = (500, 502, 503, 504)


class FaultSpecError(ValueError):
    """A rule in a submitted plan is malformed (reported as 400 by the control API)."""


@dataclass
class FaultRule:
    """One rule; ``nth`` counts matching calls from 1, ``times`` caps how often it fires."""

    fault: FaultKind
    path: str = ".*"
    method: str = "*"
    action: str | None = None
    nth: list[int] | None = None
    probability: float | None = None
    times: int | None = None
    status: int = 503
    latency_ms: int = 0
    retry_after: int = 1
    # False: a 429 without `Retry-After`, only `ratelimit-reset` (what the TIR docs sample shows).
    retry_after_header: bool = True
    matched: int = 0
    fired: int = 0
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.fault not in FAULT_KINDS:
            raise FaultSpecError(f"fault must be one of {FAULT_KINDS}")
        try:
            self._regex = re.compile(self.path)
        except re.error as exc:
            raise FaultSpecError(f"path is not a valid regex: {exc}") from None
        if self.fault == "error" and self.status not in ERROR_STATUSES:
            raise FaultSpecError(f"status must be one of {ERROR_STATUSES} for an error fault")
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise FaultSpecError("probability must be between 0 and 1")
        if self.nth is not None and any(n < 1 for n in self.nth):
            raise FaultSpecError("nth counts calls from 1")
        self.method = self.method.upper()

    @classmethod
    def from_json(cls, raw: Any) -> FaultRule:
        if not isinstance(raw, dict):
            raise FaultSpecError("each rule must be an object")
        allowed = {"fault", "path", "method", "action", "nth", "probability", "times", "status",
                   "latency_ms", "retry_after", "retry_after_header"}
        unknown = set(raw) - allowed
        if unknown:
            raise FaultSpecError(f"unknown rule fields {sorted(unknown)}")
        nth = raw.get("nth")
        if isinstance(nth, int):
            nth = [nth]
        try:
            return cls(**{**raw, "nth": nth})
        except TypeError as exc:
            raise FaultSpecError(str(exc)) from None

    def to_json(self) -> dict[str, Any]:
        return {
            "fault": self.fault, "path": self.path, "method": self.method, "action": self.action,
            "nth": self.nth, "probability": self.probability, "times": self.times,
            "status": self.status, "latency_ms": self.latency_ms, "retry_after": self.retry_after,
            "retry_after_header": self.retry_after_header, "matched": self.matched, "fired": self.fired,
        }

    def matches(self, method: str, path: str, action: str | None) -> bool:
        if self.method not in ("*", method.upper()):
            return False
        if self.action is not None and self.action != action:
            return False
        return self._regex.search(path) is not None


@dataclass(frozen=True)
class Fault:
    """What the middleware must do to one request."""

    kind: FaultKind
    status: int = 0
    latency_ms: int = 0
    retry_after: int = 1
    retry_after_header: bool = True

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.status}" if self.status else self.kind


class FaultPlan:
    """Thread-safe, reproducible set of rules."""

    def __init__(self, seed: int = 0, rules: list[FaultRule] | None = None) -> None:
        self._lock = threading.Lock()
        self.seed = seed
        self.rules: list[FaultRule] = rules or []
        self._rng = random.Random(seed)

    def replace(self, rules: list[FaultRule], seed: int | None = None) -> None:
        with self._lock:
            self.rules = rules
            self._reseed(self.seed if seed is None else seed)

    def _reseed(self, seed: int) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        for rule in self.rules:
            rule.matched = rule.fired = 0

    def clear(self) -> None:
        self.replace([])

    def decide(self, method: str, path: str, action: str | None) -> Fault | None:
        """The fault for this request, if any (first firing rule wins)."""
        with self._lock:
            chosen: Fault | None = None
            for rule in self.rules:
                if not rule.matches(method, path, action):
                    continue
                rule.matched += 1
                fires = True
                if rule.nth is not None:
                    fires = rule.matched in rule.nth
                if rule.probability is not None:
                    # Draw for every matching call so the sequence depends only on the seed.
                    fires = fires and self._rng.random() < rule.probability
                if rule.times is not None and rule.fired >= rule.times:
                    fires = False
                if fires and chosen is None:
                    rule.fired += 1
                    chosen = self._fault_of(rule)
            return chosen

    @staticmethod
    def _fault_of(rule: FaultRule) -> Fault:
        if rule.fault == "rate_limit":
            return Fault("rate_limit", status=429, retry_after=rule.retry_after,
                         retry_after_header=rule.retry_after_header)
        if rule.fault == "error":
            return Fault("error", status=rule.status)
        if rule.fault == "latency":
            return Fault("latency", latency_ms=rule.latency_ms)
        return Fault(rule.fault)

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {"seed": self.seed, "rules": [rule.to_json() for rule in self.rules]}
