"""The artifact provider's SFTP upload (riva_tir/providers/artifact.py) to an emulated
node: what lands on the disk, the cipher it asks for, the packets it leaves out, and writes
kept within the limit the server advertises (OpenSSH's sftp-server ends the session on a
longer one)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from asyncssh.connection import SSHConnection
from asyncssh.constants import MSG_CHANNEL_DATA, MSG_IGNORE

from riva_tir.providers import artifact
from tests.emulator.machinery_harness import USER_KEY, Node
from riva_tir.emulator.machines.ssh_server import NodeSFTPServer

pytestmark = pytest.mark.emulator

# What OpenSSH's sftp-server advertises as max-write-length (256 KiB less 1 KiB).
OPENSSH_WRITE_LIMIT = 261120


def _props(node: Node, model: Path) -> dict[str, Any]:
    return {"node_id": node.node_id, "ssh_host": "127.0.0.1", "ssh_port": node.port, "ssh_user": "root",
            "ssh_private_key": USER_KEY.export_private_key().decode(),
            "ssh_host_key": node.host.host_public_key(node.node_id), "source": {"file": str(model)},
            "sha256": hashlib.sha256(model.read_bytes()).hexdigest()}


def _model(tmp_path: Path, size: int) -> Path:
    model = tmp_path / "model.riva"
    model.write_bytes(os.urandom(size))
    return model


def test_upload_lands_whole_under_its_final_name_once(node: Node, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    model = _model(tmp_path, (3 << 20) + 12345)  # not a whole number of blocks
    props = _props(node, model)
    shown: list[str] = []
    monkeypatch.setattr(artifact, "progress", lambda message, **_: shown.append(message))

    outs = artifact.ModelArtifactProvider().create(props).outs or {}
    remote = Path(outs["remote_path"])
    assert remote.read_bytes() == model.read_bytes() and outs["size_bytes"] == model.stat().st_size
    assert sorted(p.name for p in remote.parent.iterdir()) == ["model.riva", "model.riva.sha256"]
    assert (remote.parent / "model.riva.sha256").read_text() == props["sha256"]
    assert shown[-1] == "uploading model.riva: 100% of 3 MiB"

    artifact.ModelArtifactProvider().create(props)
    assert shown[-1] == "model.riva already on the node"


def test_connection_prefers_aes_gcm(node: Node, tmp_path: Path) -> None:
    connection = artifact.NodeConnection.model_validate(_props(node, _model(tmp_path, 1)))

    async def cipher() -> str:
        async with await artifact._connect(connection) as conn:
            return str(conn.get_extra_info("send_cipher"))

    assert asyncio.run(cipher()) == "aes128-gcm@openssh.com"


def test_no_ignore_packets_after_login(node: Node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[int] = []
    send = SSHConnection.send_packet

    def recording(self: SSHConnection, pkttype: int, *args: bytes, **kwargs: Any) -> None:
        if isinstance(self, asyncssh.SSHClientConnection):
            sent.append(pkttype)
        send(self, pkttype, *args, **kwargs)

    monkeypatch.setattr(SSHConnection, "send_packet", recording)
    model = _model(tmp_path, 1 << 20)

    async def upload() -> None:
        async with await artifact._connect(artifact.NodeConnection.model_validate(_props(node, model))) as conn:
            sent.clear()  # logged in
            async with conn.start_sftp_client() as sftp:
                await sftp.put(str(model), "copy.riva")

    asyncio.run(upload())
    assert MSG_CHANNEL_DATA in sent and MSG_IGNORE not in sent
    assert (node.disk / "copy.riva").read_bytes() == model.read_bytes()


def test_writes_stay_within_the_advertised_limit(node: Node, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncssh.sftp, "MAX_SFTP_WRITE_LEN", OPENSSH_WRITE_LIMIT)  # the server's reply
    sizes: list[int] = []

    def write(self: NodeSFTPServer, file_obj: object, offset: int, data: bytes) -> object:
        sizes.append(len(data))
        return asyncssh.SFTPServer.write(self, file_obj, offset, data)

    monkeypatch.setattr(NodeSFTPServer, "write", write)
    model = _model(tmp_path, 2 << 20)
    artifact.ModelArtifactProvider().create(_props(node, model))
    assert max(sizes) == OPENSSH_WRITE_LIMIT and sum(sizes) == model.stat().st_size


def test_upload_waits_for_a_node_still_starting_its_ssh_server(node: Node, host: Any, tmp_path: Path) -> None:
    """Just after a start a node may refuse connections for a moment; the upload retries
    its connect instead of failing the run (a read or delete does not: there an
    unreachable node means a stopped one)."""
    model = _model(tmp_path, 1 << 20)
    props = artifact.NodeConnection.model_validate(_props(node, model))
    host.power_off(node.node_id)

    async def connect_while_the_node_starts() -> None:
        loop = asyncio.get_running_loop()
        loop.call_later(1.0, lambda: host.power_on(node.node_id, [USER_KEY.export_public_key().decode()],
                                                   port=node.port))
        async with await artifact._connect(props, attempts=artifact.CONNECT_ATTEMPTS) as conn:
            assert (await conn.run("echo up", check=True)).stdout.strip() == "up"
        with pytest.raises(OSError):
            host.power_off(node.node_id)
            await artifact._connect(props)

    asyncio.run(connect_while_the_node_starts())


def test_a_changed_host_key_fails_before_anything_is_sent(node: Node, tmp_path: Path) -> None:
    """The node's key is pinned; after a rotation (a rebuild, or another host on its
    address) the upload fails naming both fingerprints and the command that trusts the new
    key, and the node's disk gets nothing."""
    from riva_tir.providers.host_keys import TRUST_KEY, fingerprint

    model = _model(tmp_path, 1 << 20)
    props = _props(node, model)
    pinned = props["ssh_host_key"]
    presented = node.host.rotate_host_key(node.node_id)
    assert fingerprint(presented) != fingerprint(pinned)
    before = sorted(p.relative_to(node.disk) for p in node.disk.rglob("*"))
    with pytest.raises(RuntimeError) as failure:
        artifact.ModelArtifactProvider().create(props)
    message = str(failure.value)
    assert fingerprint(pinned) in message and fingerprint(presented) in message
    assert f"pulumi config set {TRUST_KEY} {fingerprint(presented)}" in message
    assert f"node {node.node_id}" in message and "nothing was sent" in message
    assert sorted(p.relative_to(node.disk) for p in node.disk.rglob("*")) == before
    # With the new key pinned the same upload goes through.
    artifact.ModelArtifactProvider().create({**props, "ssh_host_key": presented})
