"""Real Triton replicas and the Riva stand-in over real HTTP/gRPC, fed by a repository built
on a node."""

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

from riva_tir import speech
from riva_tir.deployment import MOUNT_PATH, triton_args
from riva_tir.emulator.assumptions import DRAIN_SECONDS
from riva_tir.emulator.assumptions import TRITON_FRAMEWORK_COMMAND
from riva_tir.emulator.dataplane import DataPlane, Readiness, triton
from riva_tir.emulator.objectstore import ObjectStore
from tests.emulator.machinery_harness import Node

pytestmark = pytest.mark.emulator

PIPELINE = "parakeet-0.6b-en-US-asr-streaming"
ENSEMBLE = f"{PIPELINE}-asr-bls-ensemble"
ACOUSTIC = f"riva-trt-{PIPELINE}-am-streaming"
DECODER = f"{PIPELINE}-ctc-decoder-cpu-streaming"
MODELS = sorted([ENSEMBLE, ACOUSTIC, DECODER])
RIVA_PORT = 50051


def _port(plane: DataPlane, endpoint_id: int, container_port: int) -> int:
    port = plane.port(endpoint_id, container_port)
    assert port is not None, f"endpoint {endpoint_id} does not listen on {container_port}"
    return port


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


def _deploy_pipeline(store: ObjectStore, node: Node, bucket: str, plugins: tuple[str, ...] = ()) -> None:
    """Build and deploy on the node, then publish the repository (and the plugins riva-deploy
    left beside it, to the location's root) as riva-tir does."""
    access, secret = store.create_bucket(bucket)
    needs = "".join(f" --trt-plugin {p}" for p in plugins)
    copies = "".join(f" && mc cp plugins/{p} eos/{bucket}/model-repository/" for p in plugins)
    script = (
        f"rm -rf plugins && python -m riva_tir.emulator.riva_tools make-artifact parakeet.riva --size 2000000{needs} && "
        "riva-build speech_recognition asr.rmir:tlt_encode parakeet.riva:tlt_encode "
        f"--name={PIPELINE} --ms_per_timestep=80 --chunk_size=0.16 --language_code=en-US && "
        "riva-deploy -f asr.rmir:tlt_encode model-repository && "
        f"mc alias set eos {store.endpoint_url} {access} {secret} && "
        f"mc mirror --overwrite model-repository eos/{bucket}/model-repository{copies}"
    )
    result = node.run(script)
    assert result.exit_status == 0, result.stderr


def _start_triton(plane: DataPlane, endpoint_id: int, bucket: str, prefix: str = "model-repository",
                  riva_image: bool = True, extra: tuple[str, ...] = (), preload: str = "") -> None:
    """Triton as riva-tir's endpoint starts it with one model repository (riva_tir/deployment.py triton_args)."""
    plane.start_triton(endpoint_id, bucket, prefix, ["tritonserver", *triton_args([MOUNT_PATH]), *extra], riva_image,
                       {"LD_PRELOAD": preload} if preload else {})


def _settled(plane: DataPlane, endpoint_id: int, within: float = 120.0) -> Readiness:
    """Triton's readiness once it has loaded what it could (ready, a model failed, or exited)."""
    deadline = time.monotonic() + within
    while True:
        readiness = plane.readiness(endpoint_id)
        if readiness.ready or readiness.crashed or "UNAVAILABLE" in readiness.reason \
                or time.monotonic() > deadline:
            return readiness
        time.sleep(0.2)


def _stream(port: int, audio: bytes) -> list[asr.StreamingRecognizeResponse]:
    config = asr.StreamingRecognitionConfig(config=asr.RecognitionConfig(language_code="en-US"))
    chunks = [asr.StreamingRecognizeRequest(streaming_config=config)] + [
        asr.StreamingRecognizeRequest(audio_content=audio[i:i + 3200]) for i in range(0, len(audio), 3200)]
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        return list(asr_grpc.RivaSpeechRecognitionStub(channel).StreamingRecognize(iter(chunks), timeout=120))


def test_full_chain_node_to_triton_to_riva(store: ObjectStore, node: Node,
                                           plane: DataPlane) -> None:
    bucket = f"repo-{uuid.uuid4().hex[:10]}"
    _deploy_pipeline(store, node, bucket)
    _start_triton(plane, 101, bucket)
    plane.start_riva(102, "is-101:9000", RIVA_PORT)  # TIR's in-cluster name for Triton
    ready = _settled(plane, 101)
    assert ready.ready and ready.models == MODELS, ready.reason
    http_port, grpc_port, riva_port = _port(plane, 101, 8080), _port(plane, 101, 9000), _port(plane, 102, RIVA_PORT)
    assert plane.resolve("is-101:9000") == f"127.0.0.1:{grpc_port}" and plane.resolve("is-101:1234") is None

    http = triton_http.InferenceServerClient(f"127.0.0.1:{http_port}")
    assert http.is_server_live() and http.is_server_ready()
    index = {m["name"]: m["state"] for m in http.get_model_repository_index()}
    assert index == dict.fromkeys(MODELS, "READY")
    assert http.is_model_ready(ACOUSTIC)
    assert http.get_model_config(ENSEMBLE)["parameters"]["type"]["string_value"] == "online"
    assert http.get_model_config(ACOUSTIC)["platform"] == "tensorrt_plan"
    assert http.get_server_metadata()["version"] == "2.51.0"  # the real server answers

    grpc_client = triton_grpc.InferenceServerClient(f"127.0.0.1:{grpc_port}")
    assert grpc_client.is_server_live() and grpc_client.is_server_ready()
    assert sorted(m.name for m in grpc_client.get_model_repository_index().models) == MODELS
    assert grpc_client.is_model_ready(ENSEMBLE)
    assert grpc_client.get_model_config(ENSEMBLE).config.name == ENSEMBLE

    assert _eventually_serving(riva_port, within=10.0)
    assert _asr_config(riva_port) == [
        (PIPELINE, {"type": "online", "language_code": "en-US", "streaming": "true"})]
    riva_ready = plane.readiness(102)
    assert riva_ready.ready and riva_ready.models == [PIPELINE]
    # Riva recognizes through Triton: the final transcript is what Triton's models produced.
    final = _stream(riva_port, speech.AUDIO.read_bytes())[-1].results[0]
    assert final.is_final and speech.word_error_rate(speech.REFERENCE, final.alternatives[0].transcript) <= 0.25
    stats = grpc_client.get_inference_statistics(ACOUSTIC).model_stats[0]
    assert stats.inference_count >= 1  # the acoustic model ran the recognition
    with grpc.insecure_channel(f"127.0.0.1:{riva_port}") as channel:
        with pytest.raises(grpc.RpcError) as offline:  # only the streaming pipeline is deployed
            asr_grpc.RivaSpeechRecognitionStub(channel).Recognize(asr.RecognizeRequest(),
                                                                 timeout=10)
    assert offline.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "Unavailable model requested" in str(offline.value.details()) and "type=offline" in str(offline.value.details())

    # Stopping Triton takes Riva down with it: recognition fails with Riva's error; a Triton
    # started again (new ports) is found again through its in-cluster name.
    plane.stop(101)
    assert _health(riva_port) == "NOT_SERVING"
    assert "unreachable" in plane.readiness(102).reason
    with pytest.raises(grpc.RpcError) as down:
        _stream(riva_port, speech.AUDIO.read_bytes())
    assert down.value.code() == grpc.StatusCode.UNAVAILABLE and "Triton is not ready" in str(down.value.details())
    _start_triton(plane, 101, bucket)
    assert _eventually_serving(riva_port, within=120.0)
    plane.stop(101)
    plane.stop(102)
    store.delete_bucket(bucket)


def test_stock_triton_cannot_load_a_riva_repository(store: ObjectStore, node: Node, plane: DataPlane) -> None:
    """TIR's stock Triton images lack Riva's backends (docs/riva.md §6): Triton itself finds
    no backend for the decoder and the ensemble."""
    bucket = f"stock-{uuid.uuid4().hex[:10]}"
    _deploy_pipeline(store, node, bucket)
    _start_triton(plane, 111, bucket, riva_image=False)
    readiness = _settled(plane, 111)
    assert not readiness.ready and readiness.models == [ACOUSTIC]
    http = triton_http.InferenceServerClient(f"127.0.0.1:{_port(plane, 111, 8080)}")
    index = {m["name"]: m for m in http.get_model_repository_index()}
    for model, backend in ((DECODER, "riva_asr_decoder"), (ENSEMBLE, "riva_asr_bls")):
        assert index[model]["state"] == "UNAVAILABLE" and backend in index[model]["reason"], index[model]
    plane.stop(111)
    store.delete_bucket(bucket)


def test_a_model_that_needs_a_plugin_loads_only_with_it_preloaded(store: ObjectStore, node: Node,
                                                                  plane: DataPlane) -> None:
    """riva-deploy leaves the plugin beside the repository; Triton loads the model only when
    LD_PRELOAD names that file in the mounted repository (docs/riva.md §6)."""
    bucket = f"plugin-{uuid.uuid4().hex[:10]}"
    _deploy_pipeline(store, node, bucket, plugins=("libriva_asr_plugin.so",))
    plugin = node.disk / "plugins" / "libriva_asr_plugin.so"
    assert plugin.read_bytes().startswith(b"\x7fELF") and not (node.disk / "model-repository" / "libriva_asr_plugin.so").exists()
    config = (node.disk / "model-repository" / ACOUSTIC / "config.pbtxt").read_text()
    assert "libriva_asr_plugin.so" in config

    wrong = ("",  # no LD_PRELOAD
             "/opt/riva/libriva_asr_plugin.so",  # not where the repository is mounted
             "/mnt/models/sub/libriva_asr_plugin.so")  # not at its root
    for number, preload in enumerate(wrong):  # started together: they load side by side
        _start_triton(plane, 131 + number, bucket, preload=preload)
    _start_triton(plane, 139, bucket, preload="/mnt/models/libriva_asr_plugin.so")
    for number, preload in enumerate(wrong):
        readiness = _settled(plane, 131 + number)
        assert not readiness.ready, preload
        assert readiness.reason.startswith(f"model '{ACOUSTIC}' is UNAVAILABLE: ") and \
            "plugin library 'libriva_asr_plugin.so' not found" in readiness.reason, readiness.reason
        assert ACOUSTIC not in readiness.models and ENSEMBLE in readiness.models
        http = triton_http.InferenceServerClient(f"127.0.0.1:{_port(plane, 131 + number, 8080)}")
        assert not http.is_server_ready() and not http.is_model_ready(ACOUSTIC)
        plane.stop(131 + number)
    ready = _settled(plane, 139)
    assert ready.ready and ready.models == MODELS, ready.reason  # the .so at the root is no model
    plane.stop(139)
    store.delete_bucket(bucket)


def test_a_flag_tritonserver_rejects_fails_the_replica(store: ObjectStore, plane: DataPlane) -> None:
    bucket = f"flag-{uuid.uuid4().hex[:10]}"
    store.create_bucket(bucket)
    _start_triton(plane, 141, bucket, prefix="", extra=("--no-such-flag=1",))
    readiness = _settled(plane, 141)
    assert readiness.crashed and "tritonserver exited with status" in readiness.reason, readiness.reason
    plane.stop(141)
    store.delete_bucket(bucket)


def test_a_rolling_restart_serves_from_the_old_instance_until_the_new_is_ready(plane: DataPlane) -> None:
    plane.start_generic(121, 8080)
    old = _port(plane, 121, 8080)
    plane.start_generic(121, 8080, rolling=True)
    assert _port(plane, 121, 8080) == old  # the old one still serves
    assert requests.get(f"http://127.0.0.1:{old}/health", timeout=10).ok
    assert plane.readiness(121).ready  # the new one is ready: it takes over
    new = _port(plane, 121, 8080)
    assert new != old and requests.get(f"http://127.0.0.1:{new}/health", timeout=10).ok
    # The old one drains: what it was asked still gets answered, then it stops.
    assert requests.get(f"http://127.0.0.1:{old}/health", timeout=10).ok
    deadline = time.monotonic() + DRAIN_SECONDS + 10
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{old}/health", timeout=5)
        except requests.ConnectionError:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the replaced instance still answers {DRAIN_SECONDS + 10:.0f} s after the new one took over")
    plane.stop(121)
    assert plane.port(121, 8080) is None


GOOD_MODEL = b"""
import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        return [pb_utils.InferenceResponse([pb_utils.Tensor("OUT", np.zeros(1, np.float32))]) for _ in requests]
"""


def _put_python_model(store: ObjectStore, bucket: str, folder: str, name: str = "") -> None:
    """A Python-backend model (GOOD_MODEL) in `folder`, its config naming it `name` (the folder's
    own name when empty)."""
    io = b'input [{name: "IN" data_type: TYPE_FP32 dims: [1]}] output [{name: "OUT" data_type: TYPE_FP32 dims: [1]}]'
    store.put_object(bucket, f"{folder}/config.pbtxt", f'name: "{name or folder}" backend: "python" '.encode() + io)
    store.put_object(bucket, f"{folder}/1/model.py", GOOD_MODEL)


def test_models_triton_cannot_poll(store: ObjectStore, plane: DataPlane) -> None:
    """Measured on tritonserver 2.51: a model whose config does not parse or names another
    model is listed without a state and not served, while the server, with riva-tir's
    `--exit-on-error=false`, reports ready; without that flag (TIR's stock command line) it exits."""
    bucket = f"bad-{uuid.uuid4().hex[:10]}"
    store.create_bucket(bucket)
    _put_python_model(store, bucket, "good")
    _put_python_model(store, bucket, "renamed", name="other")
    store.put_object(bucket, "broken/config.pbtxt", b"name: {{{")
    store.put_object(bucket, "broken/1/x", b"")
    _start_triton(plane, 201, bucket, prefix="")
    plane.start_triton(203, bucket, "", list(TRITON_FRAMEWORK_COMMAND), riva_image=True)
    readiness = _settled(plane, 201)
    assert readiness.ready and readiness.models == ["good"]
    base = f"http://127.0.0.1:{_port(plane, 201, 8080)}"
    assert requests.get(f"{base}/v2/health/live", timeout=10).status_code == 200
    index = {m["name"]: m for m in requests.post(f"{base}/v2/repository/index", timeout=10).json()}
    assert index == {"good": {"name": "good", "version": "1", "state": "READY"},
                     "renamed": {"name": "renamed"}, "broken": {"name": "broken"}}
    assert requests.get(f"{base}/v2/models/renamed/ready", timeout=10).status_code == 400
    assert requests.post(f"{base}/v2/models/good/infer", timeout=30, json={
        "inputs": [{"name": "IN", "datatype": "FP32", "shape": [1], "data": [1.0]}]}).json()["outputs"][0]["data"] == [0.0]
    exited = _settled(plane, 203)
    assert exited.crashed and "failed to load all models" in exited.reason, exited.reason
    plane.stop(203)
    plane.stop(201)
    _start_triton(plane, 202, "no-such-bucket", prefix="models")
    missing = _settled(plane, 202)
    assert missing.crashed and missing.reason == "model download failed: bucket 'no-such-bucket' does not exist"
    plane.stop(202)
    store.delete_bucket(bucket)


def test_a_port_taken_before_triton_binds_it_is_chosen_again(store: ObjectStore, plane: DataPlane,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A port chosen free can be taken before tritonserver binds it. Triton then loads its
    models, answers over HTTP and exits at its metrics port: the replica is not ready until
    a server started on new ports holds them all, and serves on those."""
    bucket = f"port-{uuid.uuid4().hex[:10]}"
    store.create_bucket(bucket)
    _put_python_model(store, bucket, "good")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        taken_port = taken.getsockname()[1]
        launches: list[dict[str, tuple[int, int]]] = []
        choose = triton.command_line

        def metrics_port_taken_at_first(*args: object) -> tuple[list[str], dict[str, tuple[int, int]]]:
            argv, published = choose(*args)  # type: ignore[arg-type]
            if not launches:
                container, free = published["--metrics-port"]
                argv = [t.replace(f"--metrics-port={free}", f"--metrics-port={taken_port}") for t in argv]
                published = {**published, "--metrics-port": (container, taken_port)}
            launches.append(published)
            return argv, published

        monkeypatch.setattr(triton, "command_line", metrics_port_taken_at_first)
        _start_triton(plane, 211, bucket, prefix="")
        deadline = time.monotonic() + 120
        while not (readiness := plane.readiness(211)).ready:  # as often as it can be asked
            assert not readiness.crashed and time.monotonic() < deadline, readiness.reason
        http = _port(plane, 211, 8080)
        metrics = _port(plane, 211, launches[0]["--metrics-port"][0])
    assert len(launches) == 2 and metrics == launches[1]["--metrics-port"][1] != taken_port, launches
    assert http == launches[1]["--http-port"][1]
    time.sleep(1.0)
    assert requests.get(f"http://127.0.0.1:{http}/v2/health/ready", timeout=10).status_code == 200
    plane.stop(211)
    store.delete_bucket(bucket)


def test_riva_not_serving_when_triton_uri_is_wrong(plane: DataPlane) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    plane.start_riva(301, f"is-{closed_port}:9000", RIVA_PORT)
    riva_port = _port(plane, 301, RIVA_PORT)
    assert _health(riva_port) == "NOT_SERVING"
    readiness = plane.readiness(301)
    assert not readiness.ready and f"is-{closed_port}:9000 unreachable" in readiness.reason
    assert _asr_config(riva_port) == []
    plane.stop(301)
    assert plane.readiness(301).reason == "endpoint 301 has no running container"


def test_generic_container_on_its_service_port(plane: DataPlane) -> None:
    plane.start_generic(401, 8080)
    port = _port(plane, 401, 8080)
    base = f"http://127.0.0.1:{port}"
    assert requests.get(f"{base}/", timeout=10).status_code == 200
    assert requests.get(f"{base}/health", timeout=10).json() == {"status": "ok"}
    assert requests.get(f"{base}/nope", timeout=10).status_code == 404
    assert plane.readiness(401).ready and plane.port(401, 9000) is None
    plane.stop(401)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/", timeout=5)
