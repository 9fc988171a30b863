"""SSH host keys of nodes: pinned on first use, verified on every connection.

TIR publishes no host keys (docs/security.md), so the node provider reads the key when it
first reaches a new node and keeps it in state (`ssh_host_key`). The artifact upload and
every remote command then accept only that key; a different one fails before anything is
sent, with both fingerprints and the one command that trusts a legitimately new key.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from riva_tir.providers.base import FIRST_USE_IMPORTS

if TYPE_CHECKING:
    import asyncssh

TRUST_KEY = "riva-tir:node.trustedHostKey"


def fingerprint(host_key: str) -> str:
    """`SHA256:…` of an OpenSSH public key line, as `ssh-keygen -lf` prints it."""
    with FIRST_USE_IMPORTS:
        import asyncssh

    return str(asyncssh.import_public_key(host_key).get_fingerprint("sha256"))


def known_hosts(host_key: str) -> tuple[list[asyncssh.SSHKey], list[asyncssh.SSHKey], list[asyncssh.SSHKey]]:
    """asyncssh's known_hosts form that trusts exactly `host_key`."""
    with FIRST_USE_IMPORTS:
        import asyncssh

    return [asyncssh.import_public_key(host_key)], [], []


class HostKeyChanged(RuntimeError):
    """The node showed another host key than the pinned one; nothing was sent to it."""


def changed_message(what: str, address: str, pinned: str, presented: str) -> str:
    return (f"{what} at {address} presented SSH host key {presented}, but {pinned} is pinned for it: "
            "nothing was sent. If the node was rebuilt legitimately, check the new key on the node "
            "(JupyterLab terminal: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then trust it with "
            f"`pulumi config set {TRUST_KEY} {presented}` and run `pulumi up`")


async def presented_key(host: str, port: int, attempts: int = 1) -> str:
    """The host key the server at host:port shows (one handshake; nothing is sent)."""
    with FIRST_USE_IMPORTS:
        import asyncssh
    from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

    async for attempt in AsyncRetrying(stop=stop_after_attempt(attempts), wait=wait_exponential(0.5, max=4),
                                       retry=retry_if_exception_type(OSError), reraise=True):
        with attempt:
            key = await asyncio.wait_for(asyncssh.get_server_host_key(host, port), timeout=30)
    if key is None:
        raise OSError(f"{host}:{port} showed no host key")
    return str(key.export_public_key().decode().strip())


def read_host_key(host: str, port: int, attempts: int = 5) -> str:
    """The key the node at host:port shows now (a node just started may refuse for a moment)."""
    return asyncio.run(presented_key(host, port, attempts))


def pin(what: str, host: str, port: int, trusted: str | None, attempts: int = 5) -> str:
    """Read the node's host key for pinning; with `trusted` (a fingerprint the user
    checked), only a key with that fingerprint is accepted."""
    key = read_host_key(host, port, attempts)
    if trusted and fingerprint(key) != trusted:
        raise RuntimeError(f"{what} at {host}:{port} presented SSH host key {fingerprint(key)}, not the "
                           f"trusted {trusted} of {TRUST_KEY}: nothing was sent. Check the key on the node "
                           "and set the fingerprint it shows")
    return key
