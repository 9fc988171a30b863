"""Typed client for E2E Networks' TIR API (nodes, model repositories, endpoints, ...)."""

from tir.client import TirClient
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
