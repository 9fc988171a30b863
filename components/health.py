"""Post-deploy verification: is the deployed Riva usable, the way a client would see it?

- Triton over HTTP (tritonclient) through the endpoint's `triton_http_url`, with TIR's
  `Authorization: Bearer <auth token>`: server ready, then each converted model ready.
- The Riva API server over gRPC (nvidia-riva-client's channel): grpc.health.v1 SERVING,
  then its ASR model list where the server answers that call.

`scripts/verify [--stack NAME]` runs it for a user (reading the stack's outputs and its
auth token); with `riva-tir:verify: true` the stack runs it as its last step
(components/verification.py). Exit status 0 only if every check passed.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

TIMEOUT = 10.0
TOKEN_ENV = "TIR_AUTH_TOKEN"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def grpc_tls(address: str) -> bool:
    """Whether a Riva gRPC address wants TLS; the auth token always goes as metadata."""
    # ASSUMPTION: a TIR endpoint's public gRPC address is TLS on port 443 (like its HTTPS
    # URL); any other port (the emulator's) is plaintext.
    return address.endswith(":443")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]


def triton_checks(http_url: str, models: Sequence[str], token: str | None) -> list[Check]:
    """Server readiness, then each model's, over Triton's HTTP/REST API (KServe v2)."""
    import tritonclient.http as triton

    parts = urlsplit(http_url)
    headers = {"Authorization": f"Bearer {token}"} if token else None
    where = f"{parts.scheme}://{parts.netloc}{parts.path}"
    try:
        client = triton.InferenceServerClient(url=f"{parts.netloc}{parts.path.rstrip('/')}",
                                              ssl=parts.scheme == "https", connection_timeout=TIMEOUT,
                                              network_timeout=TIMEOUT)
        try:
            ready = client.is_server_ready(headers=headers)
            checks = [Check("triton server", ready, f"{where} {'ready' if ready else 'NOT ready'}")]
            for model in models:
                model_ready = client.is_model_ready(model, headers=headers)
                checks.append(Check(f"triton model {model}", model_ready, "ready" if model_ready else "NOT ready"))
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return [Check("triton server", False, f"{where} unreachable: {_first_line(exc)}")]
    return checks


def riva_checks(address: str, token: str | None) -> list[Check]:
    """gRPC health of the Riva API server and, where it answers, its ASR models."""
    import grpc
    import riva.client
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from riva.client.proto import riva_asr_pb2

    auth = riva.client.Auth(uri=address, use_ssl=grpc_tls(address),
                            metadata_args=[["authorization", f"Bearer {token}"]] if token else None)
    metadata = auth.get_auth_metadata()
    try:
        # types-grpcio-health-checking declares HealthStub without the Check it sets up.
        status = health_pb2_grpc.HealthStub(auth.channel).Check(  # type: ignore[attr-defined]
            health_pb2.HealthCheckRequest(), timeout=TIMEOUT, metadata=metadata).status
    except grpc.RpcError as exc:
        return [Check("riva api", False, f"{address} unreachable: {_first_line(exc)}")]
    serving = status == health_pb2.HealthCheckResponse.SERVING
    checks = [Check("riva api", serving, f"{address} {health_pb2.HealthCheckResponse.ServingStatus.Name(status)}")]
    try:
        config = riva.client.ASRService(auth).stub.GetRivaSpeechRecognitionConfig(
            riva_asr_pb2.RivaSpeechRecognitionConfigRequest(), timeout=TIMEOUT, metadata=metadata)
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.UNIMPLEMENTED:
            return checks + [Check("riva asr models", True, "not listed by this server")]
        return checks + [Check("riva asr models", False, _first_line(exc))]
    names = sorted({c.model_name for c in config.model_config})
    return checks + [Check("riva asr models", bool(names), ", ".join(names) or "none")]


def verify(outputs: Mapping[str, Any], token: str | None) -> list[Check]:
    """All checks for a stack's outputs (as `pulumi stack output --json` prints them)."""
    models = [str(m) for m in outputs.get("models") or []]
    return triton_checks(str(outputs["triton_http_url"]), models, token) + \
        riva_checks(str(outputs["riva_grpc_address"]), token)


def table(checks: Sequence[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = [f"  {'':4}  {'check'.ljust(width)}  detail", f"  {'':4}  {'-' * width}  {'-' * 6}"]
    lines += [f"  {'ok' if c.ok else 'FAIL':4}  {c.name.ljust(width)}  {c.detail}" for c in checks]
    passed = sum(c.ok for c in checks)
    return "\n".join(["Verification:", *lines, f"  {passed}/{len(checks)} checks passed"])


def _pulumi(*args: str, check: bool = True) -> str:
    return subprocess.run(["pulumi", *args], check=check, capture_output=True, text=True).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a deployed riva-tir stack (Triton and Riva API).")
    parser.add_argument("--stack", help="read the addresses from this stack's outputs")
    parser.add_argument("--triton-http-url", help="instead of --stack: Triton's HTTP URL")
    parser.add_argument("--riva-grpc-address", help="instead of --stack: the Riva API server's host:port")
    parser.add_argument("--model", action="append", default=[], help="a Triton model that must be ready")
    args = parser.parse_args(argv)
    # The token is never an argument (it would show in process listings and logs).
    token = os.environ.get(TOKEN_ENV)
    if args.stack:
        outputs = json.loads(_pulumi("stack", "output", "--json", "--stack", args.stack))
        if token is None:
            token = _pulumi("config", "get", "riva-tir:tirAuthToken", "--stack", args.stack, check=False).strip() or None
    elif args.triton_http_url and args.riva_grpc_address:
        outputs = {"triton_http_url": args.triton_http_url, "riva_grpc_address": args.riva_grpc_address,
                   "models": args.model}
    else:
        parser.error("give --stack, or --triton-http-url and --riva-grpc-address")
    checks = verify(outputs, token)
    print(table(checks), flush=True)
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
