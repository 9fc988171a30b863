"""Model repository (``serving/model``) response models."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr

from riva_tir.tir._models import Resource, TirModel


class Bucket(TirModel):
    bucket_name: str | None = None
    bucket_url: str | None = None
    endpoint: str | None = None


class S3Credentials(TirModel):
    """EOS keys TIR returns in plain text; the secret stays masked in reprs."""

    access_key: str | None = None
    secret_key: SecretStr | None = None


class ModelRepository(Resource):
    # ASSUMPTION: repository statuses are undocumented (the emulator answers "Done"
    # at once), so anything that is not visibly in progress or failed counts as ready.
    PENDING: ClassVar[frozenset[str]] = frozenset({"creating", "pending", "in_progress", "provisioning"})

    model_type: str | None = None
    storage_type: str | None = None
    bucket: Bucket | None = None
    credentials: S3Credentials | None = Field(default=None, alias="access_key")

    @property
    def is_ready(self) -> bool:
        return self.status not in self.PENDING and not self.is_failed


class BucketObject(TirModel):
    name: str
    size: int | None = None
    last_modified: str | None = None
