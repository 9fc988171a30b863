"""Whether the stack's data plane answers: HTTP, the ingress's TLS, and (once the stack has
endpoints) the project header, the Riva API's port and the status an answering endpoint shows."""
from __future__ import annotations

import socket
import ssl

import grpc
import requests

from riva_tir import NAMESPACE
from riva_tir.config import StackConfig
from riva_tir.doctor.report import Finding, Report, running_status
from riva_tir.ingress import ca_path, health_status
from riva_tir.tir import TirClient
from riva_tir.tir.config import IngressSettings
from riva_tir.tir.endpoints import GrpcTarget


def data_plane(config: StackConfig, report: Report) -> None:
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


def endpoints(tir: TirClient, names: str | None, config: StackConfig, token: str, report: Report) -> None:
    """Through the ingress: the project header (routing), then the Riva API's port (upstream)."""
    triton, api = (tir.endpoints.find(f"{names}-{kind}") if names else None for kind in ("triton", "riva-api"))
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
        report.add(running_status("endpoint status", tir.endpoints.record(routed[0].id).get("status"), config,
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

