"""What the account holds for the stack: access, plans, images, repository types."""
from __future__ import annotations

from collections.abc import Callable

from riva_tir import NAMESPACE
from riva_tir.config import StackConfig
from riva_tir.doctor.report import Finding, Report
from riva_tir.tir import TirClient
from riva_tir.tir.errors import AuthError, NotFound, ResolutionError, TirError, ValidationFailed
from riva_tir.tir.plans.models import ResolvedPlan, Sku


def access(tir: TirClient, config: StackConfig, report: Report) -> bool:
    where = f"project {config.tir.project_id} in {config.tir.location}"
    try:
        counts = tir.service_counts()
    except AuthError as exc:
        report.add(Finding("credentials", "refuted", f"TIR refused the key or token: {exc.message}",
                           f"pulumi config set --secret {NAMESPACE}:tirApiKey <key>\n"
                           f"pulumi config set --secret {NAMESPACE}:tirAuthToken <token>"))
        return False
    except (NotFound, ValidationFailed) as exc:
        report.add(Finding("project, team, location", "refuted", f"{where}: {exc.message}",
                           f"check {NAMESPACE}:tir.projectId, tir.teamId and tir.location"))
        return False
    except TirError as exc:
        report.add(Finding("credentials", "unknown", f"{config.tir.api_root} did not answer: {exc}",
                           f"check {NAMESPACE}:tir.apiRoot"))
        return False
    shown = ", ".join(f"{k} {v}" for k, v in counts.items())
    report.add(Finding("credentials", "confirmed", "the SDK's access check (dashboard/service-count) answered"))
    report.add(Finding("project, team, location", "confirmed", f"{where}: {shown or 'empty'}"))
    return True


def _plan_row(key: str, resolve: Callable[[], ResolvedPlan], known: Callable[[], list[Sku]]) -> tuple[Finding, Sku | None]:
    try:
        plan = resolve()
    except ResolutionError as exc:
        codes = ", ".join(sorted({s.code for s in known()})[:8])
        return Finding(f"plan {key}", "refuted", f"{exc}; known: {codes}",
                       f"pulumi config set --path {NAMESPACE}:{key} <one of the known codes>"), None
    sku, hourly = plan.sku, plan.sku.hourly_plan
    price = f"{hourly.unit_price} {hourly.currency or ''}/h".strip() if hourly and hourly.unit_price is not None \
        else "price not listed"
    stock = "in stock" if sku.is_inventory_available else "NO inventory now"
    return Finding(f"plan {key}", "confirmed", f"{plan.code}: {sku.name}, GPU {sku.gpu or 0}, {price}, {stock}"), sku


def _gpu(sku: Sku) -> str | None:
    parts = sku.code.split("-")
    return parts[1] if sku.gpu not in (None, 0, "0", "") and len(parts) > 1 else None


def plans(tir: TirClient, config: StackConfig, report: Report) -> None:
    image_id = None if config.node.image else riva_image_id(tir, config)
    triton_framework = "triton" if config.triton.runtime == "triton" else "custom"
    rows = [
        ("node.plan", lambda: tir.plans.resolve_node_plan(config.node.plan, image_id),
         lambda: tir.plans.for_nodes(image_id)),
        ("triton.plan", lambda: tir.plans.resolve_endpoint_plan(config.triton.plan, triton_framework),
         lambda: tir.plans.for_endpoints(triton_framework)),
        ("rivaApi.plan", lambda: tir.plans.resolve_endpoint_plan(config.riva_api.plan, "custom"),
         lambda: tir.plans.for_endpoints("custom")),
    ]
    skus: dict[str, Sku | None] = {}
    for key, resolve, known in rows:
        finding, skus[key] = _plan_row(key, resolve, known)
        report.add(finding)
    node, triton, api = skus["node.plan"], skus["triton.plan"], skus["rivaApi.plan"]
    if node and triton:
        same = _gpu(node) == _gpu(triton) and _gpu(node) is not None
        report.add(Finding("node and Triton on one GPU type", "confirmed" if same else "refuted",
                           f"node {_gpu(node)}, Triton {_gpu(triton)} (riva-deploy builds engines for the node's GPU)",
                           "" if same else f"pulumi config set --path {NAMESPACE}:triton.plan <a plan with the "
                                           f"node's GPU, {_gpu(node)}>"))
    if api:
        cpu = _gpu(api) is None
        report.add(Finding("Riva API on a CPU plan", "confirmed" if cpu else "refuted",
                           f"{api.code}: GPU {api.gpu or 0} (riva_server does no inference)",
                           "" if cpu else f"pulumi config set --path {NAMESPACE}:rivaApi.plan CPU-C3-4-8GB-0",
                           blocking=False))


def riva_image_id(tir: TirClient, config: StackConfig) -> int | None:
    try:
        return tir.images.find_riva(config.node.riva_version).image_version_id
    except ResolutionError:
        return None


def images(tir: TirClient, config: StackConfig, report: Report) -> None:
    if config.node.image:
        report.add(_registry_image("node.image", tir, config.node.image, config.node.registry_namespace_id))
    else:
        try:
            image = tir.images.find_riva(config.node.riva_version)
            report.add(Finding("node image", "confirmed",
                               f"{image.image_name} {image.version} (image_version_id {image.image_version_id})"))
        except ResolutionError as exc:
            report.add(Finding("node image", "refuted", str(exc),
                               f"pulumi config set --path {NAMESPACE}:node.rivaVersion <a listed version>"))
    for key, section in (("triton", config.triton), ("rivaApi", config.riva_api)):
        if section.image and section.registry_namespace_id:
            report.add(_registry_image(f"{key}.image", tir, section.image, section.registry_namespace_id))


def _registry_image(key: str, tir: TirClient, image: str, namespace_id: int | None) -> Finding:
    """The namespace, and the repository and tag of a registry.e2enetworks.net image in it."""
    if namespace_id is None:
        return Finding(key, "refuted", f"{image} needs its registry namespace",
                       f"pulumi config set --path {NAMESPACE}:{key.split('.')[0]}.registryNamespaceId <id>")
    try:
        namespaces = tir.registry.namespaces()
    except TirError as exc:
        return Finding(key, "unknown", f"the container registry did not answer: {exc}", blocking=False)
    namespace = next((n for n in namespaces if n.id == namespace_id), None)
    if namespace is None:
        listed = ", ".join(f"{n.id} ({n.name})" for n in namespaces) or "none"
        return Finding(key, "refuted", f"no registry namespace {namespace_id}; the project has: {listed}",
                       f"pulumi config set --path {NAMESPACE}:{key.split('.')[0]}.registryNamespaceId <id>")
    repository, _, tag = image.split("/", 2)[-1].partition(":")
    found = tir.registry.find(namespace_id, repository, tag or "latest")
    if found is None:
        return Finding(key, "refuted", f"namespace {namespace.name} has no {repository}:{tag or 'latest'}",
                       f"push it there (README, Real TIR) or set {NAMESPACE}:{key}")
    return Finding(key, "confirmed", f"{image} in namespace {namespace.name} (id {namespace_id})")


def repository_types(tir: TirClient, report: Report) -> None:
    try:
        types = tir.model_repositories.types()
    except TirError as exc:
        report.add(Finding("model repository type triton", "unknown", f"model_types did not answer: {exc}"))
        return
    ok = "triton" in types
    report.add(Finding("model repository type triton", "confirmed" if ok else "refuted",
                       f"types: {', '.join(types)}", "" if ok else "riva-tir creates `triton` repositories: "
                                                                  "report this account's types in an issue"))

