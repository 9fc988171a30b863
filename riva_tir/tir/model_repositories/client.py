"""Model repositories (TIR ``serving/model``): EOS buckets holding model files."""

from __future__ import annotations

import builtins
from typing import Any

from riva_tir.tir._http import Transport
from riva_tir.tir._models import as_list, parse
from riva_tir.tir._resource import ResourceClient
from riva_tir.tir.model_repositories.models import BucketObject, ModelRepository
from riva_tir.tir.model_repositories.specs import RepositorySpec
from riva_tir.tir.waiter import Pacing


class ModelRepositoriesClient(ResourceClient[ModelRepository, RepositorySpec]):
    """Project model repositories; ``get`` returns bucket and credentials."""

    def __init__(self, transport: Transport, pacing: Pacing) -> None:
        super().__init__(
            transport,
            pacing,
            model=ModelRepository,
            path="serving/model/",
            kind="model repository",
            ready_timeout=300.0,
        )

    def types(self) -> builtins.list[str]:
        """The model types a repository can have (`serving/model/model_types/`)."""
        data = self._t.request("GET", "serving/model/model_types/", scoped=True)
        return [str(t.get("name", t)) if isinstance(t, dict) else str(t) for t in as_list(data, "model type")]

    def update(self, repository_id: int, score: dict[str, Any]) -> None:
        """``PUT serving/model/{id}/`` with ``{score}`` (the only documented update)."""
        self._t.request("PUT", self._item(repository_id), scoped=True, body={"score": score})

    def list_objects(self, repository_id: int, prefix: str = "") -> builtins.list[BucketObject]:
        """Objects under ``prefix`` in the repository's bucket, as TIR lists them."""
        data = self._t.request("GET", self._item(repository_id, "bucket/"), scoped=True, params={"prefix": prefix})
        return [parse(BucketObject, item) for item in as_list(data, "bucket objects")]
