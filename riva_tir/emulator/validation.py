"""Field readers for request bodies: each failure names the field (400 ``errors`` key)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from riva_tir.emulator.envelope import ValidationFailed

Body = dict[str, Any]


def require_str(body: Body, field: str) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(field, f"{field} is mandatory")
    return value


def optional_str(body: Body, field: str, default: str = "") -> str:
    value = body.get(field, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValidationFailed(field, f"{field} must be a string")
    return value


def require_choice(body: Body, field: str, allowed: Iterable[str], default: str | None = None) -> str:
    choices = tuple(allowed)
    value = body.get(field, default)
    if value is None:
        raise ValidationFailed(field, f"{field} is mandatory")
    if value not in choices:
        raise ValidationFailed(field, f"allowed values are {', '.join(choices)}")
    return str(value)


def as_int(value: Any, field: str) -> int:
    """Accept ints and digit strings (clients differ); reject bools and the rest."""
    if isinstance(value, bool):
        raise ValidationFailed(field, f"{field} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValidationFailed(field, f"{field} must be an integer")


def optional_int(body: Body, field: str, default: int | None = None) -> int | None:
    value = body.get(field)
    return default if value is None else as_int(value, field)


def as_bool(value: Any, field: str) -> bool:
    """Accept JSON booleans and the strings "true"/"false" (the SDK sends strings)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValidationFailed(field, f"{field} must be a boolean")


def optional_bool(body: Body, field: str, default: bool) -> bool:
    value = body.get(field)
    return default if value is None else as_bool(value, field)


def int_list(body: Body, field: str) -> list[int]:
    value = body.get(field) or []
    if not isinstance(value, list):
        raise ValidationFailed(field, f"{field} must be a list")
    return [as_int(item, field) for item in value]


def as_object(value: Any, field: str) -> Body:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(field, f"{field} must be an object")
    return value
