"""SSH key errors: unknown ids, malformed or duplicate keys, keys not in the account."""

from __future__ import annotations

from riva_tir.emulator.envelope import NotFound, ValidationFailed


class SshKeyNotFound(NotFound):
    def __init__(self, key_id: int) -> None:
        super().__init__("ssh key", key_id)


class KeyNotInAccount(ValidationFailed):
    """A node may only use keys already saved in the account (docs/tir.md §5.4)."""

    def __init__(self, field: str) -> None:
        super().__init__(field, "SSH key not found in your account; add it under SSH keys first")
