"""Every bucket the emulator makes or removes for a resource, in one place: naming, provisioning
by storage type, release, listing, and the `bucket{}` / `access_key{}` blocks of model repositories."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from riva_tir.emulator import assumptions
from riva_tir.emulator.envelope import ValidationFailed
from riva_tir.emulator.validation import Body, optional_str, require_str

if TYPE_CHECKING:
    from riva_tir.emulator.objectstore import ObjectStore

STORAGE_TYPES = ("managed", "e2e_s3", "external")


def managed_bucket_name(prefix: str, resource_id: int, name: str) -> str:
    """A valid S3 bucket name (3-63 chars, lowercase, digits, hyphens) derived from the resource."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "data"
    bucket = assumptions.MANAGED_BUCKET_TEMPLATE.format(prefix=prefix, resource_id=resource_id, slug=slug)
    return bucket[:63].rstrip("-")


@dataclass
class BucketRef:
    """Where a repository's files live and the keys that open them."""

    storage_type: str
    bucket_name: str
    access_key: str = ""
    secret_key: str = field(default="", repr=False)

    @property
    def managed(self) -> bool:
        return self.storage_type == "managed"


class Buckets:
    """The object store as resources use it: `managed` creates a bucket, `e2e_s3` must name an
    existing one, `external` is recorded as given (it lives elsewhere: never checked or listed)."""

    def __init__(self, objectstore: ObjectStore) -> None:
        self.objectstore = objectstore

    def provision(self, storage_type: str, prefix: str, resource_id: int, name: str, body: Body) -> BucketRef:
        if storage_type == "managed":
            bucket = managed_bucket_name(prefix, resource_id, name)
            return BucketRef("managed", bucket, *self.objectstore.create_bucket(bucket))
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
        return BucketRef(storage_type, bucket, access_key, secret_key)

    def release(self, ref: BucketRef) -> None:
        """What goes with the resource: its managed bucket (unless TIR keeps those)."""
        if ref.managed and assumptions.DELETE_MANAGED_BUCKET:
            self.objectstore.delete_bucket(ref.bucket_name)

    def discard(self, ref: BucketRef) -> None:
        """A managed bucket whose repository was never made (whatever TIR keeps)."""
        if ref.managed:
            self.objectstore.delete_bucket(ref.bucket_name)

    def release_all(self) -> None:
        """Every bucket, whoever made it (a reset)."""
        for bucket in self.objectstore.list_buckets():
            self.objectstore.delete_bucket(bucket)

    def names(self) -> list[str]:
        return self.objectstore.list_buckets()

    def objects(self, ref: BucketRef, prefix: str) -> list[str]:
        """Keys under `prefix`; none for an external bucket or one that is gone."""
        if ref.storage_type == "external" or not self.objectstore.bucket_exists(ref.bucket_name):
            return []
        return self.objectstore.list_objects(ref.bucket_name, prefix)

    def to_wire(self, ref: BucketRef) -> dict[str, Any]:
        endpoint = self.objectstore.endpoint_url
        return {
            "bucket": {"bucket_name": ref.bucket_name, "bucket_url": f"{endpoint}/{ref.bucket_name}",
                       "endpoint": endpoint},
            "access_key": {"access_key": ref.access_key, "secret_key": ref.secret_key},
        }
