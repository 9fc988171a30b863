"""Endpoint errors."""

from __future__ import annotations

from riva_tir.emulator.envelope import NotFound


class EndpointNotFound(NotFound):
    def __init__(self, endpoint_id: int) -> None:
        super().__init__("inference service", endpoint_id)


class ReplicaNotFound(NotFound):
    def __init__(self, replica_name: str) -> None:
        super().__init__("replica", replica_name)
