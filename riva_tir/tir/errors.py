"""Exception hierarchy of the TIR client.

Every message is built from masked data only: no API key, token, header or
request body ever reaches ``str(exc)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class TirError(Exception):
    """Root of everything this package raises."""


class TransportError(TirError):
    """The request never got an HTTP answer (connection refused, reset, timeout)."""


class UnexpectedResponse(TirError):
    """TIR answered 2xx with a body this client cannot understand."""


class TirApiError(TirError):
    """TIR answered with an error status (or an error envelope inside a 2xx)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: int | None = None,
        field_errors: Mapping[str, str] | None = None,
        request_id: str | None = None,
        method: str = "",
        url: str = "",
    ) -> None:
        self.status = status
        self.code = code if code is not None else status
        self.message = message
        self.field_errors: dict[str, str] = dict(field_errors or {})
        self.request_id = request_id
        self.method = method
        self.url = url  # already masked by the transport
        super().__init__(self._render())

    def _render(self) -> str:
        text = f"HTTP {self.status}: {self.message}"
        if self.field_errors:
            text += " (" + "; ".join(f"{k}: {v}" for k, v in self.field_errors.items()) + ")"
        if self.method:
            text += f" [{self.method} {self.url}]"
        if self.request_id:
            text += f" request_id={self.request_id}"
        return text


class AuthError(TirApiError):
    """401/403: wrong API key or token. Never retried."""


class NotFound(TirApiError):
    """404: the resource does not exist (also right after a delete)."""


class Conflict(TirApiError):
    """409: the request clashes with the resource's current state."""


class ValidationFailed(TirApiError):
    """400/422: TIR rejected the input; ``field_errors`` holds its per-field messages."""


class RateLimited(TirApiError):
    """429: too many requests; ``retry_after`` is in seconds when TIR said so."""

    def __init__(self, status: int, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        self.retry_after = retry_after
        super().__init__(status, message, **kw)


class ServerError(TirApiError):
    """5xx: TIR failed; transient for 502/503/504."""


class CapacityError(TirApiError):
    """No inventory for the plan ("SKU Inventory temporarily unavailable")."""

    def __init__(self, status: int, message: str, *, plan: str | None = None, attempts: int = 1, **kw: Any) -> None:
        self.plan = plan
        self.attempts = attempts
        super().__init__(status, message, **kw)

    def for_plan(self, plan: str, attempts: int) -> CapacityError:
        """The same refusal, now naming the plan and how often it was tried."""
        return CapacityError(
            self.status,
            self.message,
            plan=plan,
            attempts=attempts,
            code=self.code,
            field_errors=self.field_errors,
            request_id=self.request_id,
            method=self.method,
            url=self.url,
        )

    def _render(self) -> str:
        text = super()._render()
        if self.plan:
            text += f" plan={self.plan} attempts={self.attempts}"
        return text


class ResolutionError(TirError):
    """A human-friendly name (plan code, image name) matched nothing in TIR's catalog."""

    def __init__(self, message: str, available: Sequence[str]) -> None:
        self.available = list(available)
        shown = ", ".join(self.available) if self.available else "none"
        super().__init__(f"{message}; available: {shown}")


class PlanNotFound(ResolutionError):
    """No SKU has the requested plan short code (or it has no hourly price)."""


class TermNotOffered(ResolutionError):
    """The SKU has no committed plan of the requested number of days."""

    def __init__(self, plan: str, committed_days: int, offered: Sequence[int]) -> None:
        self.plan, self.committed_days = plan, committed_days
        super().__init__(f"plan {plan} has no {committed_days}-day committed term", [str(d) for d in offered])


class ImageNotFound(ResolutionError):
    """No image / image version matches the requested name and version."""


class _WaitError(TirError):
    def __init__(self, message: str, last: object | None) -> None:
        self.last = last  # the last model seen (None when the resource was gone)
        super().__init__(message)


class WaitTimeout(_WaitError):
    """The resource did not reach the wanted state before the deadline."""


class ResourceFailed(_WaitError):
    """The resource reached a failure state (or vanished) while being waited on."""
