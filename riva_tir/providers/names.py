"""DeploymentNames: the random suffix that makes one deployment's TIR names its own.

Two stacks of one name (from two checkouts or two projects) or two deployments in one
program would otherwise give their resources the same TIR names. The suffix is drawn once,
when the deployment is first created, and kept in the stack's state, so the names stay
stable for the deployment's life and no other deployment has them (docs/day2.md,
"Ownership").
"""
from __future__ import annotations

import secrets
import string
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult
from pydantic import BaseModel, ConfigDict

from riva_tir.providers.base import TirOutputs, TirResource, TypedProvider

# Lowercase letters and digits (TIR names, docs/tir.md §10): 36^5, about 60 million.
SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
SUFFIX_LENGTH = 5
# Its Pulumi type, as states record it (riva_tir.migrate adds one, the doctor reads it).
NAMES_TYPE = "pulumi-python:dynamic/riva:DeploymentNames"


class NamesInputs(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    prefix: str  # the readable part: namePrefix, or rt-<stack>[-<component>]


class NamesOutputs(TirOutputs):
    # Empty only for a stack deployed before suffixes, kept on its names by
    # `python -m riva_tir.migrate` (docs/day2.md, "Upgrading").
    suffix: str


class DeploymentNamesProvider(TypedProvider[NamesInputs, NamesOutputs]):
    inputs = NamesInputs
    outputs = NamesOutputs

    def create(self, props: dict[str, Any]) -> CreateResult:
        suffix = "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))
        return CreateResult(suffix, self.result(props, NamesOutputs(suffix=suffix)))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # A new prefix keeps the suffix: the names change, the deployment stays the same.
        return DiffResult(changes=olds.get("prefix") != news.get("prefix"))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.result(news, self.recorded(olds)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)


class DeploymentNames(TirResource, module="riva", name="DeploymentNames"):
    prefix: pulumi.Output[str]
    suffix: pulumi.Output[str]

    def __init__(self, name: str, prefix: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(DeploymentNamesProvider(), name, {"prefix": prefix}, opts)
        # One Output for every name made from it: each Output costs the SDK at every step of a
        # preview (docs/performance.md, "A no-op preview").
        self.full_prefix: pulumi.Output[str] = pulumi.Output.all(self.prefix, self.suffix).apply(
            lambda parts: "-".join(p for p in parts if p))

    def tir_name(self, kind: str) -> pulumi.Output[str]:
        """The TIR name of this deployment's `kind` (node, triton, ...)."""
        return self.full_prefix.apply(lambda prefix: f"{prefix}-{kind}")
