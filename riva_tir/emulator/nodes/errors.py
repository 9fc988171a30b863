"""Node errors."""

from __future__ import annotations

from riva_tir.emulator.envelope import NotFound


class NodeNotFound(NotFound):
    def __init__(self, node_id: int) -> None:
        super().__init__("notebook", node_id)
