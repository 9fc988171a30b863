"""ObjectStore against a real MinIO process: buckets, objects, scoped keys, persistence."""

from __future__ import annotations

import socket
import stat
import sys
import uuid
from collections.abc import Collection
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError

from riva_tir.emulator.loopback import free_port
from riva_tir.emulator.objectstore import BucketNotFound, MinioFailed, ObjectStore
from riva_tir.emulator.objectstore import process as minio_process

pytestmark = pytest.mark.emulator


def _name() -> str:
    return f"b-{uuid.uuid4().hex[:12]}"


def test_bucket_and_object_round_trip(store: ObjectStore) -> None:
    bucket = _name()
    assert not store.bucket_exists(bucket)
    store.create_bucket(bucket)
    assert store.bucket_exists(bucket)
    assert bucket in store.list_buckets()
    store.put_object(bucket, "models/a/config.pbtxt", b'name: "a"')
    store.put_object(bucket, "models/a/1/model.plan", b"\x00" * 10)
    store.put_object(bucket, "other.txt", b"x")
    assert sorted(store.list_objects(bucket, "models/")) == ["models/a/1/model.plan",
                                                             "models/a/config.pbtxt"]
    assert store.get_object(bucket, "models/a/config.pbtxt") == b'name: "a"'
    with pytest.raises(KeyError):
        store.get_object(bucket, "missing")
    store.delete_bucket(bucket)  # not empty: objects go too
    assert not store.bucket_exists(bucket)
    store.delete_bucket(bucket)  # missing is fine
    with pytest.raises(BucketNotFound):
        store.list_objects(bucket)


def test_bucket_keys_are_scoped_to_their_bucket(store: ObjectStore) -> None:
    mine, other = _name(), _name()
    access, secret = store.create_bucket(mine)
    store.create_bucket(other)
    assert store.create_bucket(mine) == (access, secret)  # idempotent, same pair
    client = store.client(access, secret)
    client.put_object(Bucket=mine, Key="k", Body=b"v")
    assert store.get_object(mine, "k") == b"v"
    with pytest.raises(ClientError) as denied:
        client.put_object(Bucket=other, Key="k", Body=b"v")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    store.delete_bucket(mine)
    with pytest.raises(ClientError) as gone:  # the bucket's user is removed with it
        client.list_objects_v2(Bucket=mine)
    assert gone.value.response["Error"]["Code"] in {"InvalidAccessKeyId", "AccessDenied"}
    store.delete_bucket(other)


def test_data_credentials_and_port_survive_restart(tmp_path: Path) -> None:
    first = ObjectStore(tmp_path)
    first.start()
    try:
        access, secret = first.create_bucket("persist")
        first.put_object("persist", "m/config.pbtxt", b"cfg")
        # More buckets than MinIO loads in one batch at boot (10 per erasure set).
        others = [f"more-{index:02d}" for index in range(11)]
        for bucket in others:
            first.create_bucket(bucket)
        url = first.endpoint_url
    finally:
        first.stop()
    state = tmp_path / "minio.json"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    again = ObjectStore(tmp_path)
    again.start()
    try:
        # Handed out only once every bucket it lists answers, as a delete right after a
        # restart relies on (docs/emulator.md, "MinIO's start").
        listed = again.list_buckets()
        assert [bucket for bucket in listed if not again.bucket_exists(bucket)] == []
        assert again.endpoint_url == url
        assert listed == sorted(["persist", *others])
        assert again.get_object("persist", "m/config.pbtxt") == b"cfg"
        client = again.client(access, secret)  # keys issued before the restart still work
        assert client.get_object(Bucket="persist", Key="m/config.pbtxt")["Body"].read() == b"cfg"
        root_secret = again._minio.credentials.secret_key
        assert root_secret not in (tmp_path / "minio.log").read_text()
        assert root_secret not in repr(again) + repr(again._minio.credentials)
    finally:
        again.stop()


def test_minio_left_over_by_a_dead_emulator_is_replaced(tmp_path: Path) -> None:
    crashed = ObjectStore(tmp_path)  # never stopped: stands for an emulator that died
    crashed.start()
    crashed.create_bucket("survivor")
    orphan = crashed._minio._proc
    assert orphan is not None
    fresh = ObjectStore(tmp_path)
    fresh.start()
    try:
        assert orphan.wait(timeout=10) is not None  # the old server was shut down
        assert fresh.list_buckets() == ["survivor"]
    finally:
        fresh.stop()
        crashed.stop()


def test_a_port_taken_before_minio_binds_it_is_chosen_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The emulator chooses MinIO's port and MinIO binds it a moment later: a port taken in
    between ends that MinIO, and the store starts it again on a port chosen afresh."""
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    taken = held.getsockname()[1]
    preferred: list[int] = []

    def first_port_taken(host: str, prefer: int = 0, avoid: Collection[int] = ()) -> int:
        preferred.append(prefer)
        return taken if len(preferred) == 1 else free_port(host, prefer, avoid)

    monkeypatch.setattr(minio_process, "free_port", first_port_taken)
    with held:
        store = ObjectStore(tmp_path)
        store.start()
        try:
            assert preferred == [0, 0]  # the taken port is not preferred the second time
            assert store.endpoint_url != f"http://127.0.0.1:{taken}"
            store.create_bucket("after-a-lost-port")
            store.put_object("after-a-lost-port", "k", b"v")
            assert store.get_object("after-a-lost-port", "k") == b"v"
        finally:
            store.stop()


# A stand-in for MinIO's start: it listens at once and answers /minio/health/ready with 200
# (as MinIO does before it has loaded its drives and users), and everything else with 503
# until `initialized_after` seconds have passed.
_INITIALIZING_MINIO = """\
#!{python}
import http.server, sys, time
host, port = sys.argv[sys.argv.index("--address") + 1].rsplit(":", 1)
initialized_at = time.monotonic() + {initialized_after}

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        initialized = time.monotonic() >= initialized_at
        self.send_response(200 if initialized or self.path == "/minio/health/ready" else 503)
        if not initialized:
            self.send_header("x-minio-server-status", "offline")
        self.end_headers()

    def log_message(self, *args):
        print("initializing", flush=True)

http.server.HTTPServer((host, int(port)), Handler).serve_forever()
"""


def _initializing_minio(folder: Path, initialized_after: float, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = folder / "minio"
    binary.write_text(_INITIALIZING_MINIO.format(
        python=sys.executable, initialized_after=initialized_after))
    binary.chmod(0o755)
    monkeypatch.setenv("RIVA_TIR_MINIO", str(binary))


def test_minio_is_handed_out_only_once_it_takes_requests(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MinIO answers /minio/health/ready before it takes S3 requests (they fail with
    XMinioServerNotInitialized): the store waits until it takes them."""
    _initializing_minio(tmp_path, 1.5, monkeypatch)
    minio = minio_process.MinioProcess(tmp_path / "data", "127.0.0.1", 0)
    minio.start()
    try:
        assert requests.get(f"http://127.0.0.1:{minio.port}/", timeout=5).status_code == 200
    finally:
        minio.stop()


def test_minio_that_never_takes_requests_fails_saying_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _initializing_minio(tmp_path, 3600, monkeypatch)
    monkeypatch.setattr(minio_process, "_READY_TIMEOUT_S", 1.0)
    minio = minio_process.MinioProcess(tmp_path / "data", "127.0.0.1", 0)
    with pytest.raises(MinioFailed) as failed:
        minio.start()
    message = str(failed.value)
    assert "/minio/health/cluster answered 503 (offline)" in message
    assert f"{tmp_path / 'data' / 'minio.log'}: initializing" in message
