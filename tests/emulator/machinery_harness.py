"""Helpers for the machinery tests (objectstore, machines, dataplane, riva_tools); their
fixtures (`store`, `host`, `node`) are in tests/emulator/conftest.py. Everything is real: a
MinIO process, asyncssh servers, gRPC/HTTP listeners on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from riva_tir.emulator.machines import MachineHost
from riva_tir.emulator.objectstore import ObjectStore


NGC_KEY = "nvapi-test-key-for-emulator"
USER_KEY = asyncssh.generate_private_key("ssh-ed25519", comment="user@test")
OTHER_KEY = asyncssh.generate_private_key("ssh-ed25519", comment="other@test")


def public(key: asyncssh.SSHKey) -> str:
    return key.export_public_key().decode().strip()


@dataclass(frozen=True)
class Result:
    """A finished remote command, with text output (asyncssh's own type is bytes-or-str)."""

    exit_status: int
    stdout: str
    stderr: str


@dataclass
class Node:
    """A powered-on node plus a way to run commands on it over real SSH."""

    host: MachineHost
    node_id: int
    port: int
    key: asyncssh.SSHKey = USER_KEY

    def run(self, command: str, *, input: str | None = None,
            env: dict[str, str] | None = None, timeout: float = 120) -> Result:
        return asyncio.run(run_ssh(self.port, command, self.key, input=input, env=env,
                                   timeout=timeout))

    def ok(self, command: str) -> str:
        """Run `command`, which must succeed; its stdout."""
        result = self.run(command)
        assert result.exit_status == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        return result.stdout

    @property
    def disk(self) -> Path:
        return self.host.disk_path(self.node_id)


async def run_ssh(port: int, command: str, key: asyncssh.SSHKey, *, input: str | None = None,
                  env: dict[str, str] | None = None, user: str = "root",
                  timeout: float = 120) -> Result:
    async with asyncssh.connect("127.0.0.1", port, username=user, client_keys=[key],
                                known_hosts=None, agent_path=None) as conn:
        done = await asyncio.wait_for(conn.run(command, input=input, env=env or {}), timeout)
    status = done.exit_status if done.exit_status is not None else -1
    return Result(status, str(done.stdout or ""), str(done.stderr or ""))


