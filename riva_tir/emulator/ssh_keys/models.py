"""Account SSH keys: `POST/GET ssh_keys/`, `GET ssh_keys/sync/`, `DELETE ssh_keys/{id}/`."""

from __future__ import annotations

import builtins
import base64
import binascii
import threading
from dataclasses import dataclass
from typing import Any

from riva_tir.emulator import assumptions
from riva_tir.emulator.envelope import ValidationFailed
from riva_tir.emulator.lifecycle import Clock
from riva_tir.emulator.scope import Collection, Scope, iso, synchronized
from riva_tir.emulator.ssh_keys.errors import KeyNotInAccount, SshKeyNotFound
from riva_tir.emulator.store import Store
from riva_tir.emulator.validation import Body, require_str

KIND = "ssh_key"
FIRST_ID = 101
KEY_TYPES = ("ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521")


def key_identity(public_key: str) -> str:
    """`type base64` without the comment: two spellings of one key compare equal."""
    return " ".join(public_key.split()[:2])


def _check_public_key(value: str) -> None:
    parts = value.split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise ValidationFailed("ssh_key", f"ssh_key must start with one of {', '.join(KEY_TYPES)}")
    try:
        base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        raise ValidationFailed("ssh_key", "ssh_key is not a valid OpenSSH public key") from None


@dataclass
class SshKey:
    id: int
    label: str
    ssh_key: str
    created_at: float

    @property
    def scope(self) -> Scope | None:
        """Account-wide: in no project."""
        return None


class SshKeyModels(Collection[SshKey]):
    """The account's key list; nodes resolve `public_key` entries against it."""

    def __init__(self, store: Store, clock: Clock, lock: threading.RLock) -> None:
        super().__init__(store, clock, lock, KIND, FIRST_ID, SshKey, SshKeyNotFound)

    @synchronized
    def create(self, body: Body) -> SshKey:
        label = require_str(body, "label")
        public_key = require_str(body, "ssh_key").strip()
        _check_public_key(public_key)
        for existing in self.list(None):
            if existing.label == label:
                raise ValidationFailed("label", f"an SSH key labelled {label} already exists")
            if key_identity(existing.ssh_key) == key_identity(public_key):
                raise ValidationFailed("ssh_key", "this SSH key is already in your account")
        key = SshKey(self._new_id(), label, public_key, self.clock.now())
        self._save(key)
        return key

    @synchronized
    def delete(self, key_id: int) -> None:
        # ASSUMPTION: keys already copied onto nodes stay there; only the account entry goes.
        if not self._remove(key_id):
            raise SshKeyNotFound(key_id)

    @synchronized
    def resolve(self, items: builtins.list[Any], field: str) -> builtins.list[str]:
        """Account keys for `public_key` strings (or key ids); 400 naming ``field`` otherwise."""
        keys = self.list(None)
        by_identity = {key_identity(key.ssh_key): key.ssh_key for key in keys}
        by_id = {key.id: key.ssh_key for key in keys}
        resolved: list[str] = []
        for item in items:
            if assumptions.SSH_KEY_ITEMS_MAY_BE_IDS and isinstance(item, int) and item in by_id:
                resolved.append(by_id[item])
            elif isinstance(item, str) and key_identity(item) in by_identity:
                resolved.append(by_identity[key_identity(item)])
            else:
                raise KeyNotInAccount(field)
        return resolved

    def to_wire(self, key: SshKey) -> dict[str, Any]:
        return {"id": key.id, "pk": key.id, "label": key.label, "ssh_key": key.ssh_key,
                "timestamp": iso(key.created_at)}
