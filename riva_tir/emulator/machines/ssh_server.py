"""The SSH side of one emulated node: key-only auth, command exec and SFTP/SCP on its disk.

Commands run as subprocesses of the emulator with HOME and cwd set to the node's disk.
ASSUMPTION (documented emulator limits): there is no chroot, no separate Unix user and no
PTY. A remote command runs as `bash -c COMMAND` (what sshd does; a login shell would reset
PATH from /etc/profile on Debian), and a session without a command reads a script from
stdin. SFTP starts in the disk dir; absolute paths reach the host filesystem.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

CHUNK = 1 << 16


@dataclass
class NodeContext:
    """Live state shared by a node's listener and its connections."""

    node_id: int
    disk: Path
    user: str
    base_env: dict[str, str]
    authorized_keys: list[str] = field(default_factory=list)
    connections: set[asyncssh.SSHServerConnection] = field(default_factory=set)
    # Process groups started by sessions; background jobs outlive their session (as on a
    # real machine) but not the node: power_off kills every group still alive.
    process_groups: set[int] = field(default_factory=set)

    def kill_processes(self) -> None:
        for pgid in list(self.process_groups):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        self.process_groups.clear()


class NodeSSHServer(asyncssh.SSHServer):
    """Accepts only the node's user with one of its currently authorized public keys."""

    def __init__(self, node: NodeContext) -> None:
        self._node = node
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._node.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._node.connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        # Keys are read at each login, so set_authorized_keys takes effect without a restart.
        assert self._conn is not None
        keys = self._node.authorized_keys if username == self._node.user else []
        self._conn.set_authorized_keys(asyncssh.import_authorized_keys("\n".join(keys)))
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False


class NodeSFTPServer(asyncssh.SFTPServer):
    """SFTP whose relative paths (and so its starting directory) resolve in the node's disk."""

    def __init__(self, chan: asyncssh.SSHServerChannel[bytes], disk: Path) -> None:
        super().__init__(chan)
        self._disk = os.fsencode(disk)

    def map_path(self, path: bytes) -> bytes:
        return path if path.startswith(b"/") else os.path.join(self._disk, path)


async def _pump_out(source: asyncio.StreamReader, target: asyncssh.SSHWriter[bytes]) -> None:
    while chunk := await source.read(CHUNK):
        target.write(chunk)
        await target.drain()


async def _pump_in(source: asyncssh.SSHReader[bytes], target: asyncio.StreamWriter) -> None:
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        while chunk := await source.read(CHUNK):
            target.write(chunk)
            await target.drain()
    target.close()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


async def run_session(process: asyncssh.SSHServerProcess[bytes], node: NodeContext) -> None:
    """Run the requested command and forward stdin/stdout/stderr and the exit status.

    The pumps are explicit (not `process.redirect`) because the exit status may only be sent
    once all output has been forwarded, which redirect() gives no way to await.
    """
    env = dict(node.base_env)
    env.update(process.env)  # environment requests from the client win, as with sshd
    command = process.command
    argv = ["bash", "-c", command] if command is not None else ["bash", "-s"]
    node.disk.mkdir(parents=True, exist_ok=True)
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=node.disk, env=env, start_new_session=True,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    node.process_groups.add(proc.pid)
    feeder = asyncio.ensure_future(_pump_in(process.stdin, proc.stdin))
    try:
        await asyncio.gather(_pump_out(proc.stdout, process.stdout),
                             _pump_out(proc.stderr, process.stderr))
        status = await proc.wait()
        process.exit(status if status >= 0 else 128 - status)
    except (asyncssh.Error, ConnectionError, asyncio.CancelledError):
        # The client went away (or the node powers off): like SIGHUP, end the session's jobs.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        raise
    finally:
        feeder.cancel()
        if not _group_alive(proc.pid):
            node.process_groups.discard(proc.pid)
