"""Model repositories: bodies per storage type, bucket/credentials parsing, listing objects."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from riva_tir.tir import TirClient
from riva_tir.tir.model_repositories import RepositorySpec


@pytest.mark.parametrize(
    ("spec", "body"),
    [
        (RepositorySpec(name="riva-models"),
         {"name": "riva-models", "model_type": "triton", "storage_type": "managed", "bucket_name": ""}),
        (RepositorySpec(name="riva-models", storage_type="e2e_s3", bucket_name="my-bucket"),
         {"name": "riva-models", "model_type": "triton", "storage_type": "e2e_s3", "bucket_name": "my-bucket"}),
        (RepositorySpec(name="riva-models", model_type="custom", storage_type="external", bucket_name="ext-bucket",
                        access_key="AK", secret_key=SecretStr("SK-secret")),
         {"name": "riva-models", "model_type": "custom", "storage_type": "external", "bucket_name": "ext-bucket",
          "access_key": "AK", "secret_key": "SK-secret"}),
    ],
)
def test_create_bodies(client: TirClient, api: Any, repository_payload: Any, spec: RepositorySpec, body: Any) -> None:
    api.reply("POST", "serving/model/", repository_payload, status=201)
    client.model_repositories.create(spec)
    (call,) = api.calls
    assert (call.method, call.path, call.body) == ("POST", "/myaccount/api/v1/gpu/serving/model/", body)


def test_get_exposes_bucket_and_masks_secret(client: TirClient, api: Any, repository_payload: Any) -> None:
    api.reply("GET", "serving/model/301/", repository_payload)
    repo = client.model_repositories.get(301)
    assert repo.is_ready and repo.bucket is not None and repo.bucket.bucket_name == "riva-models-301"
    assert repo.credentials is not None and repo.credentials.access_key == "AKIAEXAMPLE"
    assert repo.credentials.secret_key is not None
    assert repo.credentials.secret_key.get_secret_value() == "s3-secret-value-do-not-print"
    assert "s3-secret-value-do-not-print" not in repr(repo) and "s3-secret-value-do-not-print" not in str(repo)


def test_list_objects_sends_prefix(client: TirClient, api: Any) -> None:
    api.reply("GET", "serving/model/301/bucket/", [{"name": "riva/config.pbtxt"}, {"name": "riva/1/model.plan"}])
    objects = client.model_repositories.list_objects(301, prefix="riva/")
    assert [o.name for o in objects] == ["riva/config.pbtxt", "riva/1/model.plan"]
    assert api.calls[0].query["prefix"] == "riva/"


def test_update_score_and_delete(client: TirClient, api: Any) -> None:
    api.reply("PUT", "serving/model/301/", {})
    api.reply("DELETE", "serving/model/301/", {}, json_body={"code": 200, "message": "Model deleted successfully",
                                                            "data": {}, "errors": {}})
    client.model_repositories.update(301, {"wer": 0.1})
    assert client.model_repositories.delete(301) is None
    assert api.calls[0].body == {"score": {"wer": 0.1}}
    assert api.calls[1].method == "DELETE"


def test_wait_ready_accepts_done(client: TirClient, api: Any, repository_payload: Any) -> None:
    api.reply("GET", "serving/model/301/", {**repository_payload, "status": "Creating"})
    api.reply("GET", "serving/model/301/", repository_payload)
    assert client.model_repositories.wait_ready(301, timeout=30).status == "done"
