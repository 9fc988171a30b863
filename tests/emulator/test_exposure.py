"""The emulator is reachable from this machine only: every socket it listens on (API,
MinIO, node SSH servers, data plane) is bound to loopback, and it refuses any other address."""
from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

from riva_tir.emulator import EmulatorServer
from riva_tir.emulator.ingress import GrpcIngress
from riva_tir.emulator.loopback import free_port
from riva_tir.emulator.machines import MachineHost

pytestmark = pytest.mark.emulator


def _listening() -> set[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state on this machine."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state != "0A":  # TCP_LISTEN
                continue
            hex_addr, hex_port = local.split(":")
            raw = bytes.fromhex(hex_addr)
            # /proc prints each 32-bit word in host (little-endian) order.
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            address = ipaddress.ip_address(words) if width == 8 else ipaddress.IPv6Address(words)
            found.add((str(address), int(hex_port, 16)))
    return found


def _ephemeral_start() -> int:
    return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])


def _loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None  # gRPC binds ::ffff:127.0.0.1
    return (mapped or ip).is_loopback


def test_every_listening_socket_is_loopback(tmp_path: Path) -> None:
    before = _listening()
    emulator = EmulatorServer(port=0, data_dir=tmp_path)
    emulator.start()
    try:
        assert emulator.state is not None
        # A powered-on node adds its SSH server.
        port = emulator.state.machines.power_on(1, [])
        opened = _listening() - before
        assert any(p == port for _, p in opened) and any(p == emulator.port for _, p in opened)
        exposed = [(a, p) for a, p in opened if not _loopback(a)]
        assert exposed == [], f"listening beyond loopback: {exposed}"
        # The ports that must survive a restart are where no outgoing connection takes them.
        kept = {"api": emulator.port, "ingress": emulator.grpc_port, "node ssh": port,
                "minio": int(emulator.state.objectstore.endpoint_url.rsplit(":", 1)[1])}
        assert all(p < _ephemeral_start() for p in kept.values()), kept
        # gRPC shares a port between servers unless told not to: another emulator's ingress
        # that chose this port would answer for this one.
        assert emulator.tls is not None
        with pytest.raises(OSError, match="cannot listen"):
            GrpcIngress(emulator.state, emulator.tls, port=emulator.grpc_port)
    finally:
        emulator.stop()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_a_non_loopback_address_is_refused(tmp_path: Path, host: str) -> None:
    with pytest.raises(ValueError, match="loopback only"):
        EmulatorServer(port=0, data_dir=tmp_path, host=host)
    with pytest.raises(ValueError, match="loopback only"):
        MachineHost(tmp_path, host=host)


def test_ports_chosen_for_servers_are_free_and_outside_the_kernels_ephemeral_range() -> None:
    """The ports the emulator hands MinIO and Triton: the one preferred while it is free,
    else one the kernel does not also hand to outgoing connections."""
    ephemeral_start = _ephemeral_start()
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        taken = held.getsockname()[1]
        chosen = [free_port("127.0.0.1", preferred=taken) for _ in range(20)]
        assert taken not in chosen
        assert all(port < ephemeral_start for port in chosen)
        avoided = free_port("127.0.0.1", avoid=range(10000, ephemeral_start - 1))
        assert avoided not in range(10000, ephemeral_start - 1)
    assert free_port("127.0.0.1", preferred=taken) == taken  # free again
