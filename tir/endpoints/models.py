"""Endpoint (``serving/inference``) response models: lenient mirrors of the specs."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, SecretStr

from tir._models import Resource, TirModel
from tir.endpoints.commands import decode_command_list
from tir.plans.models import SkuDetails

CommandList = Annotated[list[str], BeforeValidator(decode_command_list)]


class EndpointStatus(StrEnum):
    """Known endpoint statuses, lowercase (``Endpoint.status`` is normalised to match).

    UI labels are Deploying/Running/Waiting/Idle/Terminating/Stopped; "done" was
    seen on the wire. ASSUMPTION: failure is "failed"/"error".
    """

    DEPLOYING = "deploying"
    RUNNING = "running"
    WAITING = "waiting"
    IDLE = "idle"
    TERMINATING = "terminating"
    STOPPED = "stopped"
    DONE = "done"
    FAILED = "failed"
    ERROR = "error"


class EndpointContainer(TirModel):
    container_name: str | None = None
    container_type: str | None = None


class EndpointEnvVariable(TirModel):
    key: str
    value: SecretStr = SecretStr("")


class EndpointResources(TirModel):
    disk_size: int | None = None
    mount_path: str | None = None
    env_variables: list[EndpointEnvVariable] = Field(default_factory=list)


class EndpointCustomDetails(TirModel):
    container: EndpointContainer | None = None
    resource_details: EndpointResources | None = None


class EndpointDetailedInfo(TirModel):
    commands: CommandList = Field(default_factory=list)
    args: CommandList = Field(default_factory=list)


class EndpointScaleRule(TirModel):
    metric: str | None = None
    condition_type: str | None = None
    value: float | None = None
    watch_period: int | None = None


class EndpointAutoScalePolicy(TirModel):
    min_replicas: int | None = None
    max_replicas: int | None = None
    rules: list[EndpointScaleRule] = Field(default_factory=list)
    stability_period: int | None = None  # TIR returns it as a string


class Endpoint(Resource):
    # ASSUMPTION: "idle" (scaled to zero, min_replicas 0) is a finished deployment too.
    READY = frozenset({EndpointStatus.RUNNING.value, EndpointStatus.IDLE.value})

    framework: str | None = None
    replica: int | None = None
    updated_at: str | None = None
    is_auto_scale_enabled: bool | None = None
    auto_scale_policy: EndpointAutoScalePolicy | None = None
    custom_endpoint_details: EndpointCustomDetails | None = None
    detailed_info: EndpointDetailedInfo | None = None
    sku: int | None = None
    sku_details: SkuDetails | None = None
    model: dict[str, Any] | None = None
    # Emulator-only fields (real TIR documents no address fields; see docs/tir.md §8.8, §8.9).
    grpc_endpoint: str | None = None  # "host:port" of Triton gRPC
    http_endpoint: str | None = None  # full data-plane URL
