"""Dataset request spec."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from tir.validation import NamedSpec
from tir.validation import Spec


class PvcSpec(Spec):
    disk_size: int = Field(ge=1)
    pvc_type: Literal["custom_pvc"] = "custom_pvc"


class DatasetSpec(NamedSpec):
    """Body of ``POST datasets/`` (storage types as the SDK/TF send them)."""

    storage_type: Literal["managed", "e2e_s3", "pvc"] = "managed"
    bucket_name: str | None = Field(default=None, validate_default=True)
    pvc: PvcSpec | None = Field(default=None, validate_default=True)
    encryption_enable: bool = False
    encryption_type: Literal["sse-kms", "sse-c"] | None = Field(default=None, validate_default=True)
    description: str = ""

    @field_validator("bucket_name")
    @classmethod
    def _bucket_for_existing(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value and info.data.get("storage_type") == "e2e_s3":
            raise ValueError("required for storage_type 'e2e_s3'")
        return value

    @field_validator("pvc")
    @classmethod
    def _pvc_for_disk(cls, value: PvcSpec | None, info: ValidationInfo) -> PvcSpec | None:
        if value is None and info.data.get("storage_type") == "pvc":
            raise ValueError("required for storage_type 'pvc'")
        return value

    @field_validator("encryption_type")
    @classmethod
    def _type_when_encrypted(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("encryption_enable"):
            raise ValueError("required when encryption_enable is true")
        return value
