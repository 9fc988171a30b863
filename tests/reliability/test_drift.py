"""Scenario 5: changes made outside Pulumi (node stopped, endpoint deleted, replicas
changed, model repository emptied) show in `refresh`, and `up` repairs each."""
from __future__ import annotations

from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest

from tests.integration.harness import FULL_STACK, Deployment

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

PREFIX = "riva-models/"


def _bucket_keys(dep: Deployment, repository_id: int) -> tuple[list[str], Any, str]:
    with dep.tir() as tir:
        repo = tir.model_repositories.get(repository_id)
    assert repo.bucket is not None and repo.credentials is not None and repo.credentials.secret_key is not None
    s3 = boto3.client("s3", endpoint_url=repo.bucket.endpoint, region_name="us-east-1",
                      aws_access_key_id=repo.credentials.access_key,
                      aws_secret_access_key=repo.credentials.secret_key.get_secret_value())
    listed = s3.list_objects_v2(Bucket=repo.bucket.bucket_name, Prefix=PREFIX).get("Contents", [])
    return [str(o["Key"]) for o in listed], s3, str(repo.bucket.bucket_name)


def test_drift_is_refreshed_and_repaired(deployment: Deployment) -> None:
    dep = deployment
    out = {k: v.value for k, v in dep.stack.up().outputs.items()}
    keys, s3, bucket = _bucket_keys(dep, out["repository_id"])
    assert keys

    with dep.tir() as tir:
        tir.nodes.stop(out["node_id"])
        tir.nodes.wait_stopped(out["node_id"])
        tir.endpoints.delete(out["riva_endpoint_id"])
        tir.endpoints.disable_auto_scale(out["triton_endpoint_id"], 3)
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})

    refresh = dep.stack.refresh()
    changes = {str(op): n for op, n in (refresh.summary.resource_changes or {}).items()}
    # node power (stopped), triton scale (3 replicas), repository content (emptied) ...
    assert changes.get("update") == 3, changes
    # ... and the Riva API endpoint with its scale, gone.
    assert changes.get("delete") == 2, changes

    dep.stack.up()
    with dep.tir() as tir:
        assert tir.nodes.get(out["node_id"]).status == "running"
        assert tir.endpoints.get(out["triton_endpoint_id"]).replica == 1
        assert tir.endpoints.find(f"{out['name_prefix']}-riva-api") is not None
    # Published again, to a new location (riva-models/<revision>-<id>/), with the same files.
    again = _bucket_keys(dep, out["repository_id"])[0]
    assert sorted(k.split("/", 2)[2] for k in again) == sorted(k.split("/", 2)[2] for k in keys)
    assert {k.split("/")[1] for k in again} != {k.split("/")[1] for k in keys}
    assert dep.counts() == FULL_STACK
    dep.stack.preview(expect_no_changes=True)
    assert "update" not in dict(dep.stack.refresh().summary.resource_changes or {})
