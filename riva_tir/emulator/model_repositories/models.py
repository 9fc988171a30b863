"""Model repositories (`serving/model/`): records over real MinIO buckets (riva_tir.emulator.buckets)."""

from __future__ import annotations

import builtins
import contextlib
import threading
from dataclasses import dataclass
from typing import Any

from riva_tir.emulator import assumptions
from riva_tir.emulator.buckets import STORAGE_TYPES, BucketRef, Buckets, managed_bucket_name
from riva_tir.emulator.envelope import ValidationFailed
from riva_tir.emulator.lifecycle import Clock
from riva_tir.emulator.model_repositories.errors import RepositoryNotFound
from riva_tir.emulator.scope import Collection, InScope, Scope, change, iso, synchronized
from riva_tir.emulator.store import Store
from riva_tir.emulator.validation import Body, as_object, require_choice, require_str

KIND = "model_repository"
# Ids whose create is making its bucket (RepositoryModels.create).
PENDING_KIND = "model_repository_pending"
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

    def create(self, scope: Scope, body: Body) -> Repository:
        """The bucket is made outside the shared lock: MinIO takes ~1 s for it, and every other
        request (another deployment's SSH key, its node) would wait meanwhile. Until the record
        is saved a pending entry names the id, so a bucket an emulator stop left behind goes at
        the next start (`resume`)."""
        name = require_str(body, "name")
        model_type = require_choice(body, "model_type", MODEL_TYPES)
        storage_type = require_choice(body, "storage_type", STORAGE_TYPES)
        score = as_object(body.get("score"), "score")
        with self.lock:
            self._name_free(scope, name)
            repo_id = self._new_id()
            if storage_type == "managed":
                bucket = managed_bucket_name("tir-model", repo_id, name)
                self.store.put(PENDING_KIND, repo_id, {"id": repo_id, "bucket": bucket}, None, None)
        try:
            storage = self.buckets.provision(storage_type, "tir-model", repo_id, name, body)
        except Exception:
            with self.lock, contextlib.suppress(Exception):  # else the next start drops it
                self._abandon(repo_id)
            raise
        with self.lock:
            self.store.delete(PENDING_KIND, repo_id)
            try:
                self._name_free(scope, name)  # a create of the same name that finished meanwhile
            except ValidationFailed:
                self.buckets.discard(storage)
                raise
            now = self.clock.now()
            repo = Repository(repo_id, name, scope.project_id, scope.location, model_type, storage, score, now, now)
            self._save(repo)
            return repo

    def _name_free(self, scope: Scope, name: str) -> None:
        if any(repo.name == name for repo in self.list(scope)):
            raise ValidationFailed("name", f"a model repository named {name} already exists")

    @synchronized
    def resume(self) -> None:
        """Remove the buckets of creates an emulator stop interrupted (their ids are pending)."""
        for pending in self.store.list(PENDING_KIND):
            self._abandon(pending["id"])

    def _abandon(self, repo_id: int) -> None:
        """Drop the bucket of a create that did not finish, and its pending entry."""
        pending = self.store.get(PENDING_KIND, repo_id)
        if pending:
            self.buckets.discard(BucketRef("managed", pending["bucket"]))
            if pending["bucket"] not in self.buckets.names():  # else the next start tries again
                self.store.delete(PENDING_KIND, repo_id)

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
