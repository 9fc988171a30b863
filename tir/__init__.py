"""Typed client for E2E Networks' TIR API (nodes, model repositories, endpoints, ...)."""

from typing import TYPE_CHECKING, Any

from tir.config import SshFieldNames, TirConfig
from tir.errors import (
    AuthError,
    CapacityError,
    Conflict,
    ImageNotFound,
    NotFound,
    PlanNotFound,
    RateLimited,
    ResolutionError,
    ResourceFailed,
    ServerError,
    TirApiError,
    TirError,
    TransportError,
    UnexpectedResponse,
    ValidationFailed,
    WaitTimeout,
)
from tir.paging import Page
from tir.validation import field_errors
from tir.waiter import Backoff, Pacing, wait_for

if TYPE_CHECKING:
    from tir.client import TirClient


def __getattr__(name: str) -> Any:
    """`TirClient` loads on first use: the HTTP stack (requests, urllib3, tenacity) costs
    every `pulumi preview` process ~0.1 s, and code that only validates never needs it."""
    if name == "TirClient":
        from tir.client import TirClient

        return TirClient
    raise AttributeError(f"module 'tir' has no attribute {name!r}")

__all__ = [
    "AuthError",
    "Backoff",
    "CapacityError",
    "Conflict",
    "ImageNotFound",
    "NotFound",
    "Pacing",
    "Page",
    "PlanNotFound",
    "RateLimited",
    "ResolutionError",
    "ResourceFailed",
    "ServerError",
    "SshFieldNames",
    "TirApiError",
    "TirClient",
    "TirConfig",
    "TirError",
    "TransportError",
    "UnexpectedResponse",
    "ValidationFailed",
    "WaitTimeout",
    "field_errors",
    "wait_for",
]
