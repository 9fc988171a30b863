"""Model repositories over real MinIO buckets."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.emulator.api_harness import Api, start_server
from riva_tir.emulator.model_repositories.models import PENDING_KIND
from riva_tir.emulator.server import EmulatorServer

pytestmark = pytest.mark.emulator


def _s3(item: dict[str, object]) -> object:
    bucket, keys = item["bucket"], item["access_key"]
    assert isinstance(bucket, dict) and isinstance(keys, dict)
    return boto3.client("s3", endpoint_url=bucket["endpoint"], region_name="us-east-1",
                        aws_access_key_id=keys["access_key"], aws_secret_access_key=keys["secret_key"])


def test_managed_repository_is_a_real_bucket_removed_on_delete(api: Api) -> None:
    repo = api.repository("asr models")
    bucket = repo["bucket"]["bucket_name"]
    assert repo["status"] == "Done" and repo["storage_type"] == "managed" and repo["access_key"]["secret_key"]
    s3 = _s3(repo)
    s3.put_object(Bucket=bucket, Key="m/config.pbtxt", Body=b"x")  # type: ignore[attr-defined]
    listed = api.ok("GET", f"serving/model/{repo['id']}/bucket/", params={"prefix": "m/"})
    assert listed == [{"name": "m/config.pbtxt"}]
    assert bucket in api.control.inventory()["buckets"]
    assert api.ok("GET", "serving/model/")[0]["id"] == repo["id"]
    scored = api.ok("PUT", f"serving/model/{repo['id']}/", json={"score": {"wer": 0.1}})
    assert scored["score"] == {"wer": 0.1}

    response = api.call("DELETE", f"serving/model/{repo['id']}/")
    assert response.json() == {"code": 200, "message": "Model deleted successfully", "data": {}, "errors": {}}
    api.error("GET", f"serving/model/{repo['id']}/", 404)
    assert bucket not in api.control.inventory()["buckets"]


def test_repository_validation(api: Api, emulator: EmulatorServer) -> None:
    base = {"name": "r", "model_type": "triton", "storage_type": "managed"}
    cases = {
        "name": {**base, "name": ""},
        "model_type": {**base, "model_type": "onnx"},
        "storage_type": {**base, "storage_type": "ftp"},
        "bucket_name": {**base, "storage_type": "e2e_s3", "bucket_name": "does-not-exist"},
        "access_key": {**base, "storage_type": "external", "bucket_name": "elsewhere"},
    }
    for field, body in cases.items():
        assert field in api.error("POST", "serving/model/", 400, json=body)["errors"], field
    assert emulator.state is not None
    emulator.state.objectstore.create_bucket("my-existing")
    existing = api.ok("POST", "serving/model/", json={**base, "storage_type": "e2e_s3", "bucket_name": "my-existing"})
    api.ok("DELETE", f"serving/model/{existing['id']}/")
    assert emulator.state.objectstore.bucket_exists("my-existing")  # not ours to delete


def test_a_bucket_being_made_holds_up_no_other_request(api: Api, emulator: EmulatorServer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """MinIO takes about a second per bucket (docs/performance.md): meanwhile the API answers
    other requests (another deployment's SSH key), the repository shows once it is made, and
    a second create of the same name loses without leaving its bucket."""
    assert emulator.state is not None
    objectstore = emulator.state.objectstore
    make, started, release = objectstore.create_bucket, threading.Event(), threading.Event()

    def held(name: str) -> tuple[str, str]:
        started.set()
        assert release.wait(60)
        return make(name)

    monkeypatch.setattr(objectstore, "create_bucket", held)
    body = {"name": "held", "model_type": "triton", "storage_type": "managed"}
    with ThreadPoolExecutor(2) as pool:
        creates = [pool.submit(api.call, "POST", "serving/model/", json=body)]
        assert started.wait(60)
        api.ssh_key()
        assert api.ok("GET", "serving/model/") == []
        started.clear()
        creates.append(pool.submit(api.call, "POST", "serving/model/", json=body))
        assert started.wait(60)
        release.set()
        responses = sorted((f.result(60) for f in creates), key=lambda r: r.status_code)
    assert [r.status_code for r in responses] == [201, 400]
    made = responses[0].json()["data"]
    assert [r["id"] for r in api.ok("GET", "serving/model/")] == [made["id"]]
    assert [b for b in api.control.inventory()["buckets"] if b.startswith("tir-model-")] == [
        made["bucket"]["bucket_name"]]


def test_the_bucket_of_a_create_a_stop_interrupted_goes_at_the_next_start(tmp_path: Path) -> None:
    server = start_server(tmp_path / "emulator")
    try:
        assert server.state is not None
        server.state.objectstore.create_bucket("tir-model-2001-cut")
        server.state.store.put(PENDING_KIND, 2001, {"id": 2001, "bucket": "tir-model-2001-cut"}, None, None)
        server.stop()
        server.start()
        assert server.state is not None
        assert "tir-model-2001-cut" not in server.state.objectstore.list_buckets()
        assert server.state.store.list(PENDING_KIND) == []
    finally:
        server.stop()
