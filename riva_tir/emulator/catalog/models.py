"""Fixed catalog: SKUs with hourly + committed plans, node images, serving frameworks.

Shapes follow the SDK/TF readers (docs/tir.md §3, §4, §8). Ids are arbitrary but stable so tests
and the `local` stack can refer to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from riva_tir.emulator import assumptions
from riva_tir.emulator.catalog.errors import UnknownImageVersion, UnknownPlan, UnknownSku
from riva_tir.emulator.envelope import CapacityUnavailable, NotFound, ValidationFailed
from riva_tir.emulator.validation import as_int


@dataclass(frozen=True)
class Plan:
    sku_item_price_id: int
    sku_type: str  # "hourly" | "committed"
    committed_days: int
    unit_price: float
    currency: str = "INR"

    @property
    def committed(self) -> bool:
        return self.committed_days > 0

    def to_wire(self) -> dict[str, Any]:
        return {
            "sku_item_price_id": self.sku_item_price_id, "sku_type": self.sku_type,
            "committed_days": self.committed_days, "unit_price": self.unit_price,
            "currency": self.currency,
        }


@dataclass(frozen=True)
class Sku:
    sku_id: int
    name: str
    series: str  # "CPU" | "GPU"
    sku_type: str
    cpu: int
    gpu: int
    memory: str
    plans: tuple[Plan, ...]
    is_free: bool = False
    is_inventory_available: bool = True

    def to_wire(self) -> dict[str, Any]:
        return {
            "sku_id": self.sku_id, "name": self.name, "series": self.series, "sku_type": self.sku_type,
            "cpu": self.cpu, "gpu": self.gpu, "memory": self.memory, "is_free": self.is_free,
            "is_inventory_available": self.is_inventory_available,
            "plans": [plan.to_wire() for plan in self.plans],
        }


def _plans(base: int, hourly: float) -> tuple[Plan, ...]:
    """An hourly price and a 30-day term at a fifth off, priced for the whole term (the
    ASSUMPTION docs/cost.md makes about committed `unit_price`)."""
    return (Plan(base + 1, "hourly", 0, hourly), Plan(base + 2, "committed", 30, round(hourly * 24 * 30 * 0.8, 2)))


# Prices in INR per hour, excluding GST (docs/cost.md): A100 80 GB at ₹226 is E2E's published
# price; E2E publishes none for L4, H100 or the C3 CPU plans, so those are invented.
SKUS: tuple[Sku, ...] = (
    Sku(11, "C3.2", "CPU", "C3-Free", 2, 0, "4GB", (Plan(1101, "hourly", 0, 0.0),), is_free=True),
    # A free tier with the same short code as C3.4 (CPU-C3-4-8GB-0), listed first: plan lookups
    # must skip `is_free` SKUs as the SDK's helpers do (docs/tir.md §3).
    Sku(10, "C3.4-Free", "CPU", "C3-Free", 4, 0, "8GB", (Plan(1001, "hourly", 0, 0.0),), is_free=True),
    Sku(12, "C3.4", "CPU", "C3-Standard", 4, 0, "8GB", _plans(1200, 6.0)),
    Sku(13, "C3.8", "CPU", "C3-Standard", 8, 0, "16GB", _plans(1300, 12.0)),
    Sku(21, "GDC3.L4-1.48GB", "GPU", "L4-24GB", 8, 1, "48GB", _plans(2100, 95.0)),
    Sku(24, "GDC3.L4-2.96GB", "GPU", "L4-24GB", 16, 2, "96GB", _plans(2400, 190.0)),
    Sku(22, "GDC3.A10080-1.115GB", "GPU", "A100-80GB", 16, 1, "115GB", _plans(2200, 226.0)),
    Sku(23, "GDC3.H100-1.250GB", "GPU", "H100-80GB", 24, 1, "250GB", _plans(2300, 420.0),
        is_inventory_available=False),
)

SERVICES = ("notebook", "inference_service", "pipeline", "vector_db")



@dataclass(frozen=True)
class ImageVersion:
    image_version_id: int
    version: str
    is_jupyterlab_enabled: bool = True


@dataclass(frozen=True)
class Image:
    image_id: int
    name: str
    versions: tuple[ImageVersion, ...]

    def to_wire(self) -> dict[str, Any]:
        return {
            "image_id": self.image_id, "name": self.name, "category": "notebook",
            "versions": [
                {"image_version_id": v.image_version_id, "version": v.version,
                 "is_jupyterlab_enabled": v.is_jupyterlab_enabled}
                for v in self.versions
            ],
        }


IMAGES: tuple[Image, ...] = (
    Image(1, "Ubuntu", (ImageVersion(59, "22.04"), ImageVersion(58, "20.04"))),
    Image(2, "Diffusers", (ImageVersion(71, "v0.27.2"),)),
    Image(3, "PyTorch", (ImageVersion(81, "2.3.0"),)),
    Image(4, "NVIDIA Riva", (ImageVersion(302, "2.19.0"), ImageVersion(301, "2.17.0"))),
)

TRITON_VERSIONS = ("v24.02", "v24.01", "v23.12", "v23.10")

FRAMEWORKS: tuple[dict[str, Any], ...] = (
    {
        "framework": "triton",
        "versions": [
            {"framework_version_id": 100 + i, "version": v,
             "image": f"aimle2e/tritonserver:{v[1:]}-py3-01"}
            for i, v in enumerate(TRITON_VERSIONS)
        ],
    },
    {"framework": "custom", "versions": [{"framework_version_id": 200, "version": "latest", "image": ""}]},
    {"framework": "pytorch", "versions": [{"framework_version_id": 300, "version": "latest", "image": ""}]},
    {"framework": "tensorrt", "versions": [{"framework_version_id": 400, "version": "latest", "image": ""}]},
)

# E2E's container registry (docs/unknowns.md): one namespace holding the riva-speech copy the
# shipped stacks use. ASSUMPTION: Harbor-like listings (a namespace with an id and a name; a
# repository named `<namespace>/<name>` with its tags); no source shows the real bodies.
REGISTRY: dict[int, tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]] = {
    1: ("riva-tir", (("riva-speech", ("2.19.0", "2.17.0")),)),
}


class Catalog:
    """Lookups the other kinds validate against."""

    def skus(self, service: str | None, image_version_id: int | None) -> dict[str, list[dict[str, Any]]]:
        if service not in SERVICES:
            raise ValidationFailed("service", f"allowed values are {', '.join(SERVICES)}")
        if image_version_id is not None:
            self.image_version(image_version_id)
        grouped: dict[str, list[dict[str, Any]]] = {"CPU": [], "GPU": []}
        for sku in SKUS:
            if service == "notebook" or not (sku.is_free and assumptions.FREE_SKUS_FOR_NODES_ONLY):
                grouped[sku.series].append(sku.to_wire())
        return grouped

    def sku(self, sku_id: int, field: str = "sku_id") -> Sku:
        for sku in SKUS:
            if sku.sku_id == sku_id:
                return sku
        raise UnknownSku(field, sku_id)

    def plan(self, sku_item_price_id: int, field: str = "sku_item_price_id") -> tuple[Sku, Plan]:
        for sku in SKUS:
            for plan in sku.plans:
                if plan.sku_item_price_id == sku_item_price_id:
                    return sku, plan
        raise UnknownPlan(field, sku_item_price_id)

    def plan_by_name(self, sku_name: str, sku_type: str, committed_days: int) -> tuple[Sku, Plan]:
        """TF's alternative to numeric ids: `sku_name` + `sku_type` + `committed_days`."""
        for sku in SKUS:
            if sku.name == sku_name:
                for plan in sku.plans:
                    if plan.sku_type == sku_type and plan.committed_days == committed_days:
                        return sku, plan
                raise ValidationFailed("sku_type", f"no {sku_type} plan of {committed_days} days for {sku_name}")
        raise ValidationFailed("sku_name", f"unknown sku_name {sku_name}")

    def hourly_plan(self, sku: Sku) -> Plan:
        return next(plan for plan in sku.plans if not plan.committed)

    def images(self) -> list[dict[str, Any]]:
        return [image.to_wire() for image in IMAGES]

    def image_version(self, image_version_id: int, field: str = "image_version_id") -> tuple[Image, ImageVersion]:
        for image in IMAGES:
            for version in image.versions:
                if version.image_version_id == image_version_id:
                    return image, version
        raise UnknownImageVersion(field, image_version_id)

    def image_by_name(self, name: str, version: str) -> tuple[Image, ImageVersion]:
        for image in IMAGES:
            if image.name == name:
                for candidate in image.versions:
                    if candidate.version == version:
                        return image, candidate
                raise ValidationFailed("image_version", f"unknown version {version} of image {name}")
        raise ValidationFailed("image_name", f"unknown image {name}")

    def frameworks(self) -> list[dict[str, Any]]:
        return [dict(entry) for entry in FRAMEWORKS]

    def registry_namespaces(self) -> list[dict[str, Any]]:
        return [{"id": ns_id, "namespace_name": name} for ns_id, (name, _) in REGISTRY.items()]

    def registry_repositories(self, namespace_id: int) -> list[dict[str, Any]]:
        if namespace_id not in REGISTRY:
            raise NotFound("registry namespace", namespace_id)
        name, repositories = REGISTRY[namespace_id]
        return [{"repository_name": f"{name}/{repo}", "tags": list(tags)} for repo, tags in repositories]


def sku_details(sku: Sku, plan: Plan) -> dict[str, Any]:
    """The `sku_details` block TF reads on nodes and endpoints."""
    return {
        "specs": {"name": sku.name, "sku_id": sku.sku_id, "cpu": sku.cpu, "gpu": sku.gpu, "memory": sku.memory,
                  "series": sku.series},
        "plan": plan.to_wire(),
    }


COMMITTED_POLICIES = ("auto_renew", "auto_terminate", "convert_to_hourly_billing")
# docs/tir.md §3: `next_sku_item_price_id` is required for the first and the last policy.
POLICIES_NEEDING_NEXT_PLAN = ("auto_renew", "convert_to_hourly_billing")


@dataclass(frozen=True)
class PlanChoice:
    """A validated plan selection as stored on nodes and endpoints."""

    sku: Sku
    plan: Plan
    committed_instance_policy: str
    next_sku_item_price_id: int | None


def resolve_plan(catalog: Catalog, body: dict[str, Any], default_sku_field: str) -> PlanChoice:
    """Plan from `sku_item_price_id`, TF's `sku_name`+`sku_type`+`committed_days`, or `sku_id`.

    Raises 400 naming the field, or the capacity error when the SKU has no inventory.
    """
    if body.get("sku_item_price_id") is not None:
        sku, plan = catalog.plan(as_int(body["sku_item_price_id"], "sku_item_price_id"))
        if body.get("sku_id") is not None and as_int(body["sku_id"], "sku_id") != sku.sku_id:
            raise ValidationFailed("sku_id", "sku_id does not match sku_item_price_id")
    elif body.get("sku_name"):
        committed_days = as_int(body.get("committed_days", 0), "committed_days")
        sku, plan = catalog.plan_by_name(str(body["sku_name"]), str(body.get("sku_type", "hourly")), committed_days)
    elif body.get("sku_id") is not None:
        sku = catalog.sku(as_int(body["sku_id"], "sku_id"))
        plan = catalog.hourly_plan(sku)
    else:
        raise ValidationFailed(default_sku_field, f"{default_sku_field} is mandatory")
    if not sku.is_inventory_available:
        raise CapacityUnavailable()
    policy, next_plan = "", None
    if plan.committed:
        policy = str(body.get("committed_instance_policy") or "")
        if policy not in COMMITTED_POLICIES:
            raise ValidationFailed("committed_instance_policy", f"allowed values are {', '.join(COMMITTED_POLICIES)}")
        if body.get("next_sku_item_price_id") is not None:
            next_plan = as_int(body["next_sku_item_price_id"], "next_sku_item_price_id")
            catalog.plan(next_plan, "next_sku_item_price_id")
        elif policy in POLICIES_NEEDING_NEXT_PLAN:
            raise ValidationFailed("next_sku_item_price_id", f"next_sku_item_price_id is mandatory for {policy}")
    return PlanChoice(sku, plan, policy, next_plan)
