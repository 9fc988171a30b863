"""Node disks: SFTP streaming, and persistence across power cycles and MachineHost restarts."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import time
from pathlib import Path

import asyncssh
import pytest

from tests.emulator.machinery_harness import USER_KEY, Node, public, run_ssh
from riva_tir.emulator.machines import MachineHost

pytestmark = pytest.mark.emulator


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _gone_within(pid: int, seconds: float) -> bool:
    """True once `pid` no longer runs (exited, or killed and awaiting reaping)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


async def _host_key(port: int) -> str:
    async with asyncssh.connect("127.0.0.1", port, username="root", client_keys=[USER_KEY],
                                known_hosts=None) as conn:
        key = conn.get_server_host_key()
        assert key is not None
        return key.export_public_key().decode()


def test_sftp_streams_a_50mb_file_both_ways(node: Node, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    with source.open("wb") as handle:
        for _ in range(50):
            handle.write(os.urandom(1 << 20))
    back = tmp_path / "back.bin"

    async def transfer() -> str:
        async with asyncssh.connect("127.0.0.1", node.port, username="root",
                                    client_keys=[USER_KEY], known_hosts=None) as conn:
            async with conn.start_sftp_client() as sftp:
                home = await sftp.realpath(".")
                await sftp.makedirs("uploads", exist_ok=True)
                await sftp.put(str(source), "uploads/big.bin")
                await sftp.get("uploads/big.bin", str(back))
                return home

    home = asyncio.run(transfer())
    assert home == str(node.disk)  # SFTP starts in the node's disk
    assert (node.disk / "uploads" / "big.bin").stat().st_size == 50 << 20
    assert _sha256(node.disk / "uploads" / "big.bin") == _sha256(source) == _sha256(back)
    remote = node.run("sha256sum uploads/big.bin").stdout.split()[0]
    assert remote == _sha256(source)


def test_disk_survives_power_cycle_with_same_port_and_host_key(host: MachineHost,
                                                               node: Node) -> None:
    key_before = asyncio.run(_host_key(node.port))
    assert node.run("mkdir -p work && echo kept > work/state.txt").exit_status == 0
    host.power_off(node.node_id)
    with pytest.raises(OSError):
        asyncio.run(run_ssh(node.port, "true", USER_KEY))
    assert host.power_on(node.node_id, [public(USER_KEY)], port=node.port) == node.port
    assert node.run("cat work/state.txt").stdout == "kept\n"
    assert asyncio.run(_host_key(node.port)) == key_before
    assert key_before.split()[1] == host.host_public_key(node.node_id).split()[1]


def test_a_stopped_nodes_port_is_kept_from_other_processes(host: MachineHost) -> None:
    """Steps recorded the node's address: while it is off, no other server may take the
    port (they would dial a stranger); deleted, the port is free again."""
    node_id = 9001
    port = host.power_on(node_id, [public(USER_KEY)])
    host.power_off(node_id)
    stranger = socket.socket()
    try:
        with pytest.raises(OSError):
            stranger.bind(("127.0.0.1", port))
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        assert host.power_on(node_id, [public(USER_KEY)], port=port) == port
        host.destroy(node_id)
        stranger.bind(("127.0.0.1", port))
    finally:
        stranger.close()


def test_power_off_ends_background_jobs(host: MachineHost, node: Node) -> None:
    started = node.run("nohup sleep 300 >/dev/null 2>&1 & echo $!")
    pid = int(started.stdout.strip())
    os.kill(pid, 0)  # still running after the session ended, as on a real machine
    host.power_off(node.node_id)
    assert _gone_within(pid, 5.0)
    host.power_on(node.node_id, [public(USER_KEY)], port=node.port)


def test_host_restart_keeps_disk_port_and_host_key(tmp_path: Path) -> None:
    first = MachineHost(tmp_path)
    first.start()
    try:
        port = first.power_on(7, [public(USER_KEY)])
        key_before = asyncio.run(_host_key(port))
        assert asyncio.run(run_ssh(port, "echo v1 > version", USER_KEY)).exit_status == 0
    finally:
        first.stop()
    second = MachineHost(tmp_path)
    second.start()
    try:
        assert second.power_on(7, [public(USER_KEY)], port=port) == port
        assert asyncio.run(run_ssh(port, "cat version", USER_KEY)).stdout == "v1\n"
        assert asyncio.run(_host_key(port)) == key_before
        key_file = tmp_path / "nodes" / "7" / "ssh_host_ed25519_key"
        assert oct(key_file.stat().st_mode & 0o777) == "0o600"
        second.destroy(7)
        assert not (tmp_path / "nodes" / "7").exists()
        assert second.port(7) is None
    finally:
        second.stop()


def test_taken_port_falls_back_to_a_free_one(host: MachineHost, node: Node) -> None:
    other = host.power_on(node.node_id + 500, [public(USER_KEY)], port=node.port)
    try:
        assert other != node.port
        assert asyncio.run(run_ssh(other, "echo fine", USER_KEY)).stdout == "fine\n"
    finally:
        host.destroy(node.node_id + 500)
