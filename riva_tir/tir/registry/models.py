"""Container registry models (``container_registry/``).

ASSUMPTION (docs/unknowns.md): the SDK calls these routes but no source shows a response;
the models accept the plausible field names (a Harbor-like registry: a namespace is a
project, a repository has a name and may list its tags)."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field, field_validator

from riva_tir.tir._models import TirModel


class RegistryNamespace(TirModel):
    id: int = Field(validation_alias=AliasChoices("id", "namespace_id", "pk"))
    name: str = Field(default="", validation_alias=AliasChoices("namespace_name", "namespace", "name"))


class RegistryRepository(TirModel):
    name: str = Field(validation_alias=AliasChoices("repository_name", "name", "repository"))
    tags: list[str] | None = None  # None: the listing does not say

    @field_validator("tags", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(t.get("name", "")) if isinstance(t, dict) else str(t) for t in value]
        return value

    def is_named(self, repository: str) -> bool:
        """Registries may prefix the namespace (``riva-tir/riva-speech``)."""
        return self.name == repository or self.name.endswith("/" + repository)
