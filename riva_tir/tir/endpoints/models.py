"""Endpoint (``serving/inference``) response models: lenient mirrors of the specs."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, SecretStr

from riva_tir.tir._models import Resource, TirModel
from riva_tir.tir.config import TirConnection
from riva_tir.tir.endpoints.commands import decode_command_list
from riva_tir.tir.plans.models import SkuDetails

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
    service_port: bool = False


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
    model_id: int | None = None  # the model repository (Triton framework)
    path: str | None = None  # its folder the endpoint serves
    model: dict[str, Any] | None = None

    @property
    def grpc_through_ingress(self) -> bool:
        """Whether TIR's gRPC ingress reaches this endpoint: Triton's framework always (its
        gRPC port 9000); a custom container only with the "HTTP Port" box ticked
        (ASSUMPTION, docs/tir.md §8.5)."""
        details = self.custom_endpoint_details
        return self.framework == "triton" or bool(details and details.service_port)


# The metadata TIR's gRPC ingress routes by (docs/tir.md §8.9); the auth token goes as
# `x-auth-token` beside them, added by whoever dials (it is a secret, never in outputs).
INGRESS_TOKEN_HEADER = "x-auth-token"


class GrpcTarget(TirModel):
    """How a client outside TIR reaches one endpoint's gRPC: the location's ingress over
    TLS, with routing metadata on every call."""

    address: str  # host:port of the ingress
    metadata: dict[str, str]  # svc, e2e-project
    ca_file: str | None = None  # trust this CA (PEM) too; None: the system's CAs

    def call_metadata(self, auth_token: str) -> list[tuple[str, str]]:
        return [(INGRESS_TOKEN_HEADER, auth_token), *self.metadata.items()]


def http_url(conn: TirConnection, endpoint_id: int) -> str:
    """Data-plane root ``{http base}/project/p-{project}/endpoint/is-{id}/``: composed from
    the connection settings alone (no call, so a preview can tell it too)."""
    return f"{conn.data_plane.http}/project/p-{conn.project_id}/endpoint/is-{endpoint_id}/"


def grpc_target(conn: TirConnection, endpoint_id: int) -> GrpcTarget:
    """The endpoint's gRPC through the location's ingress (no call)."""
    return GrpcTarget(address=conn.data_plane.grpc, ca_file=conn.data_plane.ca_file,
                      metadata={"svc": f"is-{endpoint_id}", "e2e-project": conn.ingress.project_value(conn.project_id)})
