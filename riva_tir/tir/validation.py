"""Shared input rules for request specs and a readable view of their errors.

Providers call ``field_errors`` in ``check()`` to turn a pydantic
``ValidationError`` into per-field failures without echoing input values.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

# TIR's rule for resource names (docs/tir.md §9): at most 50 characters, lowercase letters,
# digits and single hyphens, starting and ending with a letter or digit.
NAME_PATTERN = re.compile(r"^(?=.{1,50}$)[a-z0-9]+(-[a-z0-9]+)*$")


def check_name(value: str) -> str:
    if not NAME_PATTERN.fullmatch(value):
        raise ValueError(
            "must be at most 50 lowercase letters, digits and single hyphens, "
            "starting and ending with a letter or digit"
        )
    return value


ResourceName = Annotated[str, AfterValidator(check_name)]

_PREFIXES = ("Value error, ", "Assertion failed, ")


class Spec(BaseModel):
    """Base of request specs: strict, immutable, serialised with wire names."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, populate_by_name=True)

    def to_wire(self) -> dict[str, Any]:
        """The JSON body TIR expects (secrets revealed only here)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<spec>"


def field_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """``[(field_path, message)]`` e.g. ``("auto_scale_policy.rules[0].value", "...")``."""
    out: list[tuple[str, str]] = []
    for err in exc.errors(include_input=False, include_url=False, include_context=False):
        message = err["msg"]
        for prefix in _PREFIXES:
            message = message.removeprefix(prefix)
        out.append((_path(tuple(err["loc"])), message))
    return out


class NamedSpec(Spec):
    """A create spec whose ``name`` identifies the resource for lost-response lookups."""

    name: ResourceName
