"""Model repositories: managed buckets usable with boto3, existing/external buckets, delete."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]
from pydantic import SecretStr

from tests.contract.harness import Contract, s3_for
from riva_tir.tir import NotFound, ValidationFailed
from riva_tir.tir.model_repositories import RepositorySpec

pytestmark = pytest.mark.emulator


def test_managed_repository_is_a_usable_bucket(contract: Contract) -> None:
    repos = contract.client.model_repositories
    created = repos.create(RepositorySpec(name="asr-models"))
    repo = repos.wait_ready(created.id, timeout=10)
    assert repo.is_ready and repo.model_type == "triton" and repo.storage_type == "managed"
    assert repo.bucket is not None and repo.bucket.bucket_name and repo.bucket.endpoint
    assert repo.credentials is not None and repo.credentials.access_key
    secret = repo.credentials.secret_key
    assert secret is not None and secret.get_secret_value() not in repr(repo)  # masked in reprs

    s3 = s3_for(repo)
    s3.put_object(Bucket=repo.bucket.bucket_name, Key="conformer/config.pbtxt", Body=b'name: "conformer"')
    s3.put_object(Bucket=repo.bucket.bucket_name, Key="readme.txt", Body=b"hi")
    listed = s3.list_objects_v2(Bucket=repo.bucket.bucket_name)
    assert sorted(o["Key"] for o in listed["Contents"]) == ["conformer/config.pbtxt", "readme.txt"]
    assert [o.name for o in repos.list_objects(repo.id, prefix="conformer/")] == ["conformer/config.pbtxt"]
    assert sorted(o.name for o in repos.list_objects(repo.id)) == ["conformer/config.pbtxt", "readme.txt"]

    repos.update(repo.id, {"wer": 0.07})
    assert repos.find("asr-models") is not None and [r.id for r in repos.list_all()] == [repo.id]

    assert repos.delete(repo.id) is None
    repos.wait_deleted(repo.id, timeout=10)
    with pytest.raises(NotFound):
        repos.get(repo.id)
    assert repo.bucket.bucket_name not in contract.control.inventory()["buckets"]


def test_existing_and_external_buckets(contract: Contract) -> None:
    repos = contract.client.model_repositories
    managed = repos.create(RepositorySpec(name="source"))
    assert managed.bucket is not None and managed.bucket.bucket_name
    existing = repos.create(RepositorySpec(name="reuse", storage_type="e2e_s3",
                                           bucket_name=managed.bucket.bucket_name))
    assert existing.storage_type == "e2e_s3" and existing.bucket is not None
    assert existing.bucket.bucket_name == managed.bucket.bucket_name

    external = repos.create(RepositorySpec(name="elsewhere", storage_type="external", bucket_name="far-bucket",
                                           access_key="AKIAEXAMPLE", secret_key=SecretStr("external-secret")))
    assert external.storage_type == "external" and external.credentials is not None
    assert external.credentials.access_key == "AKIAEXAMPLE"
    assert external.credentials.secret_key is not None
    assert external.credentials.secret_key.get_secret_value() == "external-secret"
    assert repos.list_objects(external.id) == []

    other = repos.create(RepositorySpec(name="other"))
    assert other.bucket is not None and other.bucket.bucket_name != managed.bucket.bucket_name
    with pytest.raises(ClientError, match="AccessDenied"):  # a managed bucket's keys open only that bucket
        s3_for(managed).list_objects_v2(Bucket=other.bucket.bucket_name)

    with pytest.raises(ValidationFailed) as caught:
        repos.create(RepositorySpec(name="missing", storage_type="e2e_s3", bucket_name="no-such-bucket"))
    assert "bucket_name" in caught.value.field_errors
    assert "failed to validate the bucket path" in str(caught.value)
    assert {r.name for r in repos.list_all()} == {"source", "reuse", "elsewhere", "other"}
