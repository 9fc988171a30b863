"""Datasets: managed buckets, existing buckets, PVC records, paging and delete."""

from __future__ import annotations

import pytest

from tests.contract.harness import Contract, s3_for
from tir import NotFound, ValidationFailed
from tir.datasets import DatasetSpec, PvcSpec


def test_managed_dataset_bucket_and_delete(contract: Contract) -> None:
    datasets = contract.client.datasets
    created = datasets.create(DatasetSpec(name="speech-corpus", description="wav files",
                                          encryption_enable=True, encryption_type="sse-kms"))
    dataset = datasets.wait_ready(created.id, timeout=10)
    assert dataset.storage_type == "managed" and dataset.description == "wav files"
    assert dataset.encryption_enable is True and dataset.encryption_type == "sse-kms"
    assert dataset.bucket is not None and dataset.bucket.bucket_name
    s3 = s3_for(dataset)
    s3.put_object(Bucket=dataset.bucket.bucket_name, Key="a.wav", Body=b"RIFF")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=dataset.bucket.bucket_name)["Contents"]] == ["a.wav"]

    assert datasets.find("speech-corpus") == dataset
    assert datasets.delete(dataset.id) is None
    datasets.wait_deleted(dataset.id, timeout=10)
    with pytest.raises(NotFound):
        datasets.get(dataset.id)
    assert contract.control.inventory()["datasets"] == []


def test_existing_bucket_and_pvc_datasets(contract: Contract) -> None:
    datasets = contract.client.datasets
    managed = datasets.create(DatasetSpec(name="raw"))
    assert managed.bucket is not None and managed.bucket.bucket_name
    reuse = datasets.create(DatasetSpec(name="raw-view", storage_type="e2e_s3",
                                        bucket_name=managed.bucket.bucket_name))
    assert reuse.storage_type == "e2e_s3" and reuse.bucket is not None
    assert reuse.bucket.bucket_name == managed.bucket.bucket_name
    disk = datasets.create(DatasetSpec(name="scratch", storage_type="pvc", pvc=PvcSpec(disk_size=50)))
    assert disk.storage_type == "pvc" and disk.bucket is None

    page = datasets.list(page_no=1, per_page=2)
    assert len(page.items) == 2 and page.has_next
    assert [d.id for d in datasets.list_all(per_page=2)] == [managed.id, reuse.id, disk.id]

    with pytest.raises(ValidationFailed) as caught:
        datasets.create(DatasetSpec(name="ghost", storage_type="e2e_s3", bucket_name="no-such-bucket"))
    assert "bucket_name" in caught.value.field_errors
