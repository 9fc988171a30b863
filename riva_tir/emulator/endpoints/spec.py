"""Validation of endpoint create/patch/update bodies, separate from state changes.

`detailed_info.commands` / `args` arrive base64-encoded: the SDK encodes a Python `repr` of a
list, TF whatever string the user gives (usually a JSON array); both decode here. The container
kind (Triton, Riva API server, anything else) is inferred the way the platform would run it.
"""

from __future__ import annotations

import ast
import base64
import binascii
import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from riva_tir.emulator.assumptions import E2E_REGISTRY, INITIAL_COOLDOWN_SECONDS, RIVA_DEFAULT_PORT, RIVA_SERVICE_DEFAULT
from riva_tir.emulator.catalog.models import Catalog, PlanChoice, resolve_plan
from riva_tir.emulator.envelope import ValidationFailed
from riva_tir.emulator.scope import Scope
from riva_tir.emulator.validation import Body, as_int, as_object, optional_bool, optional_str, require_str

FRAMEWORKS = ("triton", "custom", "pytorch", "tensorrt", "vllm", "sglang", "dynamo", "finetuned")
NEEDS_MODEL = ("triton", "pytorch", "tensorrt")
RIVA_COMMANDS = ("riva_server", "start-riva")
AUTOSCALE_METRICS = ("concurrency", "requestRate", "custom", "cpu", "memory", "gpu")
DEFAULT_MOUNT_PATH = "/mnt/models"  # docs/tir.md §8.2


@dataclass(frozen=True)
class EndpointSpec:
    """Everything the endpoint model needs from a validated body."""

    name: str
    framework: str
    model_id: int | None
    path: str
    plan: PlanChoice
    replica: int
    is_auto_scale_enabled: bool
    auto_scale_policy: dict[str, Any] | None
    commands: list[str]
    args: list[str]
    runtime: str  # "triton" | "riva" | "generic"
    triton_uri: str
    image: str  # the container (runtime) image; "" for TIR's stock Triton
    private: bool  # pulled from E2E's registry with the project's access
    riva_port: int  # the container port riva_server listens on (`--riva-uri`)
    env: dict[str, str]  # the container's environment (`resource_details.env_variables`)
    mount_path: str  # where the model path is mounted in the container


def decode_command_list(value: Any, field: str) -> list[str]:
    """Base64 text of a JSON array or a Python list literal -> list of strings."""
    if value in (None, ""):
        return []
    if not isinstance(value, str):
        raise ValidationFailed(field, f"{field} must be a base64 string")
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8").strip()
    except (binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(field, f"{field} is not valid base64") from None
    if not text:
        return []
    parsed: Any
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise ValidationFailed(field, f"{field} must encode a list of strings") from None
    if not isinstance(parsed, list | tuple) or not all(isinstance(item, str) for item in parsed):
        raise ValidationFailed(field, f"{field} must encode a list of strings")
    return list(parsed)


def autoscale_policy(raw: Any) -> dict[str, Any]:
    """Normalise `auto_scale_policy` (TF's singular `min_replica`/`max_replica` accepted)."""
    policy = as_object(raw, "auto_scale_policy")
    min_raw = policy.get("min_replicas", policy.get("min_replica"))
    max_raw = policy.get("max_replicas", policy.get("max_replica"))
    if min_raw is None:
        raise ValidationFailed("min_replicas", "min_replicas is mandatory")
    if max_raw is None:
        raise ValidationFailed("max_replicas", "max_replicas is mandatory")
    min_replicas, max_replicas = as_int(min_raw, "min_replicas"), as_int(max_raw, "max_replicas")
    if min_replicas < 0:
        raise ValidationFailed("min_replicas", "min_replicas must be >= 0")
    if max_replicas < 1 or max_replicas < min_replicas:
        raise ValidationFailed("max_replicas", "max_replicas must be >= 1 and >= min_replicas")
    rules = policy.get("rules") or []
    if not isinstance(rules, list):
        raise ValidationFailed("rules", "rules must be a list")
    for rule in rules:
        if not isinstance(rule, dict) or rule.get("metric") not in AUTOSCALE_METRICS:
            raise ValidationFailed("rules", f"rule metric must be one of {', '.join(AUTOSCALE_METRICS)}")
    return {
        **{k: v for k, v in policy.items() if k not in ("min_replica", "max_replica")},
        "min_replicas": min_replicas, "max_replicas": max_replicas, "rules": rules,
        # Responses return stability_period as a string (docs/tir.md §8.6).
        "stability_period": str(policy.get("stability_period", "300")),
        "initial_cooldown_period": str(policy.get("initial_cooldown_period", INITIAL_COOLDOWN_SECONDS)),
    }


def _container(body: Body) -> dict[str, Any]:
    details = as_object(body.get("custom_endpoint_details"), "custom_endpoint_details")
    return as_object(details.get("container"), "container")


def _words(tokens: list[str]) -> list[str]:
    """Split `bash -c "..."` style entries into shell words."""
    words: list[str] = []
    for token in tokens:
        try:
            words.extend(shlex.split(token))
        except ValueError:
            words.extend(token.split())
    return words


def _flag(tokens: list[str], name: str) -> str:
    """The value of `--name=value` or `--name value` among shell words ("" if absent)."""
    tokens = _words(tokens)
    for i, token in enumerate(tokens):
        if token.startswith(f"{name}="):
            return token.split("=", 1)[1]
        if token == name and i + 1 < len(tokens):
            return tokens[i + 1]
    return ""


def _riva_port(tokens: list[str]) -> int:
    port = _flag(tokens, "--riva-uri").rpartition(":")[2]
    return int(port) if port.isdigit() else RIVA_DEFAULT_PORT


RIVA_SERVICE_FLAGS = ("asr", "nlp", "tts")


def riva_services(tokens: list[str]) -> frozenset[str]:
    """The services riva_server's `--<name>_service=true|false` flags turn on; ValueError (the
    server exits at start) for another value."""
    on = set()
    for name in RIVA_SERVICE_FLAGS:
        value = _flag(tokens, f"--{name}_service").lower()
        if value not in ("", "true", "false", "1", "0"):
            raise ValueError(f"riva_server: illegal value '{value}' specified for bool flag '{name}_service'")
        if value in ("true", "1") or (not value and RIVA_SERVICE_DEFAULT):
            on.add(name)
    return frozenset(on)


def _runtime(framework: str, model_id: int | None, tokens: list[str]) -> str:
    joined = " ".join(tokens)
    if framework == "triton" or (framework == "custom" and model_id is not None and "tritonserver" in joined):
        return "triton"
    if framework == "custom" and any(cmd in joined for cmd in RIVA_COMMANDS):
        return "riva"
    return "generic"


def _check_registry(container: dict[str, Any]) -> None:
    """A private image lives in a namespace of E2E's registry (docs/tir.md §8.2)."""
    if container.get("container_type", "public") not in ("public", "private"):
        raise ValidationFailed("container_type", "allowed values are public, private")
    if container.get("container_type") != "private":
        return
    details = as_object(container.get("private_image_details"), "private_image_details")
    if not isinstance(details.get("registry_namespace_id"), int):
        raise ValidationFailed("registry_namespace_id", "registry_namespace_id is mandatory for a private image")
    if not str(container.get("container_name", "")).startswith(E2E_REGISTRY):
        raise ValidationFailed("container_name", f"a private image must be in {E2E_REGISTRY}<namespace>/")


def _resources(body: Body) -> tuple[dict[str, str], str]:
    """The container's environment and mount path (`resource_details`, docs/tir.md §8.2:
    env items are `{key, value, required, disabled}`)."""
    details = as_object(body.get("custom_endpoint_details"), "custom_endpoint_details")
    resources = as_object(details.get("resource_details"), "resource_details")
    items = resources.get("env_variables") or []
    if not isinstance(items, list):
        raise ValidationFailed("env_variables", "env_variables must be a list")
    env: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not item["key"]:
            raise ValidationFailed("env_variables", "each env variable needs a key")
        value = item.get("value", "")
        if not isinstance(value, str):
            raise ValidationFailed("env_variables", f"the value of {item['key']} must be a string")
        env[item["key"]] = value
    mount = resources.get("mount_path") or DEFAULT_MOUNT_PATH
    return env, mount if isinstance(mount, str) else DEFAULT_MOUNT_PATH


ModelExists = Callable[[Scope, int], bool]


def stored_model(scope: Scope, model_id: int) -> bool:
    """For re-reading a stored body: its repository was checked when it was accepted."""
    return True


def parse(body: Body, scope: Scope, catalog: Catalog, model_exists: ModelExists) -> EndpointSpec:
    """Validate a full endpoint body; every failure is a 400 naming the field."""
    name = require_str(body, "name")
    framework = str(body.get("framework") or "")
    if framework not in FRAMEWORKS:
        raise ValidationFailed("framework", "framework is mandatory; allowed values are " + ", ".join(FRAMEWORKS))
    model_id = None if body.get("model_id") in (None, "") else as_int(body["model_id"], "model_id")
    if framework in NEEDS_MODEL and model_id is None:
        raise ValidationFailed("model_id", f"model_id is mandatory for {framework}")
    if model_id is not None and not model_exists(scope, model_id):
        raise ValidationFailed("model_id", f"model repository {model_id} does not exist")
    if framework == "custom":
        container_name = _container(body).get("container_name")
        if not isinstance(container_name, str) or not container_name.strip():
            raise ValidationFailed("container_name", "container_name is mandatory for a custom endpoint")
    if body.get("custom_endpoint_details"):
        _check_registry(_container(body))
    plan = resolve_plan(catalog, body, "sku_id")
    replica = as_int(body.get("replica", 1), "replica")
    if replica < 0:
        raise ValidationFailed("replica", "replica must be >= 0")
    auto = optional_bool(body, "is_auto_scale_enabled", False)
    policy = autoscale_policy(body.get("auto_scale_policy")) if auto else None
    info = as_object(body.get("detailed_info"), "detailed_info")
    commands = decode_command_list(info.get("commands"), "commands")
    args = decode_command_list(info.get("args"), "args")
    runtime = _runtime(framework, model_id, commands + args)
    triton_uri = _flag(commands + args, "--triton_uri") if runtime == "riva" else ""
    container = _container(body) if body.get("custom_endpoint_details") else {}
    image = container.get("container_name")
    env, mount_path = _resources(body)
    return EndpointSpec(name, framework, model_id, optional_str(body, "path"), plan, replica, auto, policy,
                        commands, args, runtime, triton_uri, image if isinstance(image, str) else "",
                        container.get("container_type") == "private", _riva_port(commands + args),
                        env, mount_path)


def replicas_from(body: Body) -> int:
    """`disable_auto_scale` carries the fixed worker count as `replicas` (or `replica`)."""
    raw = body.get("replicas", body.get("replica"))
    if raw is None:
        raise ValidationFailed("replicas", "replicas is mandatory")
    replicas = as_int(raw, "replicas")
    if replicas < 0:
        raise ValidationFailed("replicas", "replicas must be >= 0")
    return replicas

