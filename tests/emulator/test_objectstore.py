"""ObjectStore against a real MinIO process: buckets, objects, scoped keys, persistence."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from riva_tir.emulator.objectstore import BucketNotFound, ObjectStore

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
        url = first.endpoint_url
    finally:
        first.stop()
    state = tmp_path / "minio.json"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    again = ObjectStore(tmp_path)
    again.start()
    try:
        assert again.endpoint_url == url
        assert again.list_buckets() == ["persist"]
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
