"""Stacks of the real riva-tir program against an in-process emulator, for team tests.

Like tests/integration/harness.py, but the stack name is the caller's (the guardrails
depend on it) and several stacks and projects can share one emulator.
"""
from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from pulumi import automation as auto
from pydantic import SecretStr

from tests.conftest import ROOT, engine_env, workspace_options
from tests.integration.harness import base_config
from riva_tir.tir import TirClient, TirConfig
from riva_tir.emulator import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN, EmulatorServer

POLICY_PACK = str(ROOT / "policies")


@dataclass
class Team:
    """One emulator and one project folder; stacks made on demand."""

    emulator: EmulatorServer
    tmp: Path
    project: Path
    artifact: Path
    stacks: list[auto.Stack] = field(default_factory=list)
    ssh_key: tuple[str, str] = field(default_factory=lambda: ssh_key_pair())

    def tir(self) -> TirClient:
        return TirClient(TirConfig(api_root=self.emulator.api_root, api_key=SecretStr(DEFAULT_API_KEY),
                                   auth_token=SecretStr(DEFAULT_AUTH_TOKEN), project_id=1))

    def env(self) -> dict[str, str]:
        """What a user of these stacks has set: the engine, the team backend and passphrase."""
        backend = self.tmp / "state"
        backend.mkdir(exist_ok=True)
        return engine_env(backend)

    def stack(self, name: str, config: Mapping[str, Any] | None = None) -> auto.Stack:
        """A stack with the emulator's base config, `config` on top ({"riva-tir:x.y": v})."""
        stack = auto.create_or_select_stack(name, work_dir=str(self.project),
                                            opts=workspace_options(self.env(), secrets_provider="passphrase"))
        wanted = {**base_config(self.emulator, self.artifact), **(config or {})}
        for section in ("triton", "rivaApi"):
            # A size is fixed replicas or autoscaling, never both (the stack config says so).
            if any(k.startswith(f"riva-tir:{section}.autoscaling") for k in config or {}):
                wanted.pop(f"riva-tir:{section}.replicas", None)
        # The stack's own SSH key: previews of a fresh stack then need no generated key pair.
        public, private = self.ssh_key
        # One `pulumi config set-all`: each CLI run costs a start-up.
        stack.set_all_config({
            **{key: auto.ConfigValue(str(value)) for key, value in wanted.items()},
            "riva-tir:node.sshPublicKey": auto.ConfigValue(public),
            **{key: auto.ConfigValue(value, secret=True) for key, value in (
                ("riva-tir:tirApiKey", DEFAULT_API_KEY), ("riva-tir:tirAuthToken", DEFAULT_AUTH_TOKEN),
                ("riva-tir:sshPrivateKey", private))},
        }, path=True)
        self.stacks.append(stack)
        return stack


def ssh_key_pair() -> tuple[str, str]:
    """(OpenSSH public key, OpenSSH private key PEM)."""
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return public.decode(), private


def project_dir(tmp: Path) -> Path:
    """A project whose program is the repository's __main__.py (no stack files in stacks/)."""
    project = tmp / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: riva-tir\nruntime: python\n")
    (project / "__main__.py").write_text(textwrap.dedent(f"""
        import runpy
        runpy.run_path({str(ROOT / '__main__.py')!r}, run_name="__main__")
    """))
    return project


