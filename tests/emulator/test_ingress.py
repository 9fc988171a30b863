"""The emulator's gRPC ingress, as TIR's (docs/tir.md §8.9): one TLS port, routed by metadata,
authenticated by the auth token, UNAVAILABLE when nothing serves; and the runtime rules that
decide what serves (Riva's backends, the "HTTP Port" box, rolling redeploys)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import boto3
import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from tritonclient.grpc import service_pb2 as tpb
from tritonclient.grpc import service_pb2_grpc as tpb_grpc

from riva_tir.emulator.riva_tools import build, deploy, make_riva_archive
from riva_tir.emulator.server import EmulatorServer
from tests.emulator.api_harness import AUTH_TOKEN, PROJECT, Api, b64

pytestmark = pytest.mark.emulator

RIVA_IMAGE = "registry.e2enetworks.net/team/riva-speech:2.19.0"
STOCK_TRITON = "aimle2e/tritonserver:24.02-py3-01"


def _upload(repo: dict[str, Any]) -> None:
    """What riva-deploy writes for one streaming pipeline, published to the repository's
    `models/` (the Triton endpoint's path)."""
    with tempfile.TemporaryDirectory() as tmp:
        riva, rmir, models = Path(tmp, "p.riva"), Path(tmp, "asr.rmir"), Path(tmp, "model-repository")
        make_riva_archive(riva, model="parakeet-ctc-0.6b-en-us", key="k", size_bytes=1 << 16)
        assert build.main(["speech_recognition", "-f", f"{rmir}:k", f"{riva}:k", "--name=parakeet", "--ms_per_timestep=80"]) == 0
        assert deploy.main(["-f", f"{rmir}:k", str(models)]) == 0
        s3 = _s3(repo)
        for path in models.rglob("*"):
            if path.is_file():
                s3.upload_file(str(path), repo["bucket"]["bucket_name"], f"models/{path.relative_to(models)}")


def _s3(repo: dict[str, Any]) -> Any:
    return boto3.client("s3", endpoint_url=repo["bucket"]["endpoint"], region_name="us-east-1",
                        aws_access_key_id=repo["access_key"]["access_key"],
                        aws_secret_access_key=repo["access_key"]["secret_key"])


def _triton(api: Api, repo: dict[str, Any], image: str | None = RIVA_IMAGE) -> dict[str, Any]:
    """Framework Triton with "Server Runtime: Custom" (the runtime image), as riva-tir creates it."""
    body: dict[str, Any] = {"name": "triton", "framework": "triton", "model_id": repo["id"], "path": "models/",
                            "sku_id": 12, "replica": 1}
    if image:
        body["custom_endpoint_details"] = {"container": {"container_name": image, "container_type": "public"}}
    data: dict[str, Any] = api.ok("POST", "serving/inference/", json=body)
    return api.settled(data["id"])


def _riva(api: Api, triton_id: int, riva_uri: str = "0.0.0.0:8080", service_port: bool = True) -> dict[str, Any]:
    command = f"riva_server --riva-uri={riva_uri} --asr_service=true --triton_uri=is-{triton_id}:9000"
    return api.endpoint(name="riva-api", detailed_info={"commands": b64('["bash", "-c"]'), "args": b64(repr([command]))},
                        custom_endpoint_details={"service_port": service_port, "container": {
                            "container_name": RIVA_IMAGE, "container_type": "public"}})


def _channel(emulator: EmulatorServer, trusted: bool = True) -> grpc.Channel:
    roots = emulator.ca_file.read_bytes() if trusted else None
    return grpc.secure_channel(emulator.grpc_address, grpc.ssl_channel_credentials(root_certificates=roots))


def _metadata(endpoint_id: int, token: str | None = AUTH_TOKEN, project: str = str(PROJECT)) -> tuple[tuple[str, str], ...]:
    pairs = [("svc", f"is-{endpoint_id}"), ("e2e-project", project)]
    return tuple(pairs + ([("x-auth-token", token)] if token is not None else []))


def _triton_ready(emulator: EmulatorServer, metadata: tuple[tuple[str, str], ...], trusted: bool = True) -> bool:
    with _channel(emulator, trusted) as channel:
        reply = tpb_grpc.GRPCInferenceServiceStub(channel).ServerReady(
            tpb.ServerReadyRequest(), metadata=metadata, timeout=10)
    return bool(reply.ready)


def _code(call: Any) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as failed:
        call()
    code: grpc.StatusCode = failed.value.code()
    return code


def _health(emulator: EmulatorServer, endpoint_id: int) -> str:
    with _channel(emulator) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(  # type: ignore[attr-defined]
            health_pb2.HealthCheckRequest(), metadata=_metadata(endpoint_id), timeout=10)
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


def test_routing_auth_and_tls(api: Api, emulator: EmulatorServer) -> None:
    repo = api.repository()
    _upload(repo)
    triton = _triton(api, repo)
    assert api.ok("GET", f"serving/inference/{triton['id']}/")["status"] == "running"
    assert _triton_ready(emulator, _metadata(triton["id"]))
    # Either form by default (the sources do not settle which TIR takes); only one of them
    # when the emulator plays that alternative.
    assert _triton_ready(emulator, _metadata(triton["id"], project=f"p-{PROJECT}"))
    try:
        emulator.alternatives.assign({"project_header": "p-number"})
        assert _triton_ready(emulator, _metadata(triton["id"], project=f"p-{PROJECT}"))
        assert _code(lambda: _triton_ready(emulator, _metadata(triton["id"]))) == grpc.StatusCode.NOT_FOUND
        emulator.alternatives.assign({"project_header": "number"})
        assert _triton_ready(emulator, _metadata(triton["id"]))
        assert _code(lambda: _triton_ready(emulator, _metadata(triton["id"], project=f"p-{PROJECT}"))) \
            == grpc.StatusCode.NOT_FOUND
    finally:
        emulator.alternatives.assign({"project_header": "either"})
    assert _code(lambda: _triton_ready(emulator, _metadata(triton["id"], token="wrong"))) \
        == grpc.StatusCode.UNAUTHENTICATED
    assert _code(lambda: _triton_ready(emulator, _metadata(triton["id"], token=None))) \
        == grpc.StatusCode.UNAUTHENTICATED
    assert _code(lambda: _triton_ready(emulator, _metadata(triton["id"], project="78"))) == grpc.StatusCode.NOT_FOUND
    assert _code(lambda: _triton_ready(emulator, _metadata(999999))) == grpc.StatusCode.NOT_FOUND
    # Only TLS, with a certificate from the emulator's CA: not one the system trusts.
    assert _code(lambda: _triton_ready(emulator, _metadata(triton["id"]), trusted=False)) \
        == grpc.StatusCode.UNAVAILABLE

    api.ok("PUT", f"serving/inference/{triton['id']}/", json={"action": "stop"})
    assert _code(lambda: _triton_ready(emulator, _metadata(triton["id"]))) == grpc.StatusCode.UNAVAILABLE


def test_riva_api_is_reached_on_the_http_port_box_only(api: Api, emulator: EmulatorServer) -> None:
    repo = api.repository()
    _upload(repo)
    triton = _triton(api, repo)
    riva = _riva(api, triton["id"])
    assert _health(emulator, riva["id"]) == "SERVING"  # riva_server -> is-<triton>:9000 inside TIR
    api.ok("DELETE", f"serving/inference/{riva['id']}/")

    unexposed = _riva(api, triton["id"], service_port=False)
    assert _code(lambda: _health(emulator, unexposed["id"])) == grpc.StatusCode.UNAVAILABLE
    api.ok("DELETE", f"serving/inference/{unexposed['id']}/")
    elsewhere = _riva(api, triton["id"], riva_uri="0.0.0.0:50051")  # listens where TIR does not forward
    assert _code(lambda: _health(emulator, elsewhere["id"])) == grpc.StatusCode.UNAVAILABLE


def test_a_stock_triton_runtime_never_becomes_ready(api: Api, emulator: EmulatorServer) -> None:
    """Without Riva's backends the models fail to load, and TIR's stock command line (no
    `--exit-on-error=false`) makes tritonserver exit: the endpoint fails with Triton's reason."""
    repo = api.repository()
    _upload(repo)
    for name, image in (("stock", STOCK_TRITON), ("default", None)):
        triton = _triton(api, repo, image)
        assert triton["status"] == "failed", name
        assert "unable to find backend library for backend 'riva_asr_" in triton["failure_reason"], name
        assert _code(lambda: _triton_ready(emulator, _metadata(triton["id"]))) == grpc.StatusCode.UNAVAILABLE
        api.ok("DELETE", f"serving/inference/{triton['id']}/")


SOLO_CONFIG = b'backend: "python" input [{name: "IN" data_type: TYPE_FP32 dims: [1]}] ' \
    b'output [{name: "OUT" data_type: TYPE_FP32 dims: [1]}]'
SOLO_MODEL = b"""
class TritonPythonModel:
    def execute(self, requests):
        return []
"""


def test_a_patch_rolls_the_old_container_serves_until_the_new_is_ready(api: Api, emulator: EmulatorServer) -> None:
    repo = api.repository()
    _upload(repo)
    triton = _triton(api, repo)
    path = f"serving/inference/{triton['id']}/"
    live = api.ok("GET", path)
    body = {k: live[k] for k in ("name", "framework", "model_id", "sku_id", "replica", "custom_endpoint_details")}
    s3 = _s3(repo)
    s3.put_object(Bucket=repo["bucket"]["bucket_name"], Key="next/solo/config.pbtxt", Body=SOLO_CONFIG)
    s3.put_object(Bucket=repo["bucket"]["bucket_name"], Key="next/solo/1/model.py", Body=SOLO_MODEL)
    patched = api.ok("PUT", path, json={**body, "action": "patch", "path": "next/"})
    assert patched["status"] == "deploying"
    assert _triton_ready(emulator, _metadata(triton["id"]))  # the old container serves while the new loads
    assert api.settled(triton["id"])["status"] == "running"
    with _channel(emulator) as channel:
        index = tpb_grpc.GRPCInferenceServiceStub(channel).RepositoryIndex(
            tpb.RepositoryIndexRequest(), metadata=_metadata(triton["id"]), timeout=10)
    assert [m.name for m in index.models] == ["solo"]  # the new one took over


def test_a_stop_at_zero_workers_goes_straight_to_stopped(api: Api) -> None:
    endpoint = api.endpoint()
    path = f"serving/inference/{endpoint['id']}/"
    api.control.transitions({"endpoint.stop": 60})
    api.ok("PUT", path, json={"action": "disable_auto_scale", "replicas": 0})
    assert api.ok("PUT", path, json={"action": "stop"})["status"] == "stopped"
    api.ok("PUT", path, json={"action": "start"})
    api.ok("PUT", path, json={"action": "disable_auto_scale", "replicas": 1})
    assert api.ok("PUT", path, json={"action": "stop"})["status"] == "terminating"


def test_a_restart_needs_running(api: Api) -> None:
    endpoint = api.endpoint()
    path = f"serving/inference/{endpoint['id']}/"
    api.ok("PUT", path, json={"action": "update_auto_scale", "auto_scale_policy": {"min_replicas": 0, "max_replicas": 2}})
    assert api.ok("GET", path)["status"] == "idle"
    assert "running" in api.error("PUT", path, 400, json={"action": "restart"})["message"]


def test_the_riva_stand_in_recognizes_speech_it_is_sent(api: Api, emulator: EmulatorServer) -> None:
    """Real recognition (pocketsphinx) of the shipped audio, through the ingress, only while
    Triton serves a pipeline of the asked type (docs/emulator.md, "Data plane")."""
    from riva_tir import speech
    from riva_tir.tir.endpoints import GrpcTarget

    repo = api.repository()
    _upload(repo)  # one streaming (online) pipeline
    triton = _triton(api, repo)
    riva = _riva(api, triton["id"])
    target = GrpcTarget(address=emulator.grpc_address, ca_file=str(emulator.ca_file),
                        metadata={"svc": f"is-{riva['id']}", "e2e-project": str(PROJECT)})
    result = speech.transcribe(target, AUTH_TOKEN, speech.AUDIO, "streaming")
    assert speech.word_error_rate(speech.REFERENCE, result.text) <= 0.25, result.text
    assert result.first_result_seconds is not None

    with pytest.raises(grpc.RpcError) as offline:
        speech.transcribe(target, AUTH_TOKEN, speech.AUDIO, "offline")
    assert offline.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "Unavailable model" in str(offline.value.details()) and "type=offline" in str(offline.value.details())

    # Scaled to zero, no Triton replica runs: Riva's error, not a transcript.
    api.ok("PUT", f"serving/inference/{triton['id']}/", json={
        "action": "update_auto_scale", "auto_scale_policy": {"min_replicas": 0, "max_replicas": 1}})
    assert api.ok("GET", f"serving/inference/{triton['id']}/")["status"] == "idle"
    with pytest.raises(grpc.RpcError) as idle:
        speech.transcribe(target, AUTH_TOKEN, speech.AUDIO, "streaming")
    assert idle.value.code() == grpc.StatusCode.UNAVAILABLE and "Triton is not ready" in str(idle.value.details())

    api.ok("PUT", f"serving/inference/{triton['id']}/", json={"action": "stop"})
    with pytest.raises(grpc.RpcError) as no_triton:
        speech.transcribe(target, AUTH_TOKEN, speech.AUDIO, "streaming")
    assert no_triton.value.code() == grpc.StatusCode.UNAVAILABLE
