"""Bucket naming and the `bucket{}` / `access_key{}` blocks of model repositories."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tir_emulator import assumptions

if TYPE_CHECKING:
    from tir_emulator.objectstore import ObjectStore


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

    def to_wire(self, objectstore: ObjectStore) -> dict[str, Any]:
        endpoint = objectstore.endpoint_url
        return {
            "bucket": {"bucket_name": self.bucket_name, "bucket_url": f"{endpoint}/{self.bucket_name}",
                       "endpoint": endpoint},
            "access_key": {"access_key": self.access_key, "secret_key": self.secret_key},
        }
