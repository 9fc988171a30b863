"""Node request specs: the single home of node input rules (reused by provider check())."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, PositiveInt, ValidationInfo, field_validator

from riva_tir.tir.validation import NamedSpec
from riva_tir.tir.plans.committed import CommittedPolicy, next_plan_rule
from riva_tir.tir.ssh_keys.models import PublicKey
from riva_tir.tir.validation import Spec


class NodeSpec(NamedSpec):
    """Body of ``POST notebooks/``. Field order matters: later rules read earlier fields."""

    image_type: Literal["pre-built", "custom"] = "pre-built"
    image_version_id: PositiveInt | None = Field(default=None, validate_default=True)
    e2e_registry_image_url: str | None = Field(default=None, validate_default=True)
    registry_namespace_id: PositiveInt | None = Field(default=None, validate_default=True)
    sku_item_price_id: PositiveInt
    committed_instance_policy: CommittedPolicy | None = None
    next_sku_item_price_id: PositiveInt | None = Field(default=None, validate_default=True)
    instance_type: Literal["paid_usage", "free_usage"] = "paid_usage"
    # ASSUMPTION: 30 GB is TIR's default and minimum; the maximum is a guess.
    disk_size_in_gb: int = Field(default=30, ge=30, le=5000)
    is_jupyterlab_enabled: bool = True
    # SSH is enabled only when this is non-empty; keys must already be account keys.
    public_key: list[PublicKey] = Field(default_factory=list)
    # Sent because the SDK always sends them (docs/tir.md §5.1); whether TIR requires them is
    # UNKNOWN, and a client that leaves them out risks a 400.
    notebook_type: Literal["new"] = "new"
    notebook_url: str = ""

    @field_validator("image_version_id")
    @classmethod
    def _prebuilt_needs_version(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is None and info.data.get("image_type") == "pre-built":
            raise ValueError("required for image_type 'pre-built'")
        return value

    @field_validator("e2e_registry_image_url", "registry_namespace_id")
    @classmethod
    def _custom_needs_registry(cls, value: int | str | None, info: ValidationInfo) -> int | str | None:
        if not value and info.data.get("image_type") == "custom":
            raise ValueError("required for image_type 'custom'")
        return value

    _next_plan = field_validator("next_sku_item_price_id")(next_plan_rule)

    def to_wire(self) -> dict[str, Any]:
        """The body, with ``dataset_id_list: []`` and ``auto_shutdown_timeout: null`` as the SDK
        always sends them (docs/tir.md §5.1); riva-tir mounts no datasets."""
        return {**super().to_wire(), "dataset_id_list": [], "auto_shutdown_timeout": None}


class NodePlanChange(Spec):
    """Body of ``PUT notebooks/{id}/``; TIR accepts it only while the node is stopped."""

    sku_id: PositiveInt
    sku_item_price_id: PositiveInt
    committed_instance_policy: CommittedPolicy | None = None
    next_sku_item_price_id: PositiveInt | None = Field(default=None, validate_default=True)

    _next_plan = field_validator("next_sku_item_price_id")(next_plan_rule)
