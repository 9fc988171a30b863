"""TirSshKey: the node's public key registered with the TIR account (TIR only attaches
keys that are already account keys)."""
from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult
from pydantic import Field

from riva_tir.providers.base import TirInputs, TirOutputs, TirProvider, TirResource, name_taken
from riva_tir.tir import NotFound
from riva_tir.tir.ssh_keys.models import SshKeySpec, same_key
# The key's identity, for the deployment's labels and the node's key list.
from riva_tir.tir.ssh_keys.models import key_material as key_material


class SshKeyInputs(TirInputs):
    label: str = Field(min_length=1, max_length=64)
    public_key: str = Field(pattern=r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-\S+) \S+")


class SshKeyOutputs(TirOutputs):
    key_id: int
    owned: bool  # registered by riva-tir (deleted with it), not a key the account already had


class SshKeyProvider(TirProvider[SshKeyInputs, SshKeyOutputs]):
    inputs = SshKeyInputs
    outputs = SshKeyOutputs
    replace_on = frozenset({"label", "public_key"})
    # The label carries the key's fingerprint, so a rotated key gets a new label and is
    # added (to the account, then the node) before the old one is removed.
    name_field = "label"

    def create(self, props: dict[str, Any]) -> CreateResult:
        args = self.args(props)
        with self.client(props) as tir:
            keys = tir.ssh_keys.list()  # one read for both lookups below
            existing = same_key(keys, args.public_key)
            # A key the account already had under another label is the user's: use it,
            # never delete it. The same key under this deployment's label (which carries
            # its suffix) is its own, from a run that failed after registering it.
            if existing is not None:
                owned = existing.label == args.label
            else:
                taken = next((k for k in keys if k.label == args.label), None)
                if taken is not None:
                    raise name_taken("account SSH key", taken.label, taken.id)
                existing, owned = tir.ssh_keys.create_idempotent(
                    SshKeySpec(label=args.label, ssh_key=args.public_key)), True
            return CreateResult(str(existing.id), self.result(props, SshKeyOutputs(key_id=existing.id, owned=owned)))

    def take_back(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        args = self.args(props)
        with self.client(props) as tir:
            found = tir.ssh_keys.find_by_key(args.public_key)
            if found is None or found.label != args.label:
                return None
            return str(found.id), self.result(props, SshKeyOutputs(key_id=found.id, owned=True))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only the credentials or retries can change in place (the key replaces): keep the outputs."""
        return UpdateResult(self.result(news, self.recorded(olds)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.client(props) as tir:
            live = next((k for k in tir.ssh_keys.list() if str(k.id) == id_), None)
            return ReadResult(id_, props) if live is not None else ReadResult("", {})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("owned"):
            return
        with self.client(props) as tir:
            try:
                tir.ssh_keys.delete(int(id_))
            except NotFound:
                pass


class TirSshKey(TirResource, module="tir", name="TirSshKey"):
    key_id: pulumi.Output[int]
    public_key: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(SshKeyProvider(), name, props, opts)
