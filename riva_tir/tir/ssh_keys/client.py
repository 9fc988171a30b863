"""Account SSH keys: a node only accepts public keys already saved here."""

from __future__ import annotations

import builtins
from typing import Any

from riva_tir.tir._http import Transport
from riva_tir.tir._models import as_list, parse
from riva_tir.tir.ssh_keys.models import SshKey, SshKeySpec, same_key


class SshKeysClient:
    """``ssh_keys/`` CRUD (TIR offers no GET of one key, so lookups list)."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def _parse(self, data: Any) -> SshKey:
        return parse(SshKey, data)

    def list(self) -> builtins.list[SshKey]:
        return [self._parse(item) for item in as_list(self._t.request("GET", "ssh_keys/", scoped=False), "ssh keys")]

    def find(self, label: str) -> SshKey | None:
        """The key with this label, or None."""
        return next((k for k in self.list() if k.label == label), None)

    def find_by_key(self, public_key: str) -> SshKey | None:
        """The saved key with the same type and material (comments ignored), or None."""
        return same_key(self.list(), public_key)

    def create(self, spec: SshKeySpec) -> SshKey:
        """POST once."""
        return self._t.create("ssh_keys/", spec.to_wire(), scoped=False, parse=self._parse, find_existing=None)

    def create_idempotent(self, spec: SshKeySpec) -> SshKey:
        """POST; after a lost response look the key material up before re-sending."""
        return self._t.create(
            "ssh_keys/",
            spec.to_wire(),
            scoped=False,
            parse=self._parse,
            find_existing=lambda: self.find_by_key(spec.ssh_key),
        )

    def delete(self, key_id: int) -> None:
        """DELETE; after a lost or failed response it is not re-sent once the key is gone."""

        def gone() -> dict[str, Any] | None:
            return {} if all(k.id != key_id for k in self.list()) else None

        self._t.request("DELETE", f"ssh_keys/{key_id}/", scoped=False, settled=gone)

