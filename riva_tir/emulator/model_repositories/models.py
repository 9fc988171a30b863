"""Model repositories (`serving/model/`): records over real MinIO buckets (riva_tir.emulator.buckets)."""

from __future__ import annotations

import builtins
import threading
from dataclasses import dataclass
from typing import Any

from riva_tir.emulator import assumptions
from riva_tir.emulator.buckets import STORAGE_TYPES, BucketRef, Buckets
from riva_tir.emulator.envelope import ValidationFailed
from riva_tir.emulator.lifecycle import Clock
from riva_tir.emulator.model_repositories.errors import RepositoryNotFound
from riva_tir.emulator.scope import Collection, InScope, Scope, change, iso, synchronized
from riva_tir.emulator.store import Store
from riva_tir.emulator.validation import Body, as_object, require_choice, require_str

KIND = "model_repository"
FIRST_ID = 2001
MODEL_TYPES = ("pytorch", "triton", "tensorrt", "custom")


@dataclass
class Repository(InScope):
    id: int
    name: str
    project_id: int
    location: str
    model_type: str
    storage: BucketRef
    score: dict[str, Any]
    created_at: float
    updated_at: float


class RepositoryModels(Collection[Repository]):
    def __init__(self, store: Store, clock: Clock, buckets: Buckets, lock: threading.RLock) -> None:
        super().__init__(store, clock, lock, KIND, FIRST_ID, Repository, RepositoryNotFound)
        self.buckets = buckets

    @synchronized
    def create(self, scope: Scope, body: Body) -> Repository:
        name = require_str(body, "name")
        model_type = require_choice(body, "model_type", MODEL_TYPES)
        storage_type = require_choice(body, "storage_type", STORAGE_TYPES)
        score = as_object(body.get("score"), "score")
        if any(repo.name == name for repo in self.list(scope)):
            raise ValidationFailed("name", f"a model repository named {name} already exists")
        repo_id = self._new_id()
        storage = self.buckets.provision(storage_type, "tir-model", repo_id, name, body)
        now = self.clock.now()
        repo = Repository(repo_id, name, scope.project_id, scope.location, model_type, storage, score, now, now)
        self._save(repo)
        return repo

    @change
    def update(self, repo: Repository, body: Body) -> None:
        """`PUT serving/model/{id}/`: only `score` is documented as updatable."""
        repo.score = as_object(body.get("score"), "score")

    @synchronized
    def list_objects(self, scope: Scope, repo_id: int, prefix: str) -> builtins.list[dict[str, Any]]:
        return [{"name": key} for key in self.buckets.objects(self.get(scope, repo_id).storage, prefix)]

    @synchronized
    def delete(self, scope: Scope | None, repo_id: int) -> None:
        self.buckets.release(self.get(scope, repo_id).storage)
        self._remove(repo_id)

    def to_wire(self, repo: Repository) -> dict[str, Any]:
        return {
            "id": repo.id, "name": repo.name, "model_type": repo.model_type,
            "storage_type": repo.storage.storage_type, "status": assumptions.REPOSITORY_READY,
            "score": repo.score, "created_at": iso(repo.created_at), "updated_at": iso(repo.updated_at),
            "project_id": repo.project_id, "location": repo.location,
            **self.buckets.to_wire(repo.storage),
        }
