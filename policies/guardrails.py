"""The guardrail rules as plain functions of a resource's type, inputs and stack limits.

Each rule returns the violation messages for one resource (empty: compliant). They know
riva-tir's resource types and input names (riva_tir/providers/*, riva_tir/conversion.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

NODE = "pulumi-python:dynamic/tir:TirNode"
TRITON = "pulumi-python:dynamic/tir:TritonEndpoint"
RIVA_API = "pulumi-python:dynamic/tir:RivaApiEndpoint"
SCALE = "pulumi-python:dynamic/tir:EndpointScale"
COST = "pulumi-python:dynamic/tir:StackCost"
DEPLOYMENT = "riva-tir:riva:RivaDeployment"
SYMBOLS = {"INR": "₹", "USD": "$"}
ENDPOINTS = (TRITON, RIVA_API)
# Input names (at any depth, compared without `_`/`-` and case) that carry secrets.
SECRET_NAME = re.compile(r"(apikey|authtoken|token|password|privatekey|secretkey|modelkey|credentials)$")
VERSION = re.compile(r"^v?\d+(\.\d+)*([.-][0-9A-Za-z.-]+)?$")
LIMITS_FILE = Path(__file__).with_name("limits.yaml")


@dataclass(frozen=True)
class Limits:
    """One stack's limits (limits.yaml)."""

    gpu_plans: frozenset[str]
    max_replicas: int
    riva_api_min_replicas: int
    max_monthly_cost: float
    currency: str


def load_limits(stack: str, path: Path = LIMITS_FILE) -> Limits:
    """The stack's entry over `default`."""
    data = yaml.safe_load(path.read_text()) or {}
    merged = {**data.get("default", {}), **(data.get(stack) or {})}
    return Limits(gpu_plans=frozenset(merged.get("gpuPlans", [])), max_replicas=int(merged["maxReplicas"]),
                  riva_api_min_replicas=int(merged["rivaApiMinReplicas"]),
                  max_monthly_cost=float(merged["maxMonthlyCost"]), currency=str(merged["currency"]))


def stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::<type>::<name>` -> `<stack>`."""
    return urn.split("::", 1)[0].split(":", 2)[2]


def gpu_plan_allowed(kind: str, props: Mapping[str, Any], limits: Limits) -> list[str]:
    if kind not in (NODE, *ENDPOINTS):
        return []
    plan = str(props.get("plan") or "")
    if not plan.upper().startswith("GPU-") or plan in limits.gpu_plans:
        return []
    return [f"GPU plan {plan!r} is not allowed for this stack; allowed: {', '.join(sorted(limits.gpu_plans))} "
            "(policies/limits.yaml)"]


def gpu_memory(kind: str, props: Mapping[str, Any], _limits: Limits) -> list[str]:
    """The deployment's models fit one GPU of Triton's plan: the figures riva-tir recorded
    (riva_tir/speech_models.py `memory_plan`; an unknown GPU is not checked)."""
    plan = props.get("gpu_memory") if kind == DEPLOYMENT else None
    if not isinstance(plan, Mapping) or not all(isinstance(plan.get(k), int | float)
                                                for k in ("gpu_memory_gb", "total_gb")):
        return []  # not recorded, unknown at this preview, or a GPU riva-tir has no figure for
    if float(plan["total_gb"]) <= float(plan["gpu_memory_gb"]):
        return []
    listed = ", ".join(f"{m['name']} {m['gpu_memory_gb']:g} GB" for m in plan.get("models") or [])
    return [f"the models need {float(plan['total_gb']):g} GB of GPU memory ({listed}) but Triton's plan "
            f"{plan['plan']!r} has {float(plan['gpu_memory_gb']):g} GB on its {plan['gpu']}: choose a larger GPU "
            "or fewer models"]


def riva_api_min_replicas(kind: str, props: Mapping[str, Any], limits: Limits) -> list[str]:
    if kind != RIVA_API:
        return []
    least = _least_replicas(props)
    if least >= limits.riva_api_min_replicas:
        return []
    return [f"the Riva API endpoint runs at least {least} replica(s); this stack needs at least "
            f"{limits.riva_api_min_replicas} (set rivaApi.replicas or rivaApi.autoscaling.minReplicas)"]


def autoscaling_bounds(kind: str, props: Mapping[str, Any], limits: Limits) -> list[str]:
    if kind not in (*ENDPOINTS, SCALE):
        return []
    scale = props.get("autoscaling")
    budget = limits.max_replicas
    if not scale:
        replicas = int(props.get("replicas") or 0)
        return [] if replicas <= budget else [f"replicas {replicas} exceed the stack's budget of {budget}"]
    low, high = scale.get("min_replicas"), scale.get("max_replicas")
    if low is None or high is None:
        return ["autoscaling needs both minReplicas and maxReplicas"]
    problems = []
    if int(low) < 1:
        problems.append(f"autoscaling minReplicas {low} must be at least 1")
    if int(high) < int(low):
        problems.append(f"autoscaling maxReplicas {high} is below minReplicas {low}")
    if int(high) > budget:
        problems.append(f"autoscaling maxReplicas {high} exceeds the stack's budget of {budget}")
    return problems


def monthly_budget(kind: str, props: Mapping[str, Any], limits: Limits, stack: str) -> list[str]:
    """The stack's monthly estimate at its autoscaling maximum (the StackCost resource's
    `totals`, riva_tir/providers/cost.py) within the stack's budget."""
    totals = props.get("totals") if kind == COST else None
    if not totals:
        return []
    currency, budget = str(totals["currency"]), limits.max_monthly_cost
    if totals.get("unpriced"):
        return [f"stack {stack}: no price for {', '.join(totals['unpriced'])}: the estimate cannot be held "
                f"to the budget of {_money(budget, limits.currency)} (policies/limits.yaml maxMonthlyCost)"]
    if currency != limits.currency:
        return [f"stack {stack}: the estimate is in {currency}, the budget in {limits.currency}: set "
                f"currency: {currency} and maxMonthlyCost for it in policies/limits.yaml"]
    figure = float(totals["max"])
    if figure <= budget:
        return []
    return [f"stack {stack}: the monthly estimate at the autoscaling maximum, {_money(figure, currency)}, exceeds "
            f"the stack's budget of {_money(budget, currency)} (policies/limits.yaml maxMonthlyCost); lower "
            "plans, replicas or autoscaling maxReplicas, or raise the budget"]


def _money(amount: float, currency: str) -> str:
    return f"{SYMBOLS.get(currency, currency + ' ')}{round(amount):,}"


def images_pinned(kind: str, props: Mapping[str, Any], _limits: Limits) -> list[str]:
    if kind == NODE and not props.get("registry_image"):
        version = str(props.get("image_version") or "")
        return [] if VERSION.match(version) else [f"node Riva image version {version!r} is not a pinned version"]
    if kind == NODE:
        image = str(props["registry_image"])
    elif kind in ENDPOINTS:
        outer = props.get("container") or {}
        image = str((outer.get("container") or {}).get("container_name") or "")
    else:
        return []
    if not image or "@sha256:" in image:
        return []
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag or not VERSION.match(tag) or tag == "latest":
        return [f"image {image!r} is not pinned to a version "
                "(use e.g. registry.e2enetworks.net/<namespace>/riva-speech:2.19.0)"]
    return []


def plaintext_secrets(props: Any, path: str = "") -> Iterator[str]:
    """Paths of secret-named inputs whose value is set and not marked secret.

    `props` must keep the secret markers: the secrets-preserving view a remediation gets
    (`Secret` objects), which `validate` does not.
    """
    from pulumi_policy import Secret

    props = _unwrap(props)
    if isinstance(props, Secret):
        return
    if isinstance(props, Mapping):
        for key, value in props.items():
            here = f"{path}.{key}" if path else str(key)
            value = _unwrap(value)
            if SECRET_NAME.search(re.sub(r"[_-]", "", str(key)).lower()) and _is_plain_value(value):
                yield here
            else:
                yield from plaintext_secrets(value, here)
    elif isinstance(props, Sequence) and not isinstance(props, str):
        for i, value in enumerate(props):
            yield from plaintext_secrets(value, f"{path}[{i}]")


def _is_plain_value(value: Any) -> bool:
    from pulumi_policy import Secret

    return not isinstance(value, Secret) and value not in (None, "", {}, []) and not _is_unknown(value)


def _is_unknown(value: Any) -> bool:
    from pulumi_policy import proxy

    return isinstance(value, str) and value in {getattr(proxy, n) for n in dir(proxy) if n.startswith("UNKNOWN_")}


def _unwrap(value: Any) -> Any:
    """The pulumi-policy proxies hand their raw target out under the key `__target`."""
    while isinstance(value, Mapping | Sequence) and not isinstance(value, str | dict | list):
        proxy: Any = value
        value = proxy["__target"]
    return value


def _least_replicas(props: Mapping[str, Any]) -> int:
    scale = props.get("autoscaling")
    if scale and scale.get("min_replicas") is not None:
        return int(scale["min_replicas"])
    return int(props.get("replicas") or 0)
