"""SshKeyPair: an SSH key generated once and kept in the stack's state, for stacks that
do not bring their own. The private key is a secret output (encrypted in state)."""
from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult
from pydantic import BaseModel, ConfigDict

from riva_tir.providers.base import FIRST_USE_IMPORTS, TirOutputs, TirResource, TypedProvider


class KeyPairInputs(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    comment: str  # the public key's comment, which names the stack's node


class KeyPairOutputs(TirOutputs):
    public_key: str
    private_key: str  # a secret output


class SshKeyPairProvider(TypedProvider[KeyPairInputs, KeyPairOutputs]):
    inputs = KeyPairInputs
    outputs = KeyPairOutputs

    def create(self, props: dict[str, Any]) -> CreateResult:
        with FIRST_USE_IMPORTS:
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = Ed25519PrivateKey.generate()
        private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                    serialization.NoEncryption()).decode()
        public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                               serialization.PublicFormat.OpenSSH).decode()
        outs = KeyPairOutputs(public_key=f"{public} {self.args(props).comment}", private_key=private)
        return CreateResult(public.split()[1][-16:], self.result(props, outs))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = olds.get("comment") != news.get("comment")
        return DiffResult(changes=changed, replaces=["comment"] if changed else [])

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)


class SshKeyPair(TirResource, module="tir", name="SshKeyPair"):
    public_key: pulumi.Output[str]
    private_key: pulumi.Output[str]

    def __init__(self, name: str, comment: str, opts: pulumi.ResourceOptions | None = None) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
            additional_secret_outputs=["private_key"]))
        super().__init__(SshKeyPairProvider(), name, {"comment": comment}, opts)
