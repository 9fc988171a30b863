"""Base classes of response models: frozen, tolerant of unknown fields, statuses
normalised to lowercase so comparisons ignore TIR's casing."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo, model_validator

from riva_tir.tir.errors import UnexpectedResponse
from riva_tir.tir.validation import field_errors

X = TypeVar("X", bound=BaseModel)


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


# Wire statuses vary in casing ("Running", "running", "Done"); compare lowercase.
Status = Annotated[str | None, BeforeValidator(_lower)]


class TirModel(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="ignore", populate_by_name=True)


class Resource(TirModel):
    """Fields every project resource has; kinds set READY/FAILED (lowercase)."""

    READY: ClassVar[frozenset[str]] = frozenset()
    # ASSUMPTION: failure state names are undocumented; these are the plausible ones.
    FAILED: ClassVar[frozenset[str]] = frozenset({"failed", "error"})

    id: int
    name: str = ""
    status: Status = None
    created_at: str | None = None
    # ASSUMPTION: TIR documents no field for why a resource failed; this is the
    # emulator's name (docs/tir.md §8.8 leaves it open). ``ResourceFailed`` quotes it.
    failure_reason: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _alias_status(cls, data: Any, info: ValidationInfo) -> Any:
        """A status this TIR sends for one riva-tir knows (`tir.statusAliases`)."""
        aliases = (info.context or {}).get("status_aliases")
        status = data.get("status") if isinstance(data, dict) else None
        seen = status.strip().lower() if isinstance(status, str) else None
        if aliases and seen in aliases:
            return {**data, "status": aliases[seen]}
        return data

    @property
    def is_ready(self) -> bool:
        return self.status in self.READY

    @property
    def is_failed(self) -> bool:
        return self.status in self.FAILED


def parse(model: type[X], data: Any, context: dict[str, Any] | None = None) -> X:
    """Validate a payload; failures name fields only (payloads may hold secrets)."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        detail = "; ".join(f"{path}: {msg}" for path, msg in field_errors(exc))
        raise UnexpectedResponse(f"unexpected {model.__name__} payload: {detail}") from None


def as_list(data: Any, what: str) -> list[Any]:
    """List payloads are plain arrays; ``null`` means empty."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise UnexpectedResponse(f"{what}: expected a list, got {type(data).__name__}")
    return data
