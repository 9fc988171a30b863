"""Datasets share the generic verbs; check the body and credential parsing."""

from __future__ import annotations

from typing import Any

from tir import TirClient
from tir.datasets import DatasetSpec, PvcSpec


def test_create_pvc_dataset_and_get(client: TirClient, api: Any, repository_payload: Any) -> None:
    payload = {**repository_payload, "id": 44, "name": "riva-data", "encryption_enable": False}
    api.reply("POST", "datasets/", payload, status=201)
    api.reply("GET", "datasets/44/", payload)
    client.datasets.create(DatasetSpec(name="riva-data", storage_type="pvc", pvc=PvcSpec(disk_size=50)))
    ds = client.datasets.get(44)
    assert api.calls[0].body == {
        "name": "riva-data", "storage_type": "pvc", "pvc": {"disk_size": 50, "pvc_type": "custom_pvc"},
        "encryption_enable": False, "description": "",
    }
    assert api.calls[0].path == "/myaccount/api/v1/gpu/datasets/"
    assert ds.credentials is not None and "s3-secret-value" not in repr(ds)
