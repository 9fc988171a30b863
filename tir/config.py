"""Connection settings for the TIR API client.

One frozen object so that a provider can rebuild a client from config alone and
secrets stay inside ``SecretStr`` (masked in every repr)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

DEFAULT_API_ROOT = "https://api.e2enetworks.com/myaccount/api/v1/gpu/"
DEFAULT_INFER_BASE = "https://infer.e2enetworks.net"

UrlStyle = Literal["project-query", "team-scoped"]


class SshFieldNames(BaseModel):
    """Names of the node response fields that carry SSH connection info.

    ASSUMPTION: no TIR source names these fields; the defaults are the ones the
    local emulator returns. Override them here (and only here) once real TIR's
    names are known.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "ssh_host"
    port: str = "ssh_port"
    user: str = "ssh_user"


class TirConnection(BaseModel):
    """Where a TIR project is and how to reach it: the one definition of these settings,
    used by the client (`TirConfig`), the stack config (`riva-tir:tir`) and the providers.

    Only `identity` names what makes a resource another resource (its project and region);
    the rest is how to reach them, and changing it never replaces anything."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    identity: ClassVar[tuple[str, ...]] = ("project_id", "location")

    api_root: str = DEFAULT_API_ROOT
    project_id: int = Field(gt=0)
    url_style: UrlStyle = "project-query"
    team_id: int | None = Field(default=None, gt=0, validate_default=True)
    location: str = "Delhi"
    infer_base: str = DEFAULT_INFER_BASE

    @field_validator("api_root", "infer_base")
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

    @field_validator("infer_base")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

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
    ssh_fields: SshFieldNames = SshFieldNames()

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
