"""Dataset errors."""

from __future__ import annotations

from tir_emulator.envelope import InvalidState, NotFound


class DatasetNotFound(NotFound):
    def __init__(self, dataset_id: int) -> None:
        super().__init__("dataset", dataset_id)


class DatasetInUse(InvalidState):
    def __init__(self, dataset_id: int, node_ids: list[int]) -> None:
        super().__init__(f"dataset {dataset_id} is mounted on nodes {node_ids}; unmount it first", "id")
