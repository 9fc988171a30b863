"""The base of every stack config section (riva_tir/config.py, riva_tir/speech_models.py):
camelCase keys as the stack file spells them, unknown keys refused, no boolean read as a number."""
from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel


def project_path(path: str | Path) -> Path:
    """`path`, a relative one taken from the Pulumi project folder: the working directory
    Pulumi runs the program in, and the one the scripts run from."""
    return Path(path) if Path(path).is_absolute() else Path.cwd() / path


class NumbersAreNotBooleans(BaseModel):
    """`replicas: true` would read as 1 (pydantic takes a boolean for a number): refused."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        kinds = (get_args(field.annotation) or (field.annotation,)) if field is not None else ()
        if isinstance(value, bool) and bool not in kinds and any(k in (int, float) for k in kinds):
            raise ValueError("must be a number, not true or false")
        return value


class Section(NumbersAreNotBooleans):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)
