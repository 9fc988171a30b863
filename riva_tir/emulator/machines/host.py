"""Nodes as real SSH hosts: one asyncssh server per running node, all on one event loop.

Layout under `data_dir/nodes/<id>/`: `disk/` is the node's persistent disk and $HOME;
`ssh_host_ed25519_key` (0600) is its host key, kept so clients' known_hosts stay valid
across stop/start and emulator restarts. Public methods are thread-safe: they hand work
to the loop thread and wait for it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import asyncssh

from riva_tir.emulator.loopback import free_port, require_loopback
from riva_tir.emulator.machines.ssh_server import NodeContext, NodeSFTPServer, NodeSSHServer, run_session
from riva_tir.emulator.riva_tools import tools_bin_dir
from riva_tir.emulator.alternatives import Alternatives
from riva_tir.emulator.riva_tools.ngc import DEFAULT_NGC_KEY, EXPECTED_KEY_ENV, TAGS_ENV

# Extra CA bundle (a PEM file path) the emulated nodes trust for HTTPS downloads.
CA_BUNDLE_ENV = "RIVA_TIR_EMULATOR_CA_BUNDLE"

T = TypeVar("T")
_CALL_TIMEOUT_S = 30.0


def _validate_keys(keys: list[str]) -> list[str]:
    """Reject strings that are not OpenSSH public keys (ValueError names the position)."""
    for index, key in enumerate(keys):
        try:
            asyncssh.import_public_key(key)
        except (asyncssh.KeyImportError, ValueError):
            raise ValueError(f"authorized key #{index} is not an OpenSSH public key") from None
    return list(keys)


class MachineHost:
    """Runs each powered-on node as an SSH server on a loopback port."""

    def __init__(self, data_dir: Path, host: str = "127.0.0.1", *,
                 ngc_api_key: str | None = None, alternatives: Alternatives | None = None) -> None:
        self.alternatives = alternatives or Alternatives()
        # Absolute: it becomes $HOME of commands that run in other working directories.
        self._root = Path(data_dir).resolve() / "nodes"
        self._host = require_loopback(host)
        self._ngc_key = ngc_api_key or os.environ.get(EXPECTED_KEY_ENV, DEFAULT_NGC_KEY)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: dict[int, tuple[asyncssh.SSHAcceptor, NodeContext]] = {}
        # A stopped node's port, bound without listening (connections are refused): the node
        # keeps its address across stop/start (riva-tir's ASSUMPTION, docs/day2.md), so no
        # other process may take it meanwhile, or the steps that recorded it dial a stranger.
        self._held: dict[int, socket.socket] = {}

    @property
    def ssh_user(self) -> str:
        """The user a node powered on now lets in (docs/unknowns.md)."""
        return self.alternatives.login_user

    def __repr__(self) -> str:
        return f"MachineHost(root={str(self._root)!r}, running={sorted(self._servers)})"

    # -- loop thread ----------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="machine-host-ssh", daemon=True)
        self._thread.start()
        ready.wait()

    def stop(self) -> None:
        """Stop every SSH server (disks are kept) and the loop thread."""
        if self._loop is None or self._thread is None:
            return
        for node_id in list(self._servers):
            self.power_off(node_id)
        for node_id in list(self._held):
            self._call(self._forget(node_id))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=_CALL_TIMEOUT_S)
        self._loop = None
        self._thread = None

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._loop is None:
            coro.close()
            raise RuntimeError("MachineHost is not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(_CALL_TIMEOUT_S)

    # -- paths ----------------------------------------------------------------------------
    def _node_dir(self, node_id: int) -> Path:
        return self._root / str(int(node_id))

    def disk_path(self, node_id: int) -> Path:
        """The node's persistent disk (its $HOME); created on first use."""
        disk = self._node_dir(node_id) / "disk"
        disk.mkdir(parents=True, exist_ok=True)
        return disk

    def _host_key(self, node_id: int) -> asyncssh.SSHKey:
        path = self._node_dir(node_id) / "ssh_host_ed25519_key"
        if path.is_file():
            return asyncssh.read_private_key(str(path))
        key = asyncssh.generate_private_key("ssh-ed25519", comment=f"tir-node-{node_id}")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.export_private_key())
        return key

    def host_public_key(self, node_id: int) -> str:
        """The node's SSH host public key (OpenSSH format), e.g. for known_hosts."""
        self.disk_path(node_id)
        return self._host_key(node_id).export_public_key().decode().strip()

    def rotate_host_key(self, node_id: int) -> str:
        """A new host key, as after a rebuild of the node (or an impersonating host): a
        running node's SSH server restarts on its port with it. Returns the new public key."""
        self._call(self._rotate_host_key(int(node_id)))
        return self.host_public_key(node_id)

    async def _rotate_host_key(self, node_id: int) -> None:
        (self._node_dir(node_id) / "ssh_host_ed25519_key").unlink(missing_ok=True)
        entry = self._servers.get(node_id)
        if entry is None:
            return
        port, keys = int(entry[0].get_port()), entry[1].authorized_keys
        await self._power_off(node_id)
        await self._power_on(node_id, keys, port)

    def _base_env(self, node_id: int, disk: Path) -> dict[str, str]:
        path = os.pathsep.join([str(tools_bin_dir()), str(Path(sys.executable).parent),
                                os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")])
        env = {
            "HOME": str(disk), "PWD": str(disk), "USER": self.ssh_user,
            "LOGNAME": self.ssh_user, "SHELL": "/bin/bash", "PATH": path,
            "LANG": "C.UTF-8", "TIR_NODE_ID": str(node_id), EXPECTED_KEY_ENV: self._ngc_key,
            # The NGC stand-in's catalog tags, as the emulator was started with them.
            **({TAGS_ENV: os.environ[TAGS_ENV]} if TAGS_ENV in os.environ else {}),
        }
        # Like a machine image with an extra trusted CA: lets tests serve HTTPS downloads
        # from loopback with their own certificate.
        ca_bundle = os.environ.get(CA_BUNDLE_ENV)
        if ca_bundle:
            env |= {"CURL_CA_BUNDLE": ca_bundle, "SSL_CERT_FILE": ca_bundle}
        return env

    # -- node lifecycle -------------------------------------------------------------------
    def power_on(self, node_id: int, authorized_keys: list[str], port: int | None = None) -> int:
        """Start the node's SSH server (idempotent); tries `port` first, returns the bound port."""
        keys = _validate_keys(authorized_keys)
        return self._call(self._power_on(int(node_id), keys, port))

    async def _power_on(self, node_id: int, keys: list[str], port: int | None) -> int:
        running = self._servers.get(node_id)
        if running is not None:
            running[1].authorized_keys = keys
            return int(running[0].get_port())
        disk = self.disk_path(node_id)
        node = NodeContext(node_id=node_id, disk=disk, user=self.ssh_user,
                           base_env=self._base_env(node_id, disk), authorized_keys=keys)
        options: dict[str, Any] = {
            "server_host_keys": [self._host_key(node_id)],
            "process_factory": lambda process: run_session(process, node),
            "sftp_factory": lambda chan: NodeSFTPServer(chan, disk),
            "allow_scp": True,
            "encoding": None,
            "reuse_address": True,
        }
        def factory() -> NodeSSHServer:
            return NodeSSHServer(node)

        self._release(node_id)
        # Its last port, else a new one below the kernel's ephemeral range, which no outgoing
        # connection takes while the emulator restarts (docs/emulator.md, "Ports"); else any.
        for preferred in (port or 0, 0):
            try:
                acceptor = await asyncssh.create_server(factory, self._host, free_port(self._host, preferred),
                                                        **options)
                break
            except OSError:
                continue  # taken since it was chosen
        else:
            acceptor = await asyncssh.create_server(factory, self._host, 0, **options)
        self._servers[node_id] = (acceptor, node)
        return int(acceptor.get_port())

    def power_off(self, node_id: int) -> None:
        """Stop the SSH server, drop its connections and end its processes; the disk survives."""
        if int(node_id) not in self._servers:
            return
        self._call(self._power_off(int(node_id)))

    async def _power_off(self, node_id: int) -> None:
        entry = self._servers.pop(node_id, None)
        if entry is None:
            return
        acceptor, node = entry
        port = int(acceptor.get_port())
        acceptor.close()
        await acceptor.wait_closed()
        self._hold(node_id, port)
        for conn in list(node.connections):
            conn.close()
        node.kill_processes()

    def _hold(self, node_id: int, port: int) -> None:
        held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            held.bind((self._host, port))
        except OSError:
            held.close()  # taken in the instant between: the next start binds a fresh port
            return
        self._held[node_id] = held

    def _release(self, node_id: int) -> None:
        held = self._held.pop(node_id, None)
        if held is not None:
            held.close()

    async def _forget(self, node_id: int) -> None:
        self._release(node_id)

    def set_authorized_keys(self, node_id: int, keys: list[str]) -> None:
        """Replace the keys live; new logins use them at once, no restart."""
        validated = _validate_keys(keys)

        async def update() -> None:
            entry = self._servers.get(int(node_id))
            if entry is not None:
                entry[1].authorized_keys = validated

        self._call(update())

    def port(self, node_id: int) -> int | None:
        """The bound SSH port of a running node, else None."""
        entry = self._servers.get(int(node_id))
        return int(entry[0].get_port()) if entry is not None else None

    def destroy(self, node_id: int) -> None:
        """Power off and delete the node's disk and host key; its port is free again."""
        self.power_off(node_id)
        if self._loop is not None:
            self._call(self._forget(int(node_id)))
        shutil.rmtree(self._node_dir(node_id), ignore_errors=True)
