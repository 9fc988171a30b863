"""Model repository request spec: the single home of its input rules."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_serializer, field_validator

from riva_tir.tir.validation import NamedSpec

# S3 bucket naming (lowercase, digits, dots, hyphens; 3-63 chars).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class RepositorySpec(NamedSpec):
    """Body of ``POST serving/model/``.

    ``managed`` makes a new EOS bucket; ``e2e_s3`` uses an existing EOS bucket;
    ``external`` uses a bucket elsewhere and needs its keys.
    """

    model_type: Literal["pytorch", "triton", "tensorrt", "custom"] = "triton"
    storage_type: Literal["managed", "e2e_s3", "external"] = "managed"
    bucket_name: str = Field(default="", validate_default=True)
    access_key: str | None = Field(default=None, validate_default=True)
    secret_key: SecretStr | None = Field(default=None, validate_default=True)

    @field_validator("bucket_name")
    @classmethod
    def _bucket_rule(cls, value: str, info: ValidationInfo) -> str:
        managed = info.data.get("storage_type") == "managed"
        if managed and value:
            raise ValueError("must be empty for storage_type 'managed' (TIR creates the bucket)")
        if not managed and not _BUCKET.fullmatch(value):
            raise ValueError("a valid S3 bucket name is required for storage_type 'e2e_s3'/'external'")
        return value

    @field_validator("access_key", "secret_key")
    @classmethod
    def _external_keys(cls, value: str | SecretStr | None, info: ValidationInfo) -> str | SecretStr | None:
        if not value and info.data.get("storage_type") == "external":
            raise ValueError("required for storage_type 'external'")
        return value

    @field_serializer("secret_key", when_used="json")
    def _reveal(self, value: SecretStr | None) -> str | None:
        # Only the JSON wire body carries the secret; python dumps and reprs stay masked.
        return value.get_secret_value() if value else None
