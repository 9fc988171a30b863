"""Nodes as real SSH servers: key-only auth, live key updates, exec semantics."""

from __future__ import annotations

import asyncio
import io

import asyncssh
import paramiko
import pytest

from tests.emulator.machinery_harness import OTHER_KEY, USER_KEY, Node, public, run_ssh
from riva_tir.emulator.machines import MachineHost
from riva_tir.emulator.riva_tools import tools_bin_dir

pytestmark = pytest.mark.emulator


def test_authorized_key_accepted_others_refused(node: Node) -> None:
    assert node.run("true").exit_status == 0
    with pytest.raises(asyncssh.PermissionDenied):
        asyncio.run(run_ssh(node.port, "true", OTHER_KEY))
    with pytest.raises(asyncssh.PermissionDenied):  # right key, wrong login user
        asyncio.run(run_ssh(node.port, "true", USER_KEY, user="ubuntu"))


def test_password_auth_is_not_offered(node: Node) -> None:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    with pytest.raises(paramiko.AuthenticationException):
        client.connect("127.0.0.1", node.port, username="root", password="root",
                       look_for_keys=False, allow_agent=False, timeout=10)
    client.close()


def test_authorized_keys_change_live(host: MachineHost, node: Node) -> None:
    host.set_authorized_keys(node.node_id, [public(OTHER_KEY)])
    assert asyncio.run(run_ssh(node.port, "echo ok", OTHER_KEY)).stdout == "ok\n"
    with pytest.raises(asyncssh.PermissionDenied):
        node.run("true")
    host.set_authorized_keys(node.node_id, [public(USER_KEY), public(OTHER_KEY)])
    assert node.run("echo back").stdout == "back\n"
    with pytest.raises(ValueError, match="#1 is not an OpenSSH public key"):
        host.set_authorized_keys(node.node_id, [public(USER_KEY), "ssh-rsa not-a-key"])


def test_exec_status_streams_stdin_and_env(node: Node) -> None:
    result = node.run("echo out; echo err >&2; exit 7")
    assert (result.exit_status, result.stdout, result.stderr) == (7, "out\n", "err\n")
    piped = node.run("tr a-z A-Z; wc -c < /dev/null", input="hello node\n" * 1000)
    assert piped.stdout.startswith("HELLO NODE\n") and piped.stdout.count("HELLO NODE") == 1000
    env = node.run('echo "$GREETING|$HOME|$PWD|$USER"', env={"GREETING": "hi there"})
    assert env.stdout.strip() == f"hi there|{node.disk}|{node.disk}|root"
    path = node.run("echo $PATH; command -v riva-build riva-deploy mc ngc").stdout.splitlines()
    assert path[0].split(":")[0] == str(tools_bin_dir())
    tools = ("riva-build", "riva-deploy", "mc", "ngc")
    assert path[1:] == [str(tools_bin_dir() / tool) for tool in tools]


def test_session_without_command_reads_a_script_from_stdin(node: Node) -> None:
    async def shell() -> asyncssh.SSHCompletedProcess:
        async with asyncssh.connect("127.0.0.1", node.port, username="root",
                                    client_keys=[USER_KEY], known_hosts=None) as conn:
            return await conn.run(input="echo from-script\nexit 3\n")

    result = asyncio.run(shell())
    assert (result.exit_status, result.stdout) == (3, "from-script\n")


def test_paramiko_client_execs_too(node: Node) -> None:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    pkey = paramiko.Ed25519Key.from_private_key(io.StringIO(USER_KEY.export_private_key().decode()))
    client.connect("127.0.0.1", node.port, username="root", pkey=pkey,
                   look_for_keys=False, allow_agent=False, timeout=10)
    try:
        _stdin, stdout, _stderr = client.exec_command("pwd; exit 4")
        assert stdout.read().decode().strip() == str(node.disk)
        assert stdout.channel.recv_exit_status() == 4
    finally:
        client.close()
