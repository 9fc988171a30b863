"""`scripts/doctor --stack <stack>`: first contact with a TIR account, diagnosed in minutes.

Every fact riva-tir relies on that a real account could refute (docs/unknowns.md) is checked
against the stack's effective setting and printed as a row: check, result (confirmed,
refuted, unknown), evidence, and where a default is refuted the config line to paste.

Read-only by default: GETs, a TLS handshake, gRPC health calls through the ingress and SSH
logins that run nothing. `--probe-node --yes` also creates the cheapest node (with a
throwaway account key), reads its record, logs in, and deletes both; a probe that was
killed is cleaned up by the next doctor run, which finds it by name. Exit status 1 when a
blocking check is refuted.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Literal, TextIO
from urllib.parse import urlsplit

import grpc
import requests

from components import ssh_probe
from components.config import NAMESPACE, ConfigError, StackConfig, validate
from components.deployment import resource_prefix
from components.ingress import TOKEN_ENV, ca_path, health_status
from components.providers.base import TirProvider
from tir import TirClient
from tir.config import DEFAULT_LOGIN_USER, IngressSettings
from tir.endpoints import GrpcTarget
from tir.errors import AuthError, NotFound, ResolutionError, TirError, ValidationFailed
from tir.nodes.specs import NodeSpec
from tir.plans.models import ResolvedPlan, Sku
from tir.ssh_keys.models import SshKeySpec

Result = Literal["confirmed", "refuted", "unknown"]
PROBE_SUFFIX = "-doctor"
PROBE_TIMEOUT = 900.0
PROBE_POLL_SECONDS = 10.0
_SSH_CHECKS = ("tir.sshFields", "node.sshUser", "node status")


@dataclass(frozen=True)
class Finding:
    check: str
    result: Result
    evidence: str
    fix: str = ""  # the stack config lines to paste, one per line (refuted only)
    blocking: bool = True  # a refuted blocking check fails the doctor


@dataclass(frozen=True)
class StackSecrets:
    api_key: str
    auth_token: str
    ssh_private_key: str | None = None
    ssh_public_key: str | None = None


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    record: dict[str, Any] | None = None  # a node record, masked
    probe_cost: str = ""

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    @property
    def failed(self) -> bool:
        return any(f.result == "refuted" and f.blocking for f in self.findings)


def diagnose(stack: str, config: StackConfig, keys: StackSecrets, *, probe_node: bool = False) -> Report:
    """Every check against the stack's account; the probe node only when asked."""
    report = Report()
    prefix = resource_prefix(stack, config.name_prefix)
    with TirProvider.client({"tir": config.tir.model_dump(), "retries": {"max_retries": 1},
                             "credentials": {"api_key": keys.api_key, "auth_token": keys.auth_token}}) as tir:
        if not _access(tir, config, report):
            return report
        _leftover_probe(tir, prefix, report)
        _plans(tir, config, report)
        _images(tir, config, report)
        _repository_types(tir, report)
        _data_plane(config, report)
        _endpoints(tir, prefix, config, keys.auth_token, report)
        node = tir.nodes.find(f"{prefix}-node")
        if node is not None and node.status != "stopped" and keys.ssh_private_key:
            _ssh(tir.nodes.record(node.id), config, keys.ssh_private_key, f"node {node.name}", report)
        elif probe_node:
            _probe(tir, prefix, config, report)
        else:
            report.add(Finding("ssh address and user", "unknown",
                               "no running node of this stack to read: `scripts/doctor --probe-node --yes` "
                               "creates the cheapest node for a minute to find out", blocking=False))
    return report


# -- account ---------------------------------------------------------------------------------


def _access(tir: TirClient, config: StackConfig, report: Report) -> bool:
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


def _plans(tir: TirClient, config: StackConfig, report: Report) -> None:
    image_id = None if config.node.image else _riva_image_id(tir, config)
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


def _riva_image_id(tir: TirClient, config: StackConfig) -> int | None:
    try:
        return tir.images.find_riva(config.node.riva_version).image_version_id
    except ResolutionError:
        return None


def _images(tir: TirClient, config: StackConfig, report: Report) -> None:
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


def _repository_types(tir: TirClient, report: Report) -> None:
    try:
        types = tir.model_repositories.types()
    except TirError as exc:
        report.add(Finding("model repository type triton", "unknown", f"model_types did not answer: {exc}"))
        return
    ok = "triton" in types
    report.add(Finding("model repository type triton", "confirmed" if ok else "refuted",
                       f"types: {', '.join(types)}", "" if ok else "riva-tir creates `triton` repositories: "
                                                                  "report this account's types in an issue"))


# -- data plane --------------------------------------------------------------------------------


def _data_plane(config: StackConfig, report: Report) -> None:
    plane, loc = config.tir.data_plane, config.tir.location
    try:
        answer = requests.get(plane.http + "/", timeout=10)
        report.add(Finding("HTTP data plane", "confirmed", f"{plane.http} answered HTTP {answer.status_code}"))
    except requests.RequestException as exc:
        report.add(Finding("HTTP data plane", "refuted", f"{plane.http}: {type(exc).__name__}",
                           f"pulumi config set --path {NAMESPACE}:tir.dataPlanes.{loc}.http <base>"))
    host, _, port = plane.grpc.rpartition(":")
    target = GrpcTarget(address=plane.grpc, metadata={}, ca_file=plane.ca_file)
    context = ssl.create_default_context()
    ca = ca_path(target)
    if ca:
        context.load_verify_locations(cafile=str(ca))
    try:
        with socket.create_connection((host, int(port)), timeout=10) as raw, \
                context.wrap_socket(raw, server_hostname=host) as tls:
            report.add(Finding("gRPC ingress TLS", "confirmed", f"{plane.grpc}: {tls.version()} handshake, "
                                                               "certificate verified"))
    except (OSError, ssl.SSLError) as exc:
        report.add(Finding("gRPC ingress TLS", "refuted", f"{plane.grpc}: {exc}",
                           f"pulumi config set --path {NAMESPACE}:tir.dataPlanes.{loc}.grpc <host:port> "
                           "(and .caFile for a private CA)"))


def _endpoints(tir: TirClient, prefix: str, config: StackConfig, token: str, report: Report) -> None:
    """Through the ingress: the project header (routing), then the Riva API's port (upstream)."""
    triton, api = tir.endpoints.find(f"{prefix}-triton"), tir.endpoints.find(f"{prefix}-riva-api")
    if triton is None and api is None:
        report.add(Finding("ingress project header", "unknown",
                           "this stack has no endpoints yet: run the doctor again after the first `up`",
                           blocking=False))
        return
    routed = [e for e in (triton, api) if e is not None]
    configured = config.tir.ingress.project_header
    codes = {form: _ingress_code(tir.endpoints.grpc_target(routed[0].id), form, config.tir.project_id, token)
             for form in ("number", "p-number")}
    works = [form for form, code in codes.items() if code not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.UNAUTHENTICATED)]
    evidence = ", ".join(f"{form}: {code.name}" for form, code in codes.items())
    if codes[configured] == grpc.StatusCode.UNAUTHENTICATED:
        report.add(Finding("ingress token", "refuted", f"the ingress refused x-auth-token ({evidence})",
                           f"pulumi config set --secret {NAMESPACE}:tirAuthToken <token>"))
        return
    if codes[configured] in (grpc.StatusCode.OK, grpc.StatusCode.UNIMPLEMENTED):
        report.add(_running_status("endpoint status", tir.endpoints.record(routed[0].id).get("status"), config,
                                   f"endpoint {routed[0].name}", "it answers through the ingress"))
    if configured in works:
        report.add(Finding("ingress project header", "confirmed", f"e2e-project as {configured} routes ({evidence})"))
    elif works:
        report.add(Finding("ingress project header", "refuted", f"only {works[0]} routes ({evidence})",
                           f"pulumi config set --path {NAMESPACE}:tir.ingress.projectHeader {works[0]}"))
        configured = works[0]  # type: ignore[assignment]
    else:
        report.add(Finding("ingress project header", "unknown", f"no form routes ({evidence})"))
        return
    if api is not None:
        code = _ingress_code(tir.endpoints.grpc_target(api.id), configured, config.tir.project_id, token)
        port = config.riva_api.grpc_port
        if code == grpc.StatusCode.OK:
            report.add(Finding("rivaApi.grpcPort", "confirmed", f"riva_server on container port {port} answers "
                                                               "health through the ingress"))
        elif code == grpc.StatusCode.UNAVAILABLE and api.is_ready:
            # TIR's Triton framework takes gRPC on 9000 (docs/tir.md §8.5): the likeliest other port.
            other = 9000 if port != 9000 else 8080
            report.add(Finding("rivaApi.grpcPort", "refuted",
                               f"endpoint {api.name} is {api.status} but the ingress reaches nothing on container "
                               f"port {port} (UNAVAILABLE); the likeliest other port is {other}",
                               f"pulumi config set --path {NAMESPACE}:rivaApi.grpcPort {other}"))
        else:
            report.add(Finding("rivaApi.grpcPort", "unknown", f"endpoint {api.name} is {api.status}: {code.name}",
                               blocking=False))


def _ingress_code(target: GrpcTarget, form: str, project_id: int, token: str) -> grpc.StatusCode:
    """The status of a health call sent with `e2e-project` in this form. Anything but
    NOT_FOUND or UNAUTHENTICATED means the ingress routed it (UNIMPLEMENTED comes from
    the server behind it)."""
    header = IngressSettings(project_header=form).project_value(project_id)  # type: ignore[arg-type]
    routed = target.model_copy(update={"metadata": {**target.metadata, "e2e-project": header}})
    try:
        health_status(routed, token, timeout=10)
        return grpc.StatusCode.OK
    except grpc.RpcError as exc:
        code: grpc.StatusCode = exc.code()
        return code


# -- SSH ----------------------------------------------------------------------------------------


def _ssh(record: dict[str, Any], config: StackConfig, private_key: str, what: str, report: Report) -> bool:
    """The SSH rows from one node record; True when something logged in."""
    report.record = ssh_probe.masked(record)
    fields, user = config.tir.ssh_fields, config.node.ssh_user
    found = ssh_probe.find_login(record, fields, user, private_key)
    reported = record.get(fields.user) if isinstance(record.get(fields.user), str) else None
    if found.fields is None:
        report.add(Finding("tir.sshFields", "unknown", f"{what}: nothing logged in; tried {'; '.join(found.tried)}"
                           or f"{what}: no field looks like an SSH host"))
        return False
    fixes = dict(ssh_probe.paste_lines(found, fields, user, reported))
    address_fix = "\n".join(v for k, v in fixes.items() if k.startswith("tir.sshFields"))
    report.add(Finding("tir.sshFields", "refuted" if address_fix else "confirmed",
                       f"{what}: the address is in {found.fields.host}/{found.fields.port}", address_fix))
    report.add(Finding("node.sshUser", "refuted" if "node.sshUser" in fixes else "confirmed",
                       f"{what}: {found.user} logs in (default {user or reported or DEFAULT_LOGIN_USER})",
                       fixes.get("node.sshUser", "")))
    report.add(_running_status("node status", record.get("status"), config, what, "it takes SSH logins"))
    return True


def _running_status(check: str, raw: object, config: StackConfig, what: str, because: str) -> Finding:
    """A resource that evidently runs must show a status riva-tir reads as running."""
    seen = str(raw or "").strip().lower()
    if config.tir.status_aliases.get(seen, seen) == "running":
        return Finding(check, "confirmed", f"{what} shows {raw!r} while {because}")
    return Finding(check, "refuted", f"{what} shows {raw!r} while {because}: riva-tir waits for 'running'",
                   f"pulumi config set --path {shlex.quote(f'{NAMESPACE}:tir.statusAliases.{seen}')} running")


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a cancelled job) unwinds like Ctrl-C, so the probe's cleanup runs."""
    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _leftover_probe(tir: TirClient, prefix: str, report: Report) -> None:
    """Delete what a killed probe left (found by its name)."""
    name = prefix + PROBE_SUFFIX
    node = tir.nodes.find(name)
    key = tir.ssh_keys.find(name)
    if node is not None:
        tir.nodes.delete(node.id)
        tir.nodes.wait_deleted(node.id, timeout=PROBE_TIMEOUT)
    if key is not None:
        tir.ssh_keys.delete(key.id)
    if node is not None or key is not None:
        report.add(Finding("earlier probe cleaned up", "confirmed",
                           f"deleted {'node ' + str(node.id) if node else ''} {'key ' + key.label if key else ''}"
                           .strip(), blocking=False))


def _probe(tir: TirClient, prefix: str, config: StackConfig, report: Report) -> None:
    """The cheapest node for the stack's image, with a throwaway key; always deleted."""
    import asyncssh

    name = prefix + PROBE_SUFFIX
    image_id = None if config.node.image else _riva_image_id(tir, config)
    hourly = [s for s in tir.plans.for_nodes(image_id) if s.hourly_plan and not s.is_free and s.is_inventory_available]
    if not hourly:
        report.add(Finding("probe node", "unknown", "no node plan with inventory to probe with", blocking=False))
        return
    sku = min(hourly, key=lambda s: s.hourly_plan.unit_price or 0.0 if s.hourly_plan else 0.0)
    plan = sku.hourly_plan
    assert plan is not None
    private = asyncssh.generate_private_key("ssh-ed25519", comment=name)
    public = private.export_public_key().decode().strip()
    started = time.monotonic()
    node_id: int | None = None
    key_id: int | None = None
    with _terminate_as_interrupt():
        try:
            key_id = tir.ssh_keys.create(SshKeySpec(label=name, ssh_key=public)).id
            image = {"image_type": "custom", "e2e_registry_image_url": config.node.image,
                     "registry_namespace_id": config.node.registry_namespace_id} if config.node.image \
                else {"image_version_id": image_id}
            node_id = tir.nodes.create(NodeSpec(name=name, sku_item_price_id=plan.sku_item_price_id,
                                                public_key=[public], **image)).id
            _until_running(tir, node_id, config, private.export_private_key().decode(),
                           f"probe node {name} ({sku.code})", report)
        finally:
            if node_id is not None:
                tir.nodes.delete(node_id)
                tir.nodes.wait_deleted(node_id, timeout=PROBE_TIMEOUT)
            if key_id is not None:
                tir.ssh_keys.delete(key_id)
            minutes = (time.monotonic() - started) / 60
            price = plan.unit_price or 0.0
            # ASSUMPTION (docs/unknowns.md): TIR bills an hourly plan by the started hour.
            report.probe_cost = (f"probe node {sku.code} for {minutes:.1f} min at {price} {plan.currency or ''}/h: "
                                 f"at most {price:.2f} {plan.currency or ''} (one started hour); nothing left")


def _until_running(tir: TirClient, node_id: int, config: StackConfig, private_key: str, what: str,
                   report: Report) -> None:
    """Until the node shows running or takes a login (its status may be one riva-tir does
    not know yet: the probe is how the doctor learns it)."""
    deadline = time.monotonic() + PROBE_TIMEOUT
    while True:
        record = tir.nodes.record(node_id)
        running = config.tir.status_aliases.get(str(record.get("status", "")).lower(), record.get("status")) == "running"
        probing = running or bool(ssh_probe.candidate_fields(record, config.tir.ssh_fields))
        if probing and (_ssh(record, config, private_key, what, report) or running):
            return
        if time.monotonic() > deadline:
            report.add(Finding("probe node", "unknown", f"{what} neither showed running nor took a login in "
                                                        f"{PROBE_TIMEOUT / 60:.0f} min (last status "
                                                        f"{record.get('status')!r})"))
            return
        report.findings[:] = [f for f in report.findings if f.check not in _SSH_CHECKS]
        time.sleep(PROBE_POLL_SECONDS)


# -- command line -------------------------------------------------------------------------------


def load_stack(stack: str) -> tuple[StackConfig, StackSecrets]:
    """The stack's config and secrets, as `pulumi config` shows them (run in the project folder)."""
    shown = json.loads(subprocess.run(["pulumi", "config", "--json", "--show-secrets", "--stack", stack],
                                      check=True, capture_output=True, text=True).stdout)
    values: dict[str, Any] = {}
    for key, entry in shown.items():
        if key.startswith(f"{NAMESPACE}:"):
            values[key.split(":", 1)[1]] = entry.get("objectValue", entry.get("value"))
    config = validate({k: v for k, v in values.items() if k in _config_keys()})
    return config, StackSecrets(api_key=str(values.get("tirApiKey", "")),
                                auth_token=str(values.get("tirAuthToken", "")),
                                ssh_private_key=values.get("sshPrivateKey") or _state_private_key(stack),
                                ssh_public_key=config.node.ssh_public_key)


def _config_keys() -> set[str]:
    return {f.alias or name for name, f in StackConfig.model_fields.items()}


def _state_private_key(stack: str) -> str | None:
    """The key pair riva-tir generated for the stack's node, from its state."""
    exported = subprocess.run(["pulumi", "stack", "export", "--show-secrets", "--stack", stack],
                              capture_output=True, text=True)
    if exported.returncode != 0:
        return None
    for resource in json.loads(exported.stdout).get("deployment", {}).get("resources") or []:
        if str(resource.get("urn", "")).endswith("-ssh-keypair"):
            key = (resource.get("outputs") or {}).get("private_key")
            if isinstance(key, dict):  # a secret's envelope
                key = key.get("plaintext")
                key = json.loads(key) if isinstance(key, str) and key.startswith('"') else key
            return key if isinstance(key, str) else None
    return None


def render(report: Report, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    width = max((len(f.check) for f in report.findings), default=10)
    print(f"{'check':<{width}}  {'result':<9}  evidence", file=out)
    for f in report.findings:
        print(f"{f.check:<{width}}  {f.result:<9}  {f.evidence}", file=out)
        for line in f.fix.splitlines() if f.result != "confirmed" else []:
            print(f"{'':<{width}}  {'':<9}  paste: {line}", file=out)
    if report.record is not None:
        print("\nnode record (secrets masked):", file=out)
        for name, value in report.record.items():
            print(f"  {name}: {json.dumps(value)}", file=out)
    if report.probe_cost:
        print(f"\n{report.probe_cost}", file=out)
    verdict = "refuted defaults: paste the lines above, then run the doctor again" if report.failed \
        else "no refuted default"
    print(f"\n{verdict}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/doctor", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--probe-node", action="store_true", help="create the cheapest node to read its record "
                                                                  "(costs up to one hour of that plan)")
    parser.add_argument("--yes", action="store_true", help="confirm --probe-node")
    args = parser.parse_args(argv)
    if args.probe_node and not args.yes:
        parser.error("--probe-node creates a billed node for a few minutes: add --yes to confirm")
    try:
        config, keys = load_stack(args.stack)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    keys = StackSecrets(api_key=keys.api_key, auth_token=os.environ.get(TOKEN_ENV) or keys.auth_token,
                        ssh_private_key=keys.ssh_private_key, ssh_public_key=keys.ssh_public_key)
    report = diagnose(args.stack, config, keys, probe_node=args.probe_node)
    render(report)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
