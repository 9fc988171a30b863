"""Dialing an endpoint's gRPC from outside TIR: through the location's ingress, over TLS,
with the routing metadata and the auth token on every call (docs/tir.md §8.9).

Used by the providers (an endpoint is ready only when it answers here: TIR may show Running
before the server is up, docs/tir.md §8.8), by the verification and by the commands the
stack prints. A target is the `grpc` output of an endpoint (`tir.endpoints.GrpcTarget`).
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import grpc

from riva_tir.schema import project_path
from riva_tir.tir.endpoints import GrpcTarget

HEALTH_CHECK = "/grpc.health.v1.Health/Check"
# Where the commands riva-tir prints read the TIR auth token from (never an argument).
TOKEN_ENV = "TIR_AUTH_TOKEN"
SERVING = 1  # grpc.health.v1.HealthCheckResponse.SERVING

# After TIR shows an endpoint ready its server usually answers at once; when it does not
# yet, it is asked again this soon (each ask is one health call through the ingress).
POLL_SECONDS = 0.5


def target_of(value: GrpcTarget | Mapping[str, Any]) -> GrpcTarget:
    return value if isinstance(value, GrpcTarget) else GrpcTarget.model_validate(value)


def ca_path(target: GrpcTarget) -> Path | None:
    """The extra CA to trust; a relative path is from the project folder."""
    if not target.ca_file:
        return None
    return project_path(target.ca_file)


def channel(target: GrpcTarget) -> grpc.Channel:
    ca = ca_path(target)
    credentials = grpc.ssl_channel_credentials(root_certificates=ca.read_bytes() if ca else None)
    return grpc.secure_channel(target.address, credentials)


def health_status(target: GrpcTarget, auth_token: str, timeout: float = 10.0) -> int:
    """grpc.health.v1 status of the server behind the ingress (raises grpc.RpcError)."""
    from grpc_health.v1 import health_pb2

    with channel(target) as conn:
        check = conn.unary_unary(HEALTH_CHECK, request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                                 response_deserializer=health_pb2.HealthCheckResponse.FromString)
        response = check(health_pb2.HealthCheckRequest(), timeout=timeout,
                         metadata=tuple(target.call_metadata(auth_token)))
        return int(response.status)


def wait_http_ready(url: str, auth_token: str, timeout: float, poll: float = POLL_SECONDS) -> None:
    """Until `url` (an endpoint's HTTP data plane) answers 200 with TIR's bearer token."""
    import requests

    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while True:
        try:
            response = requests.get(url, headers={"Authorization": f"Bearer {auth_token}"}, timeout=10)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            last = type(exc).__name__
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s (last: {last})")
        time.sleep(poll)


def wait_serving(target: GrpcTarget, auth_token: str, timeout: float, poll: float = POLL_SECONDS) -> None:
    """Until the server behind the ingress reports SERVING; TimeoutError says what it last saw."""
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while True:
        try:
            status = health_status(target, auth_token, timeout=min(10.0, max(1.0, deadline - time.monotonic())))
            if status == SERVING:
                return
            last = f"health status {status}"
        except grpc.RpcError as exc:
            last = f"{exc.code().name}: {exc.details()}"
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{target.metadata.get('svc')} did not answer SERVING through {target.address} "
                               f"within {timeout:.0f} s (last: {last})")
        time.sleep(poll)
