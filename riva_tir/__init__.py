"""riva-tir: deploy NVIDIA Riva on E2E Networks' TIR with Pulumi.

`RivaDeployment` (the component) loads on first use, so the parts that run on their own
(the TIR client `riva_tir.tir`, the emulator's small CLIs on its nodes) do not pay for
Pulumi's import.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from riva_tir.args import RivaDeploymentArgs
    from riva_tir.deployment import RivaDeployment

# The stack config's namespace: every key riva-tir reads is `riva-tir:<key>`.
NAMESPACE = "riva-tir"

_EXPORTS = {"RivaDeployment": "riva_tir.deployment", "RivaDeploymentArgs": "riva_tir.args"}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'riva_tir' has no attribute {name!r}")


__all__ = ["RivaDeployment", "RivaDeploymentArgs"]
