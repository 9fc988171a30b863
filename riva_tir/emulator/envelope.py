"""The TIR response envelope and the error types models raise.

Every JSON answer is ``{code, data, errors, message}`` with ``code`` equal to the HTTP status, so
clients can trust either. Models raise :class:`ApiError` subclasses; only the HTTP layer turns them
into responses.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from riva_tir.emulator import assumptions


class ApiError(Exception):
    """A TIR error with its HTTP status, message and per-field errors."""

    status = 500

    def __init__(self, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, Any] = errors or {}


class ValidationFailed(ApiError):
    """400: the request names a missing, malformed or unknown field."""

    status = 400

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, {field: message})
        self.field = field


class InvalidState(ApiError):
    """400: the action is not allowed in the resource's current state."""

    status = 400

    def __init__(self, message: str, field: str = "status") -> None:
        super().__init__(message, {field: message})


class NotFound(ApiError):
    """404: unknown id, including right after a delete."""

    status = 404

    def __init__(self, kind: str, resource_id: object) -> None:
        super().__init__(f"{kind} {resource_id} not found", {"id": f"{kind} not found"})


class Unauthorized(ApiError):
    """401: missing or wrong apikey / bearer token (never echoed back)."""

    status = 401

    def __init__(self) -> None:
        super().__init__(assumptions.AUTH_FAILED_MESSAGE, {"auth": assumptions.AUTH_FAILED_MESSAGE})


class CapacityUnavailable(ApiError):
    """No inventory for the SKU right now; clients may retry later."""

    status = assumptions.CAPACITY_STATUS

    def __init__(self) -> None:
        super().__init__(assumptions.CAPACITY_MESSAGE, {"sku": assumptions.CAPACITY_MESSAGE})


def envelope(status: int, data: Any, message: str, errors: dict[str, Any] | None = None) -> Response:
    """Build a JSON response whose ``code`` matches the HTTP status."""
    response = jsonify({"code": status, "data": data, "errors": errors or {}, "message": message})
    response.status_code = status
    return response


def ok(data: Any, message: str = "Success", status: int = 200) -> Response:
    """Successful answer (201 for creates)."""
    return envelope(status, data, message)


def error_response(exc: ApiError) -> Response:
    """Error answer: ``data`` is null, ``errors`` keyed by field."""
    return envelope(exc.status, None, exc.message, exc.errors)
