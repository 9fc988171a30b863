"""Model repository errors."""

from __future__ import annotations

from riva_tir.emulator.envelope import NotFound


class RepositoryNotFound(NotFound):
    def __init__(self, repository_id: int) -> None:
        super().__init__("model repository", repository_id)
