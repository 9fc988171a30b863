"""Model repositories (`serving/model/`): records over real MinIO buckets.

`managed` creates a bucket, `e2e_s3` must name an existing one, `external` is recorded as given
(its bucket lives elsewhere, so the emulator cannot check or list it).
"""

from __future__ import annotations

import builtins
import threading
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from tir_emulator import assumptions
from tir_emulator.buckets import BucketRef, managed_bucket_name
from tir_emulator.envelope import ValidationFailed
from tir_emulator.lifecycle import Clock
from tir_emulator.model_repositories.errors import RepositoryNotFound
from tir_emulator.scope import Scope, iso, synchronized
from tir_emulator.store import Store
from tir_emulator.validation import Body, as_object, optional_str, require_choice, require_str

if TYPE_CHECKING:
    from tir_emulator.objectstore import ObjectStore

KIND = "model_repository"
FIRST_ID = 2001
MODEL_TYPES = ("pytorch", "triton", "tensorrt", "custom")
STORAGE_TYPES = ("managed", "e2e_s3", "external")


@dataclass
class Repository:
    id: int
    name: str
    project_id: int
    location: str
    model_type: str
    storage: BucketRef
    score: dict[str, Any]
    created_at: float
    updated_at: float

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Repository:
        return cls(**{**doc, "storage": BucketRef(**doc["storage"])})

    def to_wire(self, objectstore: ObjectStore) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "model_type": self.model_type,
            "storage_type": self.storage.storage_type, "status": assumptions.REPOSITORY_READY,
            "score": self.score, "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
            "project_id": self.project_id, "location": self.location,
            **self.storage.to_wire(objectstore),
        }


class RepositoryModels:
    def __init__(self, store: Store, clock: Clock, objectstore: ObjectStore, lock: threading.RLock) -> None:
        self.store = store
        self.clock = clock
        self.objectstore = objectstore
        self.lock = lock

    @synchronized
    def create(self, scope: Scope, body: Body) -> Repository:
        name = require_str(body, "name")
        model_type = require_choice(body, "model_type", MODEL_TYPES)
        storage_type = require_choice(body, "storage_type", STORAGE_TYPES)
        score = as_object(body.get("score"), "score")
        if any(repo.name == name for repo in self.list(scope)):
            raise ValidationFailed("name", f"a model repository named {name} already exists")
        repo_id = self.store.next_id(KIND, FIRST_ID)
        if storage_type == "managed":
            bucket = managed_bucket_name("tir-model", repo_id, name)
            access_key, secret_key = self.objectstore.create_bucket(bucket)
            storage = BucketRef("managed", bucket, access_key, secret_key)
        else:
            bucket = require_str(body, "bucket_name")
            access_key = optional_str(body, "access_key")
            secret_key = optional_str(body, "secret_key")
            if storage_type == "external":
                if not access_key:
                    raise ValidationFailed("access_key", "access_key is mandatory for external storage")
                if not secret_key:
                    raise ValidationFailed("secret_key", "secret_key is mandatory for external storage")
            elif not self.objectstore.bucket_exists(bucket):
                raise ValidationFailed("bucket_name", "failed to validate the bucket path")
            storage = BucketRef(storage_type, bucket, access_key, secret_key)
        now = self.clock.now()
        repo = Repository(repo_id, name, scope.project_id, scope.location, model_type, storage, score, now, now)
        self._save(repo)
        return repo

    def _save(self, repo: Repository) -> None:
        self.store.put(KIND, repo.id, asdict(repo), repo.project_id, repo.location)

    @synchronized
    def get(self, scope: Scope | None, repo_id: int) -> Repository:
        doc = self.store.get(KIND, repo_id)
        if doc is None:
            raise RepositoryNotFound(repo_id)
        repo = Repository.from_doc(doc)
        if scope is not None and (repo.project_id, repo.location) != (scope.project_id, scope.location):
            raise RepositoryNotFound(repo_id)
        return repo

    @synchronized
    def list(self, scope: Scope | None) -> list[Repository]:
        docs = self.store.list(KIND) if scope is None else self.store.list(KIND, scope.project_id, scope.location)
        return [Repository.from_doc(doc) for doc in docs]

    @synchronized
    def update(self, scope: Scope, repo_id: int, body: Body) -> Repository:
        """`PUT serving/model/{id}/`: only `score` is documented as updatable."""
        repo = self.get(scope, repo_id)
        repo.score = as_object(body.get("score"), "score")
        repo.updated_at = self.clock.now()
        self._save(repo)
        return repo

    @synchronized
    def list_objects(self, scope: Scope, repo_id: int, prefix: str) -> builtins.list[dict[str, Any]]:
        repo = self.get(scope, repo_id)
        if repo.storage.storage_type == "external" or not self.objectstore.bucket_exists(repo.storage.bucket_name):
            return []
        return [{"name": key} for key in self.objectstore.list_objects(repo.storage.bucket_name, prefix)]

    @synchronized
    def delete(self, scope: Scope | None, repo_id: int) -> None:
        repo = self.get(scope, repo_id)
        if repo.storage.managed and assumptions.DELETE_MANAGED_BUCKET:
            self.objectstore.delete_bucket(repo.storage.bucket_name)
        self.store.delete(KIND, repo_id)
