"""Endpoints: validation, Triton/Riva/custom lifecycles on the real data plane, actions, proxy."""

from __future__ import annotations

import socket
import time
from collections.abc import Collection
from typing import Any

import boto3
import pytest
import requests

from riva_tir.emulator.dataplane import triton as triton_dataplane
from riva_tir.emulator.loopback import free_port
from tests.emulator.api_harness import AUTH_TOKEN, CPU_COMMITTED, CPU_SKU, Api, b64


pytestmark = pytest.mark.emulator
MODEL = "parakeet-asr-bls-ensemble"
CONFIG = f'name: "{MODEL}"\nbackend: "python"\nparameters {{ key: "type" value {{ string_value: "online" }} }}\n'
# The smallest model Triton's Python backend loads: it answers nothing it is not asked.
MODEL_PY = b"class TritonPythonModel:\n    def execute(self, requests):\n        return []\n"


def _upload_triton_model(repo: dict[str, Any], prefix: str) -> None:
    """Write a Triton layout with the repository's own credentials (as a user would)."""
    s3 = boto3.client("s3", endpoint_url=repo["bucket"]["endpoint"], region_name="us-east-1",
                      aws_access_key_id=repo["access_key"]["access_key"],
                      aws_secret_access_key=repo["access_key"]["secret_key"])
    bucket = repo["bucket"]["bucket_name"]
    s3.put_object(Bucket=bucket, Key=f"{prefix}{MODEL}/config.pbtxt", Body=CONFIG.encode())
    s3.put_object(Bucket=bucket, Key=f"{prefix}{MODEL}/1/model.py", Body=MODEL_PY)


def _triton_body(model_id: int, **overrides: Any) -> dict[str, Any]:
    return {"name": "triton", "framework": "triton", "model_id": model_id, "path": "models/", "sku_id": CPU_SKU,
            "replica": 1, "detailed_info": {"args": b64("['tritonserver', '--model-store=/mnt/models', '--http-port=8080', '--grpc-port=9000']")},
            **overrides}


def test_validation_names_the_field(api: Api) -> None:
    repo = api.repository()
    cases = {
        "model_id": [_triton_body(None), _triton_body(999999)],  # type: ignore[arg-type]
        "container_name": [api.custom_body(custom_endpoint_details={"container": {}})],
        "replica": [api.custom_body(replica=-1)],
        "max_replicas": [api.custom_body(is_auto_scale_enabled=True,
                                         auto_scale_policy={"min_replicas": 3, "max_replicas": 2})],
        "min_replicas": [api.custom_body(is_auto_scale_enabled=True,
                                         auto_scale_policy={"min_replicas": -1, "max_replicas": 2})],
        "sku_id": [api.custom_body(sku_id=999, sku_item_price_id=None)],
        "framework": [api.custom_body(framework="")],
        "commands": [api.custom_body(detailed_info={"commands": b64("not a list")})],
        "env_variables": [api.custom_body(custom_endpoint_details={
            "container": {"container_name": "nginx"}, "resource_details": {"env_variables": env}})
            for env in ({"LD_PRELOAD": "/mnt/models/x.so"}, [{"value": "x"}], [{"key": "A", "value": 1}])],
    }
    for field, bodies in cases.items():
        for body in bodies:
            errors = api.error("POST", "serving/inference/", 400, json=body)["errors"]
            assert field in errors, (field, errors)
    assert api.ok("GET", "serving/inference/") == [] and repo["id"]


def test_commands_and_args_decode_from_json_and_python_literals(api: Api) -> None:
    created = api.endpoint()
    assert created["detailed_info"]["commands"] == ["nginx"]
    assert created["detailed_info"]["args"] == ["-g", "daemon off;"]


def _status_once_settled(api: Api, endpoint_id: int, timeout: float = 60.0) -> str:
    """The endpoint's status once it is no longer deploying (the real tritonserver loads
    for seconds)."""
    deadline = time.monotonic() + timeout
    status = api.ok("GET", f"serving/inference/{endpoint_id}/")["status"]
    while status == "deploying" and time.monotonic() < deadline:
        time.sleep(0.2)
        status = api.ok("GET", f"serving/inference/{endpoint_id}/")["status"]
    return str(status)


def test_triton_that_loses_its_metrics_port_after_answering_runs_on_new_ports(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loopback port chosen free can be taken before tritonserver binds it. Triton binds
    its metrics port after it answers over HTTP and then exits over it; the emulator's
    replica starts again on new ports and the endpoint runs."""
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    chosen: list[int] = []

    def taken_metrics_port(host: str, avoid: Collection[int] = ()) -> int:
        chosen.append(len(chosen))
        return held.getsockname()[1] if len(chosen) == 3 else free_port(host, avoid=avoid)  # http, grpc, metrics

    monkeypatch.setattr(triton_dataplane, "free_port", taken_metrics_port)
    with held:
        repo = api.repository()
        _upload_triton_model(repo, "models/")
        endpoint = api.ok("POST", "serving/inference/", json=_triton_body(repo["id"]))
        deadline = time.monotonic() + 30
        while len(chosen) < 6 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert len(chosen) == 6  # the first server ended over its metrics port; a second runs on new ports
    assert _status_once_settled(api, endpoint["id"]) == "running"


def test_triton_deploys_from_the_model_path_it_downloads(api: Api) -> None:
    repo = api.repository()
    _upload_triton_model(repo, "models/")
    endpoint = api.ok("POST", "serving/inference/", json=_triton_body(repo["id"]))
    assert endpoint["status"] == "deploying"  # downloading the model path, then Triton loads it
    assert not {"grpc_endpoint", "http_endpoint"} & set(endpoint)  # no field carries an address (docs/tir.md §8.8)
    assert _status_once_settled(api, endpoint["id"]) == "running"
    logs = api.ok("GET", f"serving/inference/{endpoint['id']}/logs/")
    assert any("downloading the model path" in line for line in logs)
    running = api.ok("GET", f"serving/inference/{endpoint['id']}/")
    ready = requests.get(f"{api.http_url(running['id'])}v2/health/ready",
                         headers={"Authorization": f"Bearer {AUTH_TOKEN}"}, timeout=10)
    assert ready.status_code == 200
    assert [o["name"] for o in api.ok("GET", f"serving/model/{repo['id']}/bucket/", params={"prefix": "models/"})] \
        == [f"models/{MODEL}/1/model.py", f"models/{MODEL}/config.pbtxt"]


def test_riva_custom_container_waits_for_triton_only_with_a_readiness_probe(api: Api) -> None:
    """TIR shows a custom container Running before its server is up unless a readiness
    probe says otherwise (docs/tir.md §8.8)."""
    repo = api.repository()
    _upload_triton_model(repo, "models/")
    triton = api.ok("POST", "serving/inference/", json=_triton_body(repo["id"]))
    command = f"start-riva --riva-uri=0.0.0.0:8080 --triton_uri=is-{triton['id']}:9000 --asr_service=true"
    info = {"commands": b64('["bash", "-c"]'), "args": b64(repr([command]))}
    probe = {"is_readiness_probe_enabled": True,
             "readiness_probe": {"protocol": "grpc", "port": 8080, "initial_delay_seconds": 1}}
    container = {"container_name": "registry.example/riva-speech:2.19.0", "container_type": "public"}
    unprobed = api.endpoint(name="riva", detailed_info=info, custom_endpoint_details={"container": container})
    probed = api.endpoint(name="riva-probed", detailed_info=info, custom_endpoint_details={
        "container": {**container, "advance_config": probe}})
    assert unprobed["status"] == "running"  # before Triton serves anything
    assert probed["status"] == "deploying"  # Triton is still loading
    assert _status_once_settled(api, triton["id"]) == "running"
    assert _status_once_settled(api, probed["id"]) == "running"


def test_stop_start_restart_and_committed_refusal(api: Api) -> None:
    endpoint = api.endpoint()
    assert endpoint["status"] == "running"
    path = f"serving/inference/{endpoint['id']}/"
    api.error("PUT", path, 400, json={"action": "start"})
    assert api.ok("PUT", path, json={"action": "stop"})["status"] == "stopped"
    api.error("PUT", path, 400, json={"action": "restart"})
    assert api.ok("PUT", path, json={"action": "start"})["status"] == "running"
    assert api.ok("PUT", path, json={"action": "restart"})["status"] == "running"
    assert "restart" in " ".join(api.ok("GET", f"{path}logs/"))
    assert "action" in api.error("PUT", path, 400, json={"action": "explode"})["errors"]

    committed = api.endpoint(name="committed", sku_item_price_id=CPU_COMMITTED,
                             committed_instance_policy="auto_terminate")
    body = api.error("PUT", f"serving/inference/{committed['id']}/", 400, json={"action": "stop"})
    assert "committed" in body["message"]


def test_autoscale_idle_replicas_and_patch(api: Api) -> None:
    endpoint = api.endpoint(replica=2)
    path = f"serving/inference/{endpoint['id']}/"
    assert [r["status"] for r in api.ok("GET", f"{path}replicas/")] == ["Running", "Running"]
    scaled = api.ok("PUT", path, json={"action": "update_auto_scale",
                                       "auto_scale_policy": {"min_replicas": 0, "max_replicas": 3}})
    assert scaled["status"] == "idle" and scaled["is_auto_scale_enabled"] is True
    assert scaled["auto_scale_policy"]["stability_period"] == "300"
    assert api.ok("GET", f"{path}replicas/") == []
    fixed = api.ok("PUT", path, json={"action": "disable_auto_scale", "replicas": 3})
    assert fixed["status"] == "running" and fixed["replica"] == 3 and not fixed["is_auto_scale_enabled"]
    replicas = api.ok("GET", f"{path}replicas/")
    assert len(replicas) == 3
    api.ok("DELETE", f"{path}replicas/{replicas[0]['replica_name']}/")
    api.error("DELETE", f"{path}replicas/nope/", 404)
    assert "replicas" in api.error("PUT", path, 400, json={"action": "disable_auto_scale", "replicas": -1})["errors"]
    patched = api.ok("PUT", path, json={"action": "patch", "name": "web2"})
    assert patched["name"] == "web2" and patched["status"] == "running"
    api.error("PUT", path, 400, json={"action": "update", "name": "web3"})


def test_delete_returns_the_object_then_404(api: Api) -> None:
    endpoint = api.endpoint()
    deleted = api.ok("DELETE", f"serving/inference/{endpoint['id']}/")
    assert deleted["id"] == endpoint["id"] and deleted["name"] == "web"
    api.error("GET", f"serving/inference/{endpoint['id']}/", 404)
    assert api.control.inventory()["endpoints"] == []


def test_data_plane_proxy_auth_status_and_forwarding(api: Api) -> None:
    endpoint = api.endpoint()
    url = api.http_url(endpoint["id"])
    assert requests.get(f"{url}health", timeout=10).status_code == 401
    assert requests.get(f"{url}health", headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 401
    auth = {"Authorization": f"Bearer {AUTH_TOKEN}"}
    assert requests.get(f"{url}health", headers=auth, timeout=10).status_code == 200
    wrong_project = url.replace("/p-77/", "/p-78/")
    assert requests.get(wrong_project, headers=auth, timeout=10).status_code == 404
    api.ok("PUT", f"serving/inference/{endpoint['id']}/", json={"action": "stop"})
    stopped = requests.get(f"{url}health", headers=auth, timeout=10)
    assert stopped.status_code == 503 and stopped.json()["code"] == 503


def test_fail_control_marks_endpoint_failed(api: Api) -> None:
    endpoint = api.endpoint()
    api.control.fail("endpoint", endpoint["id"], "OOMKilled")
    failed = api.ok("GET", f"serving/inference/{endpoint['id']}/")
    assert failed["status"] == "failed" and failed["failure_reason"] == "OOMKilled"
    auth = {"Authorization": f"Bearer {AUTH_TOKEN}"}
    assert requests.get(f"{api.http_url(failed['id'])}health", headers=auth, timeout=10).status_code == 503
