"""Connection settings for the TIR API client.

One frozen object so that a provider can rebuild a client from config alone and
secrets stay inside ``SecretStr`` (masked in every repr)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel

DEFAULT_API_ROOT = "https://api.e2enetworks.com/myaccount/api/v1/gpu/"

UrlStyle = Literal["project-query", "team-scoped"]


class SshFieldNames(BaseModel):
    """Names of the node response fields that carry SSH connection info.

    ASSUMPTION (docs/unknowns.md): no TIR source names these fields; the defaults are the
    ones the local emulator returns. A stack overrides them with `tir.sshFields`, and
    `scripts/doctor` finds the real ones on a node record.
    """

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    host: str = Field(default="ssh_host", min_length=1)
    port: str = Field(default="ssh_port", min_length=1)
    user: str = Field(default="ssh_user", min_length=1)


# ASSUMPTION (docs/unknowns.md): the login user when the node record names none. No source
# shows it (the home directory is /home/jovyan); a stack sets `node.sshUser`.
DEFAULT_LOGIN_USER = "root"


ProjectHeader = Literal["number", "p-number"]


class IngressSettings(BaseModel):
    """How a call names its project to the gRPC ingress (`e2e-project`).

    ASSUMPTION (docs/unknowns.md): the project number, as the endpoint's API Request tab
    shows it; `p-number` sends `p-<number>`, the form of the HTTP data plane's paths."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)

    project_header: ProjectHeader = "number"

    def project_value(self, project_id: int) -> str:
        return str(project_id) if self.project_header == "number" else f"p-{project_id}"


class DataPlane(BaseModel):
    """Where one location's endpoints answer from outside TIR (docs/tir.md §8.9): the HTTP
    base and the gRPC ingress (always TLS, routed by metadata)."""

    # The stack config spells `ca_file` as caFile, like every other key.
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)

    http: str = Field(description="HTTP data-plane base, e.g. https://infer.e2enetworks.net")
    grpc: str = Field(pattern=r"^[A-Za-z0-9.-]+:\d+$",
                      description="gRPC ingress host:port, e.g. infer-grpc.e2enetworks.net:9000")
    ca_file: str | None = Field(default=None, description="a PEM CA to trust besides the system's "
                                                         "(the local emulator's test CA)")

    @field_validator("http")
    @classmethod
    def _http_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be the HTTP data-plane base, starting with https://, "
                             "e.g. https://infer.e2enetworks.net")
        return value.rstrip("/")


# Delhi's are confirmed (docs/tir.md §8.9). TIR's docs say Chennai's differ and do not give
# them: a stack in another location names its own (`tir.dataPlanes.<location>`).
DEFAULT_DATA_PLANES = {"Delhi": DataPlane(http="https://infer.e2enetworks.net", grpc="infer-grpc.e2enetworks.net:9000")}


class TirConnection(BaseModel):
    """Where a TIR project is and how to reach it: the one definition of these settings,
    used by the client (`TirConfig`), the stack config (`riva-tir:tir`) and the providers.

    Only `identity` names what makes a resource another resource (its project and region);
    the rest is how to reach them, and changing it never replaces anything."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")
    identity: ClassVar[tuple[str, ...]] = ("project_id", "location")

    api_root: str = DEFAULT_API_ROOT
    project_id: int = Field(gt=0)
    url_style: UrlStyle = "project-query"
    team_id: int | None = Field(default=None, gt=0, validate_default=True)
    location: str = "Delhi"
    data_planes: dict[str, DataPlane] = Field(default_factory=lambda: dict(DEFAULT_DATA_PLANES))
    ssh_fields: SshFieldNames = SshFieldNames()
    ingress: IngressSettings = IngressSettings()
    # ASSUMPTION (docs/unknowns.md): only "running" and "stopped" are attested; a status this
    # TIR sends for one riva-tir knows is mapped here, e.g. {"active": "running"}.
    status_aliases: dict[str, str] = Field(default_factory=dict)

    @field_validator("api_root")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be the TIR API root URL, starting with http:// or https://, e.g. "
                             + DEFAULT_API_ROOT)
        return value

    @field_validator("api_root")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # All TIR paths are Django-style and joined onto the root.
        return value if value.endswith("/") else value + "/"

    @field_validator("status_aliases")
    @classmethod
    def _lowercase(cls, value: dict[str, str]) -> dict[str, str]:
        # Statuses compare lowercase (riva_tir/tir/_models.py).
        return {k.strip().lower(): v.strip().lower() for k, v in value.items()}

    @field_validator("data_planes")
    @classmethod
    def _with_defaults(cls, value: dict[str, DataPlane]) -> dict[str, DataPlane]:
        return {**DEFAULT_DATA_PLANES, **value}

    @property
    def data_plane(self) -> DataPlane:
        """This location's data plane (ValueError naming the setting when none is known)."""
        if self.location not in self.data_planes:
            raise ValueError(f"no data plane for location {self.location!r}: set dataPlanes.{self.location}.http "
                             f"and .grpc (the hosts an endpoint's API Request tab shows); riva-tir knows "
                             f"{', '.join(sorted(DEFAULT_DATA_PLANES))} only")
        return self.data_planes[self.location]

    @field_validator("team_id")
    @classmethod
    def _team_for_legacy_urls(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is None and info.data.get("url_style") == "team-scoped":
            raise ValueError("required with the team-scoped URL style: set the team id, "
                             "or use the project-query style")
        return value


class TirConfig(TirConnection):
    """Everything a ``TirClient`` needs: where, who, which project, how patient."""

    api_key: SecretStr
    auth_token: SecretStr

    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=60.0, gt=0)
    # Transient failures (connection errors, 429, 502/503/504) on idempotent calls.
    max_retries: int = Field(default=4, ge=0)
    backoff_initial: float = Field(default=0.5, ge=0)
    backoff_max: float = Field(default=20.0, ge=0)
    retry_after_max: float = Field(default=120.0, ge=0)
    # "SKU Inventory temporarily unavailable" on create/start: a separate, slower budget.
    capacity_retries: int = Field(default=5, ge=0)
    capacity_backoff_initial: float = Field(default=15.0, ge=0)
    capacity_backoff_max: float = Field(default=120.0, ge=0)
