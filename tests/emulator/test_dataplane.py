"""Triton and Riva stand-ins over real HTTP/gRPC, fed by a repository built on a node."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator

import grpc
import pytest
import requests
import tritonclient.grpc as triton_grpc
import tritonclient.http as triton_http
from grpc_health.v1 import health_pb2, health_pb2_grpc
from riva.client.proto import riva_asr_pb2 as asr
from riva.client.proto import riva_asr_pb2_grpc as asr_grpc

from tests.emulator.machinery_harness import (  # noqa: F401 (fixtures)
    Node,
    host,
    node,
    store,
)
from tir_emulator.dataplane import DataPlane
from tir_emulator.objectstore import ObjectStore

PIPELINE = "parakeet-0.6b-en-US-asr-streaming"
ENSEMBLE = f"{PIPELINE}-asr-bls-ensemble"
ACOUSTIC = f"riva-trt-{PIPELINE}-am-streaming"


@pytest.fixture(scope="module")
def plane(store: ObjectStore) -> Iterator[DataPlane]:
    dataplane = DataPlane(store)
    yield dataplane
    dataplane.stop_all()


def _health(port: int) -> str:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(),
                                                          timeout=10)
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


def _eventually_serving(port: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if _health(port) == "SERVING":
            return True
        time.sleep(0.2)
    return False


def _asr_config(port: int) -> list[tuple[str, dict[str, str]]]:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        reply = asr_grpc.RivaSpeechRecognitionStub(channel).GetRivaSpeechRecognitionConfig(
            asr.RivaSpeechRecognitionConfigRequest(), timeout=10)
    return [(c.model_name, dict(c.parameters)) for c in reply.model_config]


def test_full_chain_node_to_triton_to_riva(store: ObjectStore, node: Node,
                                           plane: DataPlane) -> None:
    bucket = f"repo-{uuid.uuid4().hex[:10]}"
    access, secret = store.create_bucket(bucket)
    http_port, grpc_port = plane.start_triton(101, bucket, "model-repository")
    riva_port = plane.start_riva(102, f"127.0.0.1:{grpc_port}")
    assert not plane.readiness(101).ready
    assert "no Triton model repository" in plane.readiness(101).reason
    assert _health(riva_port) == "NOT_SERVING"  # Triton up, repository still empty

    script = (
        "python -m tir_emulator.riva_tools make-artifact parakeet.riva --size 2000000 && "
        "riva-build speech_recognition asr.rmir:tlt_encode parakeet.riva:tlt_encode "
        f"--name={PIPELINE} --ms_per_timestep=80 --chunk_size=0.16 --language_code=en-US && "
        "riva-deploy asr.rmir:tlt_encode model-repository && "
        f"mc alias set eos {store.endpoint_url} {access} {secret} && "
        f"mc mirror model-repository eos/{bucket}/model-repository"
    )
    result = node.run(script)
    assert result.exit_status == 0, result.stderr

    ready = plane.readiness(101)
    assert ready.ready and ready.models == [ENSEMBLE, ACOUSTIC]
    assert plane.http_port(101) == http_port

    http = triton_http.InferenceServerClient(f"127.0.0.1:{http_port}")
    assert http.is_server_live() and http.is_server_ready()
    index = {m["name"]: m["state"] for m in http.get_model_repository_index()}
    assert index == {ENSEMBLE: "READY", ACOUSTIC: "READY"}
    assert http.is_model_ready(ACOUSTIC)
    assert http.get_model_config(ENSEMBLE)["parameters"]["type"]["string_value"] == "online"
    assert http.get_model_metadata(ACOUSTIC)["platform"] == "tensorrt_plan"
    assert http.get_server_metadata()["name"] == "triton"

    grpc_client = triton_grpc.InferenceServerClient(f"127.0.0.1:{grpc_port}")
    assert grpc_client.is_server_live() and grpc_client.is_server_ready()
    assert sorted(m.name for m in grpc_client.get_model_repository_index().models) == [ENSEMBLE,
                                                                                       ACOUSTIC]
    assert grpc_client.is_model_ready(ENSEMBLE)
    assert grpc_client.get_model_config(ENSEMBLE).config.name == ENSEMBLE
    assert _health(grpc_port) == "SERVING"

    assert _health(riva_port) == "SERVING"
    assert _asr_config(riva_port) == [
        (PIPELINE, {"type": "online", "language_code": "en-US", "streaming": "true"})]
    riva_ready = plane.readiness(102)
    assert riva_ready.ready and riva_ready.models == [PIPELINE]
    with grpc.insecure_channel(f"127.0.0.1:{riva_port}") as channel:
        with pytest.raises(grpc.RpcError) as unimplemented:
            asr_grpc.RivaSpeechRecognitionStub(channel).Recognize(asr.RecognizeRequest(),
                                                                 timeout=10)
    assert unimplemented.value.code() == grpc.StatusCode.UNIMPLEMENTED

    # Restart keeps addresses; stopping Triton takes Riva down with it.
    plane.stop(101)
    assert _health(riva_port) == "NOT_SERVING"
    assert "unreachable" in plane.readiness(102).reason
    assert plane.start_triton(101, bucket, "model-repository") == (http_port, grpc_port)
    assert _eventually_serving(riva_port, within=5.0)  # Riva reconnects after its backoff
    store.delete_bucket(bucket)


def test_invalid_models_keep_triton_unready(store: ObjectStore, plane: DataPlane) -> None:
    bucket = f"bad-{uuid.uuid4().hex[:10]}"
    store.create_bucket(bucket)
    store.put_object(bucket, "good/config.pbtxt", b'name: "good" backend: "python"')
    store.put_object(bucket, "good/1/model.py", b"")
    store.put_object(bucket, "renamed/config.pbtxt", b'name: "other" backend: "python"')
    store.put_object(bucket, "renamed/1/model.py", b"")
    store.put_object(bucket, "noversion/config.pbtxt", b'backend: "python"')
    store.put_object(bucket, "broken/config.pbtxt", b"name: {{{")
    store.put_object(bucket, "broken/1/x", b"")
    http_port, _grpc_port = plane.start_triton(201, bucket, "")
    readiness = plane.readiness(201)
    assert not readiness.ready and readiness.models == ["good"]
    base = f"http://127.0.0.1:{http_port}"
    assert requests.get(f"{base}/v2/health/ready", timeout=10).status_code == 400
    assert requests.get(f"{base}/v2/health/live", timeout=10).status_code == 200
    index = {m["name"]: m for m in requests.post(f"{base}/v2/repository/index",
                                                 timeout=10).json()}
    assert index["good"]["state"] == "READY"
    assert "expecting 'renamed'" in index["renamed"]["reason"]
    assert "at least one version" in index["noversion"]["reason"]
    assert "failed to parse config.pbtxt" in index["broken"]["reason"]
    assert requests.get(f"{base}/v2/models/renamed/ready", timeout=10).status_code == 400
    plane.stop(201)
    plane.start_triton(202, "no-such-bucket", "models")
    assert plane.readiness(202).reason == "bucket 'no-such-bucket' does not exist"
    plane.stop(202)
    store.delete_bucket(bucket)


def test_riva_not_serving_when_triton_uri_is_wrong(plane: DataPlane) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    riva_port = plane.start_riva(301, f"127.0.0.1:{closed_port}")
    assert _health(riva_port) == "NOT_SERVING"
    readiness = plane.readiness(301)
    assert not readiness.ready and f"127.0.0.1:{closed_port} unreachable" in readiness.reason
    assert _asr_config(riva_port) == []
    plane.stop(301)
    assert plane.readiness(301).reason == "endpoint 301 has no running container"


def test_generic_container_and_port_fallback(plane: DataPlane) -> None:
    port = plane.start_generic(401)
    base = f"http://127.0.0.1:{port}"
    assert requests.get(f"{base}/", timeout=10).status_code == 200
    assert requests.get(f"{base}/health", timeout=10).json() == {"status": "ok"}
    assert requests.get(f"{base}/nope", timeout=10).status_code == 404
    assert plane.readiness(401).ready
    other = plane.start_generic(402, http_port=port)  # taken by 401: a fresh port instead
    assert other != port and requests.get(f"http://127.0.0.1:{other}/", timeout=10).ok
    plane.stop(401)
    assert plane.start_generic(401) == port  # restart keeps the address
    plane.stop(401)
    plane.stop(402)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{other}/", timeout=5)
