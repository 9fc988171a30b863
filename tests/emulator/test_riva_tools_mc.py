"""`mc` on a node, against the real MinIO behind ObjectStore, with bucket-scoped keys."""

from __future__ import annotations

import json
import stat
import uuid

import pytest

from tests.emulator.machinery_harness import Node
from riva_tir.emulator.objectstore import ObjectStore

pytestmark = pytest.mark.emulator


def _setup(store: ObjectStore, node: Node) -> tuple[str, str]:
    bucket = f"mc-{uuid.uuid4().hex[:10]}"
    access, secret = store.create_bucket(bucket)
    result = node.run(f"mc alias set eos {store.endpoint_url} {access} {secret}")
    assert result.exit_status == 0 and "Added `eos` successfully." in result.stdout
    assert secret not in result.stdout + result.stderr
    return bucket, secret


def test_alias_config_is_private_and_hides_the_secret(store: ObjectStore, node: Node) -> None:
    bucket, secret = _setup(store, node)
    config = node.disk / ".mc" / "config.json"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert json.loads(config.read_text())["aliases"]["eos"]["url"] == store.endpoint_url
    listing = node.run("mc alias ls")
    assert "AccessKey" in listing.stdout and secret not in listing.stdout
    bad = node.run("mc alias set eos ftp://nowhere a b")
    assert bad.exit_status != 0 and "Invalid URL" in bad.stderr
    store.delete_bucket(bucket)


def test_mirror_overwrite_remove_ls_and_rm(store: ObjectStore, node: Node) -> None:
    bucket, secret = _setup(store, node)
    prep = node.run("mkdir -p repo/m/1 && echo 'name: \"m\"' > repo/m/config.pbtxt && "
                    "head -c 1000 /dev/urandom > repo/m/1/model.plan")
    assert prep.exit_status == 0
    first = node.run(f"mc mirror repo eos/{bucket}/models")
    assert first.exit_status == 0, first.stderr
    assert sorted(store.list_objects(bucket)) == ["models/m/1/model.plan", "models/m/config.pbtxt"]
    again = node.run(f"mc mirror repo eos/{bucket}/models")
    assert "`" not in again.stdout  # nothing re-uploaded when unchanged
    node.run("echo 'name: \"m2\"' > repo/m/config.pbtxt && echo x > repo/extra.txt")
    refused = node.run(f"mc mirror repo eos/{bucket}/models")
    assert refused.exit_status == 1 and "--overwrite was not given" in refused.stderr
    store.put_object(bucket, "models/stale.txt", b"old")
    done = node.run(f"mc mirror --overwrite --remove repo eos/{bucket}/models")
    assert done.exit_status == 0, done.stderr
    assert store.get_object(bucket, "models/m/config.pbtxt") == b'name: "m2"\n'
    assert "models/stale.txt" not in store.list_objects(bucket)
    top = node.run(f"mc ls eos/{bucket}/models").stdout.split("\n")
    assert any(line.endswith(" m/") for line in top) and any("extra.txt" in line for line in top)
    deep = node.run(f"mc ls --recursive eos/{bucket}/models").stdout
    assert "m/1/model.plan" in deep and "STANDARD" in deep
    refuse_rm = node.run(f"mc rm --recursive eos/{bucket}/models")
    assert refuse_rm.exit_status == 1 and "--force" in refuse_rm.stderr
    assert node.run(f"mc rm --recursive --force eos/{bucket}/models").exit_status == 0
    assert store.list_objects(bucket) == []
    for result in (first, again, refused, done):
        assert secret not in result.stdout + result.stderr
    store.delete_bucket(bucket)


def test_cp_recursive_both_ways_and_multipart(store: ObjectStore, node: Node) -> None:
    bucket, _secret = _setup(store, node)
    node.run("mkdir -p tree/a && echo 1 > tree/a/one && head -c 70000000 /dev/zero > big.bin")
    assert node.run(f"mc cp --recursive tree eos/{bucket}/up").exit_status == 0
    assert store.list_objects(bucket, "up/") == ["up/tree/a/one"]
    assert node.run(f"mc cp --recursive tree/ eos/{bucket}/flat").exit_status == 0
    assert store.list_objects(bucket, "flat/") == ["flat/a/one"]
    assert node.run(f"mc cp big.bin eos/{bucket}/big.bin").exit_status == 0
    head = store.client(*store.bucket_credentials(bucket)).head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == 70000000 and "-" in head["ETag"]  # multipart upload
    down = node.run(f"mc cp --recursive eos/{bucket}/up fetched && cat fetched/tree/a/one")
    assert down.exit_status == 0 and down.stdout.endswith("1\n")
    denied = node.run("mc ls eos/some-other-bucket")
    assert denied.exit_status == 1 and "Access Denied" in denied.stderr
    store.delete_bucket(bucket)
