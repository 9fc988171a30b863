"""Health summary of a deployed stack: Triton ready with its models, Riva API serving.

`python -m components.health --stack local` reads the stack's outputs and asks each
server over gRPC, the way a client would (tritonclient; grpc.health.v1 and Riva's ASR
config call via nvidia-riva-client's protos).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def triton_checks(address: str, expected: list[str]) -> list[Check]:
    import tritonclient.grpc as triton

    try:
        client = triton.InferenceServerClient(url=address)
        ready = client.is_server_ready(client_timeout=5)
        index = client.get_model_repository_index(as_json=True, client_timeout=5).get("models", [])
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return [Check("triton", False, f"{address} unreachable: {str(exc).splitlines()[0][:120]}")]
    states = {m["name"]: m.get("state", "") for m in index}
    checks = [Check("triton", ready, f"{address} server {'ready' if ready else 'NOT ready'}")]
    checks += [Check(f"model {m}", states.get(m) == "READY", states.get(m) or "missing") for m in expected]
    return checks


def riva_checks(address: str) -> list[Check]:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from riva.client.proto import riva_asr_pb2, riva_asr_pb2_grpc

    try:
        with grpc.insecure_channel(address) as channel:
            status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5).status
            serving = status == health_pb2.HealthCheckResponse.SERVING
            config = riva_asr_pb2_grpc.RivaSpeechRecognitionStub(channel).GetRivaSpeechRecognitionConfig(
                riva_asr_pb2.RivaSpeechRecognitionConfigRequest(), timeout=5)
    except Exception as exc:  # noqa: BLE001
        return [Check("riva api", False, f"{address} unreachable: {str(exc).splitlines()[0][:120]}")]
    names = sorted({c.model_name for c in config.model_config})
    return [Check("riva api", serving, f"{address} {health_pb2.HealthCheckResponse.ServingStatus.Name(status)}"),
            Check("riva asr models", bool(names), ", ".join(names) or "none")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", required=True)
    args = parser.parse_args(argv)
    outputs = json.loads(subprocess.run(["pulumi", "stack", "output", "--json", "--stack", args.stack],
                                        check=True, capture_output=True, text=True).stdout)
    checks = triton_checks(outputs["triton_grpc_address"], list(outputs.get("models") or []))
    checks += riva_checks(outputs["riva_grpc_address"])
    width = max(len(c.name) for c in checks)
    print("Health:")
    for c in checks:
        print(f"  {'ok  ' if c.ok else 'FAIL'}  {c.name.ljust(width)}  {c.detail}")
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
