"""Datasets: `datasets/` create/get/list/delete and the EOS bucket selection list.

Managed and bucket-backed datasets are real MinIO buckets; `pvc` datasets are a record only
(the emulator has no block storage).
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from tir_emulator import assumptions
from tir_emulator.buckets import BucketRef, managed_bucket_name
from tir_emulator.datasets.errors import DatasetInUse, DatasetNotFound
from tir_emulator.envelope import ValidationFailed
from tir_emulator.lifecycle import Clock
from tir_emulator.scope import Scope, iso, synchronized
from tir_emulator.store import Store
from tir_emulator.validation import Body, as_object, optional_bool, optional_str, require_choice, require_str

if TYPE_CHECKING:
    from tir_emulator.objectstore import ObjectStore

KIND = "dataset"
FIRST_ID = 3001
# `existing_bucket` (new docs) and `e2e_s3` (SDK, TF) name the same thing.
STORAGE_TYPES = ("managed", "e2e_s3", "existing_bucket", "pvc")
ENCRYPTION_TYPES = ("sse-kms", "sse-c")


@dataclass
class Dataset:
    id: int
    name: str
    project_id: int
    location: str
    storage: BucketRef
    description: str
    encryption_enable: bool
    encryption_type: str
    pvc: dict[str, Any]
    created_at: float

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Dataset:
        return cls(**{**doc, "storage": BucketRef(**doc["storage"])})

    def to_wire(self, objectstore: ObjectStore) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "id": self.id, "name": self.name, "status": assumptions.DATASET_READY,
            "storage_type": self.storage.storage_type, "description": self.description,
            "encryption_enable": self.encryption_enable, "encryption_type": self.encryption_type,
            "created_at": iso(self.created_at), "project_id": self.project_id, "location": self.location,
            "pvc": self.pvc or None,
        }
        if self.storage.storage_type != "pvc":
            wire.update(self.storage.to_wire(objectstore))
        return wire


class DatasetModels:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        objectstore: ObjectStore,
        lock: threading.RLock,
        mounted_on: Callable[[int], list[int]],
    ) -> None:
        self.mounted_on = mounted_on  # node ids a dataset is mounted on (owned by the nodes model)
        self.store = store
        self.clock = clock
        self.objectstore = objectstore
        self.lock = lock

    @synchronized
    def create(self, scope: Scope, body: Body) -> Dataset:
        name = require_str(body, "name")
        storage_type = require_choice(body, "storage_type", STORAGE_TYPES)
        encryption_enable = optional_bool(body, "encryption_enable", False)
        encryption_type = optional_str(body, "encryption_type")
        if encryption_enable and encryption_type not in ENCRYPTION_TYPES:
            raise ValidationFailed("encryption_type", f"allowed values are {', '.join(ENCRYPTION_TYPES)}")
        pvc = as_object(body.get("pvc"), "pvc")
        if storage_type == "pvc" and not isinstance(pvc.get("disk_size"), int):
            raise ValidationFailed("pvc", "pvc.disk_size is mandatory for a pvc dataset")
        if any(d.name == name for d in self.list(scope)):
            raise ValidationFailed("name", f"a dataset named {name} already exists")
        dataset_id = self.store.next_id(KIND, FIRST_ID)
        if storage_type == "managed":
            bucket = managed_bucket_name("tir-dataset", dataset_id, name)
            access_key, secret_key = self.objectstore.create_bucket(bucket)
            storage = BucketRef("managed", bucket, access_key, secret_key)
        elif storage_type == "pvc":
            storage = BucketRef("pvc", "")
        else:
            bucket = require_str(body, "bucket_name")
            if not self.objectstore.bucket_exists(bucket):
                raise ValidationFailed("bucket_name", "failed to validate the bucket path")
            storage = BucketRef(storage_type, bucket, optional_str(body, "access_key"),
                                optional_str(body, "secret_key"))
        dataset = Dataset(dataset_id, name, scope.project_id, scope.location, storage,
                          optional_str(body, "description"), encryption_enable, encryption_type, pvc,
                          self.clock.now())
        self._save(dataset)
        return dataset

    def _save(self, dataset: Dataset) -> None:
        self.store.put(KIND, dataset.id, asdict(dataset), dataset.project_id, dataset.location)

    @synchronized
    def get(self, scope: Scope | None, dataset_id: int) -> Dataset:
        """One dataset; ``scope`` None (control API) skips the project/region check."""
        doc = self.store.get(KIND, dataset_id)
        if doc is None:
            raise DatasetNotFound(dataset_id)
        dataset = Dataset.from_doc(doc)
        if scope is not None and (dataset.project_id, dataset.location) != (scope.project_id, scope.location):
            raise DatasetNotFound(dataset_id)
        return dataset

    @synchronized
    def list(self, scope: Scope | None) -> list[Dataset]:
        docs = (self.store.list(KIND) if scope is None
                else self.store.list(KIND, scope.project_id, scope.location))
        return [Dataset.from_doc(doc) for doc in docs]

    @synchronized
    def delete(self, scope: Scope | None, dataset_id: int) -> None:
        dataset = self.get(scope, dataset_id)
        nodes = self.mounted_on(dataset_id)
        if nodes and assumptions.REFUSE_DELETE_MOUNTED_DATASET:
            raise DatasetInUse(dataset_id, nodes)
        if dataset.storage.managed and assumptions.DELETE_MANAGED_BUCKET:
            self.objectstore.delete_bucket(dataset.storage.bucket_name)
        self.store.delete(KIND, dataset_id)

    def bucket_selection(self) -> builtins.list[dict[str, Any]]:
        """Buckets a dataset could use (`eos-bucket-selection-list`)."""
        return [{"bucket_name": name} for name in self.objectstore.list_buckets()]
