"""Endpoint request specs: the single home of endpoint input rules."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, PositiveInt, SecretStr, ValidationInfo, field_serializer, field_validator

from riva_tir.tir.validation import NamedSpec
from riva_tir.tir.endpoints.commands import encode_command_list
from riva_tir.tir.plans.committed import CommittedPolicy, next_plan_rule
from riva_tir.tir.validation import Spec

Framework = Literal["triton", "custom"]
_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Probe(Spec):
    """Readiness/liveness probe. Defaults follow the SDK (port 8080, 10 s cadence)."""

    protocol: Literal["http", "grpc", "tcp"] = "http"
    path: str = "/v2/health/ready"
    port: int = Field(default=8080, ge=1, le=65535)
    initial_delay_seconds: int = Field(default=10, ge=0)
    period_seconds: int = Field(default=10, ge=1)
    timeout_seconds: int = Field(default=10, ge=1)
    success_threshold: int = Field(default=1, ge=1)
    failure_threshold: int = Field(default=3, ge=1)
    grpc_service: str = ""
    commands: str = ""


class AdvanceConfig(Spec):
    image_pull_policy: Literal["Always", "IfNotPresent"] = "IfNotPresent"
    is_readiness_probe_enabled: bool = False
    readiness_probe: Probe | None = Field(default=None, validate_default=True)
    is_liveness_probe_enabled: bool = False
    liveness_probe: Probe | None = Field(default=None, validate_default=True)

    @field_validator("readiness_probe", "liveness_probe")
    @classmethod
    def _enabled_needs_probe(cls, value: Probe | None, info: ValidationInfo) -> Probe | None:
        flag = "is_readiness_probe_enabled" if info.field_name == "readiness_probe" else "is_liveness_probe_enabled"
        if value is None and info.data.get(flag):
            raise ValueError(f"required when {flag} is true")
        return value


class PrivateImageDetails(Spec):
    registry_namespace_id: PositiveInt


class Container(Spec):
    """The image to run: public (pulled anonymously) or private, from a namespace of E2E's
    container registry (`registry.e2enetworks.net/<namespace>/…`, docs/tir.md §8.2)."""

    # An image reference such as "aimle2e/tritonserver:24.02-py3-01".
    container_name: str = Field(min_length=1, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._/:@-]*$")
    container_type: Literal["public", "private"] = "public"
    private_image_details: PrivateImageDetails | None = Field(default=None, validate_default=True)
    advance_config: AdvanceConfig = Field(default_factory=AdvanceConfig)

    @field_validator("private_image_details")
    @classmethod
    def _private_needs_namespace(cls, value: PrivateImageDetails | None,
                                 info: ValidationInfo) -> PrivateImageDetails | None:
        if (value is None) == (info.data.get("container_type") == "private"):
            raise ValueError("a private image needs its registry namespace, a public one has none")
        return value


class EnvDisabled(Spec):
    key: bool = False
    value: bool = False


class EnvVariable(Spec):
    """A container env var; the value may be a secret (e.g. a model key) so it stays masked."""

    key: str = Field(pattern=_ENV_KEY.pattern)
    value: SecretStr = SecretStr("")
    required: bool = False
    disabled: EnvDisabled = Field(default_factory=EnvDisabled)

    @field_serializer("value", when_used="json")
    def _reveal(self, value: SecretStr) -> str:
        return value.get_secret_value()


class ResourceDetails(Spec):
    # ASSUMPTION: 30-120 GB were seen; the upper bound is a guess.
    disk_size: int = Field(default=30, ge=30, le=1000)
    mount_path: str = Field(default="/mnt/models", pattern=r"^/\S*$")
    env_variables: list[EnvVariable] = Field(default_factory=list)


class CustomEndpointDetails(Spec):
    container: Container
    resource_details: ResourceDetails = Field(default_factory=ResourceDetails)
    public_ip: Literal["no", "yes"] = "no"
    service_port: bool = False
    metric_port: bool = False


class DetailedInfo(Spec):
    """Container command (entrypoint) and args; base64 of a JSON array on the wire."""

    commands: list[str] = Field(default_factory=list)
    args: list[str] = Field(default_factory=list)

    @field_serializer("commands", "args", when_used="json")
    def _encode(self, value: list[str]) -> str:
        return encode_command_list(value)


class ScaleRule(Spec):
    metric: Literal["cpu", "concurrency", "requestRate", "custom"] = "concurrency"
    condition_type: Literal["limit"] = "limit"
    value: PositiveInt
    watch_period: PositiveInt = 60


class AutoScalePolicy(Spec):
    """Equal min and max means fixed size; min 0 allows scale-to-zero."""

    min_replicas: int = Field(ge=0)
    max_replicas: int = Field(ge=1)
    rules: list[ScaleRule] = Field(default_factory=list)
    stability_period: int = Field(default=300, ge=0)

    @field_validator("max_replicas")
    @classmethod
    def _min_le_max(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min_replicas")
        if low is not None and low > value:
            raise ValueError(f"must be >= min_replicas ({low})")
        return value

    @field_serializer("stability_period", when_used="json")
    def _as_text(self, value: int) -> str:
        return str(value)  # the SDK sends and TIR returns it as a string


class EndpointSpec(NamedSpec):
    """Body of ``POST serving/inference/`` (also the ``patch``/``update`` action body)."""

    framework: Framework
    model_id: PositiveInt | None = Field(default=None, validate_default=True)
    path: str = ""
    sku_id: PositiveInt
    sku_item_price_id: PositiveInt
    # Committed plans only (docs/tir.md §3, §8.7); a committed endpoint cannot be stopped.
    committed_instance_policy: CommittedPolicy | None = None
    next_sku_item_price_id: PositiveInt | None = Field(default=None, validate_default=True)
    committed_replicas: int | None = Field(default=None, ge=1)
    replica: int = Field(default=1, ge=0)
    is_auto_scale_enabled: bool = False
    auto_scale_policy: AutoScalePolicy | None = Field(default=None, validate_default=True)
    custom_endpoint_details: CustomEndpointDetails | None = Field(default=None, validate_default=True)
    detailed_info: DetailedInfo = Field(default_factory=DetailedInfo)

    _next_plan = field_validator("next_sku_item_price_id")(next_plan_rule)

    @field_validator("model_id")
    @classmethod
    def _triton_needs_model(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is None and info.data.get("framework") == "triton":
            raise ValueError("required for framework 'triton' (a model repository id)")
        return value

    @field_validator("auto_scale_policy")
    @classmethod
    def _autoscale_needs_policy(cls, value: AutoScalePolicy | None, info: ValidationInfo) -> AutoScalePolicy | None:
        if value is None and info.data.get("is_auto_scale_enabled"):
            raise ValueError("required when is_auto_scale_enabled is true")
        return value

    @field_validator("custom_endpoint_details")
    @classmethod
    def _custom_needs_container(
        cls, value: CustomEndpointDetails | None, info: ValidationInfo
    ) -> CustomEndpointDetails | None:
        if value is None and info.data.get("framework") == "custom":
            raise ValueError("required for framework 'custom' (the container to run)")
        return value

    def to_wire(self) -> dict[str, Any]:
        body = super().to_wire()
        body["model_id"] = self.model_id  # TIR expects an explicit null for custom containers
        return body
