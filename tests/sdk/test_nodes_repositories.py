"""The SDK's node and model-repository calls against the emulator."""

from __future__ import annotations

import boto3  # type: ignore[import-untyped]
import pytest

from tests.contract.harness import CPU_PLAN, PUBKEY_A
from tests.sdk.conftest import Sdk

pytestmark = pytest.mark.emulator


def test_node_create_with_ssh_key_get_list_stop_start_delete(sdk: Sdk) -> None:
    result = sdk.run(f'''
        from e2enetworks.cloud.tir.ssh_keys import SSHKeys
        SSHKeys().add("alice", "{PUBKEY_A}")
        nodes = tir.Notebooks()
        ok, node = nodes.create(name="sdk-node", plan_name="{CPU_PLAN}", image_type="pre-built",
                                image_version_id=302, public_key=["{PUBKEY_A}"])
        assert ok, plain(node)
        got_ok, got = nodes.get(node.id)
        _, listed = nodes.list()
        stop_ok, _ = nodes.stop(node.id)
        _, stopped = nodes.get(node.id)
        start_ok, _ = nodes.start(node.id)
        _, started = nodes.get(node.id)
        keys_ok, keys = nodes.list_attached_ssh_keys(node.id)
        delete_ok, _ = nodes.delete(node.id)
        gone = nodes.get(node.id)
        done({{"node": plain(node), "got": plain(got), "listed": [n.id for n in listed], "stop": stop_ok,
               "stopped": stopped.status, "start": start_ok, "started": started.status, "keys": plain(keys),
               "delete": delete_ok, "gone": plain(gone[1]), "get_ok": got_ok, "keys_ok": keys_ok}})
    ''')
    node = result["node"]
    assert result["get_ok"] and result["got"]["id"] == node["id"] and result["listed"] == [node["id"]]
    assert result["got"]["status"] == "running" and result["got"]["ssh_host"]
    assert result["stop"] and result["stopped"] == "stopped" and result["start"] and result["started"] == "running"
    assert result["keys_ok"] and PUBKEY_A in str(result["keys"])
    assert result["delete"] and result["gone"]["http_status"] == 404
    (post,) = [e for e in sdk.control.requests("POST", "notebooks/")]
    assert post["status"] == 201 and "teams/12/projects/34/notebooks/" in post["path"]
    assert sdk.control.inventory()["nodes"] == []


def test_model_repository_create_get_with_bucket_and_credentials_delete(sdk: Sdk) -> None:
    result = sdk.run('''
        models = tir.Models()
        ok, repo = models.create("sdk-models", model_type="triton", storage_type="managed")
        assert ok, plain(repo)
        got_ok, got = models.get(repo.id)
        _, listed = models.list()
        done({"repo": plain(repo), "got": plain(got), "got_ok": got_ok, "listed": [r.id for r in listed]})
    ''')
    got = result["got"]
    assert result["got_ok"] and got["id"] == result["repo"]["id"] and result["listed"] == [got["id"]]
    bucket, keys = got["bucket"], got["access_key"]
    # What Models.push_model reads: bucket.bucket_name, access_key.access_key/secret_key; they work.
    s3 = boto3.client("s3", endpoint_url=bucket["endpoint"], region_name="us-east-1",
                      aws_access_key_id=keys["access_key"], aws_secret_access_key=keys["secret_key"])
    s3.put_object(Bucket=bucket["bucket_name"], Key="m/config.pbtxt", Body=b"name: 'm'\n")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket["bucket_name"])["Contents"]] == ["m/config.pbtxt"]
    assert bucket["bucket_name"] in sdk.control.inventory()["buckets"]

    deleted = sdk.run(f'''
        ok, _ = tir.Models().delete({got["id"]})
        done([ok, plain(tir.Models().get({got["id"]})[1])])
    ''')
    assert deleted[0] and deleted[1]["http_status"] == 404
    assert sdk.control.inventory()["model_repositories"] == []
