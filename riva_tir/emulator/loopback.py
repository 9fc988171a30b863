"""The emulator serves this machine only (docs/emulator.md, "Exposure"): its control API
can wipe everything and its nodes run any command as the user who started it. It chooses
the loopback ports of everything it serves (docs/emulator.md, "Ports")."""
from __future__ import annotations

import ipaddress
import random
import socket
from collections.abc import Collection
from pathlib import Path

import psutil

# Below the kernel's ephemeral range when that range cannot be read (Linux's default start).
_EPHEMERAL_START = 32768
_LOWEST_CHOSEN = 10000
_CHOICES = 64


def require_loopback(host: str) -> str:
    """`host` when it is a loopback address; anything else is refused."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the emulator serves loopback only, not {host!r}: use 127.0.0.1")
    return host


def _bindable(host: str, port: int) -> bool:
    """True when a server could listen on host:port now. Servers set SO_REUSEADDR, so a port
    held only by connections closing (TIME_WAIT) counts as free, as it does for them."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return _EPHEMERAL_START


def free_port(host: str, preferred: int = 0, avoid: Collection[int] = ()) -> int:
    """`preferred` when it can be bound now, else a free port below the kernel's ephemeral
    range and not in `avoid` (ports already chosen for the same server). The server binds it
    a moment later; the kernel gives ports of that range to every outgoing connection, so one
    chosen there is taken in between far more often (docs/emulator.md, "Ports")."""
    if preferred and _bindable(host, preferred):
        return preferred
    highest = _ephemeral_start() - 1
    if highest > _LOWEST_CHOSEN:
        for port in random.sample(range(_LOWEST_CHOSEN, highest + 1), _CHOICES):
            if port not in avoid and _bindable(host, port):
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def listening_ports(pid: int) -> set[int]:
    """The TCP ports process `pid` listens on (none once it has ended)."""
    try:
        return {c.laddr.port for c in psutil.Process(pid).net_connections("tcp")
                if c.status == psutil.CONN_LISTEN}
    except psutil.NoSuchProcess:
        return set()
