"""Datasets (TIR ``datasets``): buckets or disks mounted into nodes at ``/datasets/<name>``."""

from __future__ import annotations

from tir._http import Transport
from tir._resource import ResourceClient
from tir.datasets.models import Dataset
from tir.datasets.specs import DatasetSpec
from tir.waiter import Pacing


class DatasetsClient(ResourceClient[Dataset, DatasetSpec]):
    """Project datasets; mount them with ``NodesClient.mount_datasets``."""

    def __init__(self, transport: Transport, pacing: Pacing) -> None:
        super().__init__(transport, pacing, model=Dataset, path="datasets/", kind="dataset", ready_timeout=300.0)

