"""The stack config schema: one pydantic model for everything under `riva-tir:` in
stacks/Pulumi.<stack>.yaml, so a bad or missing value fails `pulumi preview` with the key
name and the fix, before any resource is registered.

Secrets are separate keys set with `pulumi config set --secret` and are only ever read as
secret Outputs (see `read_secrets`).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit
from typing import Any, Literal, TypeVar

import pulumi
from pydantic import (BaseModel, ConfigDict, Field, PositiveInt, ValidationError, ValidationInfo, field_validator,
                      model_validator)
from pydantic.alias_generators import to_camel

from riva_tir import NAMESPACE
from riva_tir.pipeline import PipelineSpec
from riva_tir.schema import NumbersAreNotBooleans, Section, project_path
from riva_tir import speech_models
from riva_tir.speech_models import AsrModel, Entry, ModelSource, SpeechModel
from riva_tir.tir.config import TirConnection


def cache_dir() -> Path:
    """riva-tir's own cache: `RIVA_TIR_CACHE`, else the user's cache directory (as the
    engine build's, engine/build.sh)."""
    if os.environ.get("RIVA_TIR_CACHE"):
        return Path(os.environ["RIVA_TIR_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "riva-tir"


class TirSection(TirConnection, NumbersAreNotBooleans):
    """Where the TIR API is (real TIR, or the embedded emulator of the local stack): the
    client's own connection settings (riva_tir/tir/config.py), spelled in camelCase."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)

    @model_validator(mode="after")
    def _location_reachable(self) -> TirSection:
        self.data_plane  # noqa: B018 - raises, naming the setting, when the location has none
        return self


COMMITTED_DAYS = ("a committed term of the plan in days, one TIR's catalog offers for it (e.g. 30), paid up "
                  "front for the term (docs/cost.md); 0: by the hour")


def _committed_rule(days: int, state: str, section: str) -> None:
    """TIR refuses to stop a node or endpoint during its term (docs/cost.md §2.3)."""
    if days and state == "stopped":
        raise ValueError(f"committedDays {days} with state stopped: TIR cannot stop a {section} during a "
                         "committed term; set state running, or committedDays 0 (by the hour)")


class NodeSection(Section):
    """The GPU node that converts models. Its image is TIR's Riva image for `rivaVersion`,
    or one of E2E's container registry (`image` with `registryNamespaceId`)."""

    plan: str = Field(min_length=1, description="GPU plan short code, e.g. GPU-A100-16-115GB-1")
    image: str | None = Field(default=None, pattern=r"^registry\.e2enetworks\.net/[a-zA-Z0-9._/:@-]+$",
                              description="a riva-speech image in E2E's container registry")
    registry_namespace_id: PositiveInt | None = None
    riva_version: str = Field(default="2.19.0", pattern=r"^\d+\.\d+\.\d+$")
    disk_size_gb: int = Field(default=100, ge=30, le=5000)
    state: Literal["running", "stopped"] = "running"
    committed_days: int = Field(default=0, ge=0, description=COMMITTED_DAYS)
    ssh_public_key: str | None = Field(default=None, pattern=r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-\S+) \S+")
    trusted_host_key: str | None = Field(
        default=None, pattern=r"^SHA256:[A-Za-z0-9+/]{43}$",
        description="fingerprint of the node's SSH host key, checked by you on the node: set it "
                    "to accept a new key after a legitimate rebuild (the error shows the value)")
    ssh_user: str | None = Field(
        default=None, pattern=r"^[a-z_][a-z0-9_-]{0,31}$",
        description="SSH login user, when the node record names none or another (docs/unknowns.md; "
                    "scripts/doctor finds it)")

    @model_validator(mode="after")
    def _committed_runs(self) -> NodeSection:
        _committed_rule(self.committed_days, self.state, "node")
        return self

    @model_validator(mode="after")
    def _registry_image(self) -> NodeSection:
        if (self.image is None) != (self.registry_namespace_id is None):
            raise ValueError("a registry image needs both image (registry.e2enetworks.net/<namespace>/...) and "
                             "registryNamespaceId; leave both out for TIR's Riva image")
        return self

    @field_validator("ssh_public_key")
    @classmethod
    def _public_key(cls, value: str | None) -> str | None:
        if value is not None:
            import asyncssh

            try:
                asyncssh.import_public_key(value)
            except (asyncssh.KeyImportError, ValueError):
                raise ValueError("is not an OpenSSH public key: give the one line of your key's .pub file "
                                 "(e.g. ssh-ed25519 AAAA... you@host)") from None
        return value


class ModelSection(ModelSource):
    """The one ASR model of a stack before `models:` (it reads as the list's first entry,
    under the resource names it had): exactly one of a local file, an HTTPS URL or an NGC
    reference, and its pipeline."""

    pipeline: PipelineSpec = PipelineSpec()

    def entry(self) -> AsrModel:
        spec = self.pipeline
        return AsrModel(kind="asr", file=self.file, url=self.url, ngc=self.ngc, language=spec.language_code,
                        mode=spec.mode, model=spec.model, decoder=spec.decoder, lm_binary=spec.lm_binary,
                        vocab=spec.vocab, extra_flags=spec.extra_flags)


class RepositorySection(Section):
    storage_type: Literal["managed", "e2e_s3", "external"] = "managed"
    bucket_name: str = ""
    access_key: str | None = None
    prefix: str = Field(default="riva-models", pattern=r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$",
                        description="folder of the bucket the models are published under")

    @field_validator("prefix")
    @classmethod
    def _no_parent(cls, value: str) -> str:
        if any(part in (".", "..") for part in value.split("/")):
            raise ValueError(f"{value!r} has a '.' or '..' folder: give a plain path inside the bucket, "
                             "e.g. riva-models")
        return value


class Autoscaling(Section):
    min_replicas: int = Field(ge=0)
    max_replicas: int = Field(ge=1)
    metric: Literal["concurrency", "requestRate", "cpu"] = "concurrency"
    target: int = Field(default=10, gt=0)

    @model_validator(mode="after")
    def _bounds(self) -> Autoscaling:
        if self.max_replicas < self.min_replicas:
            raise ValueError(f"maxReplicas ({self.max_replicas}) must be >= minReplicas ({self.min_replicas})")
        return self


# TIR's own Triton images (docs/tir.md §8.4) lack Riva's Triton backends (docs/riva.md §6).
STOCK_TRITON_IMAGE = re.compile(r"(^|/)aimle2e/tritonserver(:|$)")
# E2E's container registry (docs/tir.md §8.2).
E2E_REGISTRY = "registry.e2enetworks.net/"


class ImageChoice(Section):
    """Which image a node or endpoint runs, and where TIR pulls it from: a public image
    (anonymously), or a private one from a namespace of E2E's container registry."""

    image: str | None = Field(default=None, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._/:@-]*$",
                              description="container image; default: riva-speech:<rivaVersion>")
    registry_namespace_id: PositiveInt | None = Field(
        default=None, description="the E2E container registry namespace holding `image` (a private image)")

    @model_validator(mode="after")
    def _registry_needs_image(self) -> ImageChoice:
        if self.registry_namespace_id is not None and not self.image:
            raise ValueError("registryNamespaceId is set but image is not: give the image you pushed into "
                             f"that namespace, e.g. {E2E_REGISTRY}<namespace>/riva-speech:2.19.0")
        return self

    def pull_warning(self, section: str) -> str | None:
        """Why TIR may fail to pull this image, if it looks like it would."""
        image = self.image or "nvcr.io/nvidia/riva/riva-speech"
        if self.registry_namespace_id is None and image.startswith("nvcr.io/"):
            return (f"{NAMESPACE}:{section}.image: {image} is pulled as a public image, but nvcr.io wants NGC "
                    "credentials for riva-speech: copy it into E2E's container registry and set "
                    f"{section}.image and {section}.registryNamespaceId (README \"Real TIR\", images)")
        return None


# ASSUMPTION (docs/tir.md §8): the largest fixed size TIR takes, as the official SDK checks it.
MAX_FIXED_REPLICAS = 5


class EndpointSection(ImageChoice):
    plan: str = Field(min_length=1)
    replicas: int = Field(default=1, ge=0)
    autoscaling: Autoscaling | None = None
    disk_size_gb: int = Field(default=50, ge=30, le=1000)
    state: Literal["running", "stopped"] = "running"
    committed_days: int = Field(default=0, ge=0, description=COMMITTED_DAYS)

    @field_validator("replicas")
    @classmethod
    def _replica_range(cls, value: int) -> int:
        """TIR sizes an endpoint by hand to 1-5 replicas (ASSUMPTION: the official SDK's check,
        docs/tir.md §8); 0 would serve nothing while billed as configured."""
        if value == 0:
            raise ValueError("0 replicas serve nothing: to stop the endpoint set state: stopped; to scale to zero "
                             "when idle use autoscaling with minReplicas: 0")
        if value > MAX_FIXED_REPLICAS:
            raise ValueError(f"TIR sizes an endpoint by hand to at most {MAX_FIXED_REPLICAS} replicas: for more use "
                             f"autoscaling (minReplicas..maxReplicas)")
        return value

    @model_validator(mode="after")
    def _one_size(self) -> EndpointSection:
        if self.autoscaling is not None and "replicas" in self.model_fields_set:
            raise ValueError("give replicas (a fixed size) or autoscaling (minReplicas..maxReplicas), not both")
        return self

    @model_validator(mode="after")
    def _committed_size(self) -> EndpointSection:
        """A term covers a fixed number of running replicas (ASSUMPTION, docs/cost.md §2.3)."""
        _committed_rule(self.committed_days, self.state, "endpoint")
        if self.committed_days and self.autoscaling is not None:
            raise ValueError(f"committedDays {self.committed_days} needs a fixed size (replicas): "
                             "how TIR bills autoscaled replicas beyond a term is unknown; use replicas, or "
                             "committedDays 0 with autoscaling")
        return self


class TritonSection(EndpointSection):
    # How the Triton endpoint is created (docs/tir.md §8.4): "triton" is TIR's Triton framework
    # with the riva-speech image as its server runtime, as the working guide did;
    # "custom-container" runs tritonserver from that image as a custom container.
    runtime: Literal["triton", "custom-container"] = "triton"

    @field_validator("image")
    @classmethod
    def _riva_backends(cls, value: str | None) -> str | None:
        if value and STOCK_TRITON_IMAGE.search(value):
            raise ValueError(f"{value} is one of TIR's stock Triton images, which lack Riva's Triton backends "
                             "(riva_asr_decoder, riva_asr_endpointing, riva_nlp_detokenizer): a riva-deploy model "
                             "repository cannot load on it. Use the riva-speech image (or your registry's copy)")
        return value


class RivaApiSection(EndpointSection):
    # ASSUMPTION (docs/unknowns.md): the container port TIR's gRPC ingress forwards to for a
    # custom container with its "HTTP Port" box ticked; riva_server listens there.
    grpc_port: int = Field(default=8080, ge=1, le=65535,
                           description="container port riva_server listens on, the one TIR's gRPC ingress "
                                       "forwards to (scripts/doctor checks it)")


class RetrySection(Section):
    """How patient the TIR client is; defaults in riva_tir/tir/config.py. Never changes a resource."""

    max_retries: int = Field(default=4, ge=0, le=20, description="transient API errors, per call")
    capacity_retries: int = Field(default=5, ge=0, le=50,
                                  description="'SKU Inventory temporarily unavailable' on create or start")
    capacity_backoff_seconds: float = Field(default=15.0, ge=0, le=600, description="first capacity wait; doubles")


class StackConfig(Section):
    # TIR names (docs/tir.md §9) are at most 50 characters of single-hyphen lowercase words;
    # riva-tir adds the deployment's suffix ("-" and 5) and at most "-repo-xxxx" (10).
    name_prefix: str | None = Field(default=None, max_length=34,
                                    pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
                                    description="prefix of every TIR resource name; default rt-<stack>")
    tir: TirSection
    node: NodeSection
    model: ModelSection | None = Field(default=None, description="one ASR model (read as the first of `models`)")
    models: list[SpeechModel] = Field(default_factory=list, description="the speech models: ASR, punctuation, TTS")
    repository: RepositorySection = RepositorySection()
    triton: TritonSection
    riva_api: RivaApiSection
    timeouts_minutes: dict[Literal["node", "endpoint", "conversion"], PositiveInt] = Field(default_factory=dict)
    retries: RetrySection | None = None
    verify: bool = Field(default=False, description="post-deploy verification as the stack's last step")
    verify_max_wer: float = Field(default=0.25, ge=0, le=1, description="word error rate the verification allows "
                                                                        "on its audio (riva_tir/audio/)")

    @model_validator(mode="after")
    def _gpus(self) -> StackConfig:
        """riva-build/riva-deploy and Triton need a GPU, and riva-deploy builds TensorRT
        engines for the GPU it runs on, so the node and Triton must share a GPU type
        (docs/riva.md §1)."""
        for key, plan in (("node.plan", self.node.plan), ("triton.plan", self.triton.plan)):
            if _without_gpu(plan):
                raise ValueError(f"{NAMESPACE}:{key} {plan!r} has no GPU: riva-deploy and Triton need one; "
                                 "use a GPU plan, e.g. GPU-L4-8-48GB-1")
        # Codes that do not parse are left to TIR's catalog check, which lists the real ones.
        node, triton = speech_models.gpu_of(self.node.plan), speech_models.gpu_of(self.triton.plan)
        if node and triton and node != triton:
            raise ValueError(f"{NAMESPACE}:node.plan ({self.node.plan}) and {NAMESPACE}:triton.plan "
                             f"({self.triton.plan}) have different GPUs ({node} vs {triton}): riva-deploy builds "
                             "engines for the node's GPU, so Triton must run on the same GPU type")
        return self

    @model_validator(mode="after")
    def _models(self) -> StackConfig:
        entries = self.entries()
        if not entries:
            raise ValueError(f"{NAMESPACE}:model: missing: give the ASR model with `pulumi config set --path "
                             f"{NAMESPACE}:model.file <path>`, or the list {NAMESPACE}:models")
        twice = speech_models.duplicates(entries)
        if twice:
            raise ValueError(f"{NAMESPACE}:models: {', '.join(twice)} given twice: riva-deploy would overwrite one "
                             "with the other; give each ASR pipeline its own language, mode or model, each voice "
                             "its own name, each punctuation model its own language")
        plan = speech_models.memory_plan(entries, self.triton.plan)
        if plan["gpu_memory_gb"] is not None and plan["total_gb"] > plan["gpu_memory_gb"]:
            listed = ", ".join(f"{m['name']} {m['gpu_memory_gb']:g} GB" for m in plan["models"])
            raise ValueError(f"{NAMESPACE}:models need {plan['total_gb']:g} GB of GPU memory ({listed}) but "
                             f"{NAMESPACE}:triton.plan {self.triton.plan!r} has {plan['gpu_memory_gb']:g} GB on its "
                             f"{plan['gpu']}: choose a plan with a larger GPU, or deploy fewer models "
                             "(docs/speech-services.md, GPU memory)")
        return self

    @model_validator(mode="after")
    def _stopped_together(self) -> StackConfig:
        """riva_server needs Triton: while Triton is stopped a running Riva API endpoint never
        turns ready, and TIR changes an endpoint only when it is running or stopped
        (docs/tir.md §8.7), so the Riva API could then not be changed either."""
        if self.triton.state == "stopped" and self.riva_api.state != "stopped":
            raise ValueError(f"{NAMESPACE}:triton.state stopped with {NAMESPACE}:rivaApi.state running: the Riva API "
                             "cannot serve without Triton, and TIR cannot change it while it waits for Triton; "
                             f"set {NAMESPACE}:rivaApi.state stopped too (or {NAMESPACE}:triton.state running)")
        return self

    @model_validator(mode="after")
    def _verifiable(self) -> StackConfig:
        """The verification recognizes speech through both endpoints: a stopped one answers
        nothing, so every `up` would fail at its last step."""
        stopped = [key for key, state in (("triton.state", self.triton.state), ("rivaApi.state", self.riva_api.state))
                   if state == "stopped"]
        if self.verify and stopped:
            raise ValueError(f"{NAMESPACE}:verify true with {' and '.join(f'{NAMESPACE}:{k}' for k in stopped)} "
                             "stopped: a stopped endpoint answers nothing to verify; set verify false while it is "
                             "stopped, or its state running")
        return self

    def entries(self) -> list[Entry]:
        """Every speech model: the single `model` first (it keeps its resource names), then `models`."""
        return ([self.model.entry()] if self.model else []) + list(self.models)

    def warnings(self) -> list[str]:
        """What is allowed but likely wrong, shown by every preview."""
        found = [w for w in (self.triton.pull_warning("triton"), self.riva_api.pull_warning("rivaApi")) if w]
        if speech_models.gpu_of(self.riva_api.plan):
            found.append(f"{NAMESPACE}:rivaApi.plan {self.riva_api.plan!r} has a GPU that riva_server does not use "
                         "(Triton does the inference): a CPU plan, e.g. CPU-C3-4-8GB-0, costs less")
        gpu = speech_models.gpu_of(self.triton.plan)
        if gpu and gpu not in speech_models.GPU_MEMORY_GB:
            found.append(f"{NAMESPACE}:triton.plan {self.triton.plan!r}: riva-tir does not know the memory of its "
                         f"GPU ({gpu}), so the models' GPU memory is not checked")
        found += [f"{NAMESPACE}:models: ASR in {language} has no punctuation model: automatic punctuation does "
                  f"nothing for it; add {{kind: punctuation, language: {language}, ...}}"
                  for language in speech_models.unpunctuated_languages(self.entries())]
        return found


def _without_gpu(plan: str) -> bool:
    """A CPU plan (`CPU-…`) or one whose GPU count is 0."""
    parts = plan.split("-")
    return parts[0] == "CPU" or (len(parts) >= 5 and parts[-1] == "0")


SECRET_KEYS = {
    "tirApiKey": "TIR API key (required)",
    "tirAuthToken": "TIR auth token (required)",
    "sshPrivateKey": "private key of node.sshPublicKey (required when that is set)",
    "modelKey": "Riva model encryption key (default tlt_encode)",
    "ngcApiKey": "NGC API key (required for model.ngc)",
    "repositorySecretKey": "bucket secret key (required for repository.storageType external)",
}


class ConfigError(Exception):
    """Stack config problems, each naming the key and the fix."""


def load(config: pulumi.Config | None = None) -> StackConfig:
    """Read and validate every non-secret key of the stack."""
    config = config or pulumi.Config(NAMESPACE)
    raw: dict[str, Any] = {}
    for key in StackConfig.model_fields:
        camel = to_camel(key)
        value = config.get(camel)
        if value is not None:
            raw[camel] = _parse(value)
    known = {to_camel(k) for k in StackConfig.model_fields} | set(SECRET_KEYS)
    unknown = sorted(k.split(":", 1)[1] for k in pulumi.runtime.config.CONFIG.get()
                     if k.startswith(f"{NAMESPACE}:") and k.split(":", 1)[1] not in known)
    stack = validate(raw, StackConfig)
    problems = [f"  {NAMESPACE}:{k}: unknown key: remove it or check its spelling "
                f"(known: {', '.join(sorted(known))})" for k in unknown]
    problems += [f"  {key}: its namespace is not {NAMESPACE}: rename it to {NAMESPACE}:{key.split(':', 1)[1]} "
                 "(riva-tir reads only that namespace)" for key in _misspelled_namespace()]
    problems += _secret_problems(stack)
    for key, index, source in _sources(stack):
        if source.url_has_credentials() and not pulumi.runtime.is_config_secret(f"{NAMESPACE}:{key}"):
            # Plain config is stored and handed to providers in plaintext.
            where = key if index is None else f"{key}[{index}]"
            problems.append(f"  {NAMESPACE}:{where}.url: it carries a password (user:password@): store it as a "
                            f"secret with `pulumi config set --secret --path {NAMESPACE}:{where}.url <url>`")
    if problems:
        raise ConfigError("\n".join(problems))
    return stack


M = TypeVar("M", bound=BaseModel)


def validate(raw: dict[str, Any], schema: type[M]) -> M:
    """The schema's verdict on config values keyed as in the stack file, explained per key."""
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_explain(exc)) from None


def _misspelled_namespace() -> list[str]:
    """Config keys whose namespace looks like a misspelling of ours (`rivatir:`, `Riva_Tir:`)."""
    def folded(name: str) -> str:
        return "".join(c for c in name.lower() if c.isalnum())
    return sorted(k for k in pulumi.runtime.config.CONFIG.get() if ":" in k
                  and k.split(":", 1)[0] != NAMESPACE and folded(k.split(":", 1)[0]) == folded(NAMESPACE))


def _parse(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _explain(exc: ValidationError) -> str:
    lines = ["invalid stack config (stacks/Pulumi.<stack>.yaml):"]
    for err in exc.errors(include_input=False, include_url=False):
        key = _config_key(err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "missing: set it with `pulumi config set --path " + f"{NAMESPACE}:{key} <value>`"
        elif err["type"] == "extra_forbidden":
            message = "unknown key: remove it or check its spelling"
        # A rule across sections names its keys itself.
        lines.append(f"  {NAMESPACE}:{key}: {message}" if key else f"  {message}")
    return "\n".join(lines)


def _config_key(loc: tuple[int | str, ...]) -> str:
    """An error location as the stack config spells it: each field by its alias (some
    errors, such as those of defaults, are reported under the Python name)."""
    parts: list[str] = []
    model: Any = StackConfig
    for part in loc:
        if isinstance(part, str) and part in speech_models.KINDS and parts and parts[-1].isdigit():
            # A `models` entry's kind (the union's tag) is no key of the stack file.
            model = speech_models.KINDS[part]
            continue
        field = model.model_fields.get(part) if isinstance(part, str) and isinstance(model, type) \
            and issubclass(model, BaseModel) else None
        parts.append(field.alias or str(part) if field is not None else str(part))
        if isinstance(part, int):
            continue
        model = field.annotation if field is not None else None
        if model is not None and not (isinstance(model, type) and issubclass(model, BaseModel)):
            # Optional sections (`X | None`): descend into the model they hold.
            model = next((a for a in getattr(model, "__args__", ()) if isinstance(a, type)
                          and issubclass(a, BaseModel)), None)
    return ".".join(parts)


def _sources(stack: StackConfig) -> list[tuple[str, int | None, Any]]:
    """Every model file source of the stack, with the config key and list index it is under."""
    found: list[tuple[str, int | None, Any]] = [("model", None, stack.model)] if stack.model else []
    for index, entry in enumerate(stack.models):
        found += [("models", index, source) for source in entry.sources().values()]
    return found


def has_secret(key: str) -> bool:
    return pulumi.runtime.get_config(f"{NAMESPACE}:{key}") is not None


def _secret_problems(stack: StackConfig) -> list[str]:
    needed = ["tirApiKey", "tirAuthToken"]
    if stack.node.ssh_public_key:
        needed.append("sshPrivateKey")
    if any(getattr(source, "ngc", None) for _, _, source in _sources(stack)):
        needed.append("ngcApiKey")
    if stack.repository.storage_type == "external":
        needed.append("repositorySecretKey")
    missing = [f"  {NAMESPACE}:{key}: missing: {SECRET_KEYS[key]}; set it with "
               f"`pulumi config set --secret {NAMESPACE}:{key} <value>`" for key in needed if not has_secret(key)]
    # A secret set without --secret sits in plaintext in the stack file (and its history).
    plaintext = [f"  {NAMESPACE}:{key}: set in plaintext: it is a secret; set it again with "
                 f"`pulumi config set --secret {NAMESPACE}:{key} <value>` (and rotate it: the stack file "
                 "held it in the clear)" for key in SECRET_KEYS if has_secret(key)
                 and not pulumi.runtime.is_config_secret(f"{NAMESPACE}:{key}")]
    return missing + plaintext


def required_secret(key: str) -> pulumi.Output[str]:
    """A secret the stack must have (`load` names it when missing), as a secret Output."""
    return pulumi.Config(NAMESPACE).require_secret(key)


def secret(key: str, default: str | None = None) -> pulumi.Output[str] | None:
    """A secret config value as a secret Output (never as a plain string)."""
    value = pulumi.Config(NAMESPACE).get_secret(key)
    if value is None and default is not None:
        return pulumi.Output.secret(default)
    return value
