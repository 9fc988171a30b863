"""Typed client for E2E Networks' TIR API (nodes, model repositories, endpoints, ...)."""

from typing import TYPE_CHECKING, Any

from riva_tir.tir.config import SshFieldNames, TirConfig
from riva_tir.tir.errors import (
    AuthError,
    CapacityError,
    Conflict,
    ImageNotFound,
    NotFound,
    PlanNotFound,
    TermNotOffered,
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
from riva_tir.tir.paging import Page
from riva_tir.tir.validation import field_errors
from riva_tir.tir.waiter import Backoff, Pacing, wait_for

if TYPE_CHECKING:
    from riva_tir.tir.client import TirClient


def __getattr__(name: str) -> Any:
    """`TirClient` loads on first use: the HTTP stack (requests, urllib3, tenacity) costs
    every `pulumi preview` process ~0.1 s, and code that only validates never needs it."""
    if name == "TirClient":
        from riva_tir.tir.client import TirClient

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
    "TermNotOffered",
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
