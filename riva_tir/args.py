"""RivaDeploymentArgs: what one deployment is made of, as a Pulumi program passes it.

The fields are the stack config's sections (riva_tir/config.py is their one schema), in
snake_case; a section is given as its schema object or as a mapping of its keys, and the
values that only flow into TIR (plans, replicas, autoscaling, images, disk sizes, states,
the TIR connection, the secrets) may be `pulumi.Input`s: the Outputs of other resources.
What decides which resources exist (the models, the SSH key, the repository, Triton's
runtime, the names) is a plain value (docs/library.md).

The component validates with the stack's schema: plain values at once, so a bad one fails
`preview` naming its field (`RivaDeploymentArgs.triton.replicas`); a deployment with
Outputs once they are known (at preview when they are already, else at `up`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

import pulumi
from pydantic import BaseModel, create_model
from pydantic.alias_generators import to_snake

from riva_tir.config import ConfigError, NodeSection, RepositorySection, StackConfig, validate
from riva_tir.schema import Section as SchemaSection
from riva_tir.speech_models import Entry

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
Section = Mapping[str, Any] | BaseModel
# The values that may be Outputs: they only reach resource inputs (paths in snake_case).
DEFERRABLE = re.compile(
    r"^(tir(\..+)?|retries\..+|node\.(plan|disk_size_gb|state|trusted_host_key|ssh_user|image|registry_namespace_id)"
    r"|(triton|riva_api)\.(plan|replicas|image|registry_namespace_id|disk_size_gb|state|grpc_port|autoscaling(\..+)?)"
    r")$")
ARGS = "RivaDeploymentArgs"


@dataclass
class RivaDeploymentArgs:
    """One Riva deployment on TIR: a GPU node converting the models, a Triton endpoint and a
    Riva API endpoint serving them."""

    tir: pulumi.Input[Section]
    """Where the TIR API is and how to reach it: `api_root`, `project_id`, `location`,
    `data_planes`, ... (the stack config's `tir` keys)."""
    node: Section
    """The GPU node that converts the models: `plan` (same GPU type as Triton's), `riva_version`,
    `disk_size_gb`, `state` (running, or stopped once converted), `ssh_public_key`, ..."""
    triton: Section
    """The Triton endpoint: `plan` (a GPU plan), `replicas` or `autoscaling`, `image`,
    `registry_namespace_id`, `disk_size_gb`, `state`, `runtime`."""
    riva_api: Section
    """The Riva API endpoint: `plan` (a CPU plan is enough), `replicas` or `autoscaling`,
    `image`, `registry_namespace_id`, `disk_size_gb`, `state`, `grpc_port`."""
    tir_api_key: pulumi.Input[str]
    """TIR API key (secret)."""
    tir_auth_token: pulumi.Input[str]
    """TIR auth token (secret): TIR's API and the endpoints' ingress take it."""
    models: Sequence[Section | Entry] = ()
    """The speech models, one per pipeline: `{"kind": "asr", "language": ..., "mode": ..., "file" |
    "url" | "ngc": ...}`, `{"kind": "punctuation", ...}`, `{"kind": "tts", "voice": ..., "fastpitch":
    ..., "hifigan": ...}` (docs/speech-services.md). Plain: they decide the resources."""
    model: Section | None = None
    """The single ASR model of older stacks (`file` | `url` | `ngc`, `pipeline`): the first model."""
    repository: Section | None = None
    """The model repository: `storage_type` (managed, e2e_s3, external), `bucket_name`,
    `access_key`, `prefix`. Plain."""
    name_prefix: str | None = None
    """Prefix of every TIR name (default rt-<stack>[-<name>]); the deployment's suffix follows."""
    timeouts_minutes: Mapping[str, int] = field(default_factory=dict)
    """How long `node`, `endpoint` and `conversion` may take, in minutes."""
    retries: Section | None = None
    """How patient the TIR client is: `max_retries`, `capacity_retries`, `capacity_backoff_seconds`."""
    verify: bool = False
    """Verify every service by what it does as the deployment's last step."""
    verify_max_wer: float = 0.25
    """The word error rate the verification allows."""
    model_key: pulumi.Input[str] | None = None
    """The models' encryption key (secret; default `tlt_encode`, NGC's)."""
    ssh_private_key: pulumi.Input[str] | None = None
    """The private key of `node.ssh_public_key` (secret); without both a key pair is generated."""
    ngc_api_key: pulumi.Input[str] | None = None
    """NGC API key (secret), for models from NGC."""
    repository_secret_key: pulumi.Input[str] | None = None
    """The bucket's secret key (secret), for `repository.storage_type` external."""

    def config(self) -> dict[str, Any]:
        """The non-secret fields as the schema reads them (Outputs still in place)."""
        secret = {"tir_api_key", "tir_auth_token", "model_key", "ssh_private_key", "ngc_api_key",
                  "repository_secret_key"}
        raw = {f.name: _plain_data(getattr(self, f.name)) for f in fields(self) if f.name not in secret}
        return {key: value for key, value in raw.items() if value is not None}


def _plain_data(value: Any) -> Any:
    """Schema objects as mappings of their keys, recursively; Inputs left as they are."""
    if isinstance(value, BaseModel):
        # What was set, as given: the schema fills in the defaults again.
        return value.model_dump(exclude_unset=True)
    if isinstance(value, Mapping):
        return {to_snake(str(k)): _plain_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_data(v) for v in value]
    return value


@dataclass(frozen=True)
class Shape:
    """The plain part of a deployment: what decides its resources."""

    entries: list[Entry]
    single_model: bool  # the `model` of older stacks is the first entry, under its old names
    ssh_public_key: str | None
    riva_version: str
    repository: RepositorySection
    triton_runtime: str
    name_prefix: str | None
    timeouts_minutes: dict[str, int]
    verify: bool
    verify_max_wer: float

    @classmethod
    def of(cls, config: StackConfig) -> Shape:
        return cls(config.entries(), config.model is not None, config.node.ssh_public_key, config.node.riva_version,
                   config.repository, config.triton.runtime, config.name_prefix,
                   {str(k): v for k, v in config.timeouts_minutes.items()},
                   config.verify, config.verify_max_wer)


# The plain part of the schema, validated on its own while other values are Outputs.
_PlainPart = create_model("PlainPart", __base__=SchemaSection, **{  # type: ignore[call-overload]
    name: (info.annotation, info) for name, info in StackConfig.model_fields.items()
    if name in ("model", "models", "repository", "name_prefix", "timeouts_minutes", "verify", "verify_max_wer")})


class Settled:
    """The deployment's validated config: known now when every value is plain, else an
    Output. `value` reads from it either way; `shape` is always plain."""

    def __init__(self, args: RivaDeploymentArgs) -> None:
        raw = args.config()
        deferred = sorted(_outputs(raw))
        wrong = [path for path in deferred if not DEFERRABLE.match(path)]
        if wrong:
            raise pulumi.RunError("\n".join(
                f"{ARGS}.{path}: must be a plain value, not an Output: it decides which resources the deployment "
                "has (docs/library.md)" for path in wrong))
        self.known: StackConfig | None = None
        self.later: pulumi.Output[StackConfig] | None = None
        if not deferred:
            self.known = _validated(raw, StackConfig)
            self.shape = Shape.of(self.known)
            return
        plain = _validated({k: v for k, v in raw.items() if k in _PlainPart.model_fields}, _PlainPart)
        node, triton = dict(raw.get("node") or {}), dict(raw.get("triton") or {})
        self.shape = Shape(
            entries=([plain.model.entry()] if plain.model else []) + list(plain.models),
            single_model=plain.model is not None, ssh_public_key=node.get("ssh_public_key"),
            riva_version=str(node.get("riva_version") or NodeSection.model_fields["riva_version"].default),
            repository=plain.repository, triton_runtime=str(triton.get("runtime") or "triton"),
            name_prefix=plain.name_prefix, timeouts_minutes={str(k): v for k, v in plain.timeouts_minutes.items()}, verify=plain.verify,
            verify_max_wer=plain.verify_max_wer)
        # Every rule of the schema, once the Outputs are known.
        self.later = pulumi.Output.from_input(raw).apply(lambda known: _validated(known, StackConfig))

    def value(self, read: Callable[[StackConfig], T]) -> pulumi.Input[T]:
        """`read` of the config: a plain value when it is known, else an Output."""
        if self.known is not None:
            return read(self.known)
        assert self.later is not None
        return self.later.apply(read)


def _validated(raw: Mapping[str, Any], schema: type[M]) -> M:
    """The schema's verdict, its errors naming the args' fields (`RivaDeploymentArgs.x.y`)."""
    try:
        return validate(dict(raw), schema)
    except ConfigError as exc:
        raise pulumi.RunError(_as_args(str(exc))) from None


def _as_args(message: str) -> str:
    """The schema's error for the stack file, with the args' field names instead of its keys."""
    lines = [f"invalid {ARGS}:"]
    for line in message.splitlines()[1:]:
        lines.append(re.sub(r"riva-tir:([A-Za-z0-9_.\[\]]+)", lambda m: f"{ARGS}.{_snake_path(m.group(1))}", line))
    return "\n".join(lines)


def _snake_path(path: str) -> str:
    return ".".join(to_snake(part) for part in path.split("."))


def _outputs(value: Any, path: str = "") -> list[str]:
    """The paths of the Inputs that are Outputs in `value`."""
    if isinstance(value, pulumi.Output):
        return [path]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in _outputs(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _outputs(v, f"{path}[{i}]")]
    return []
