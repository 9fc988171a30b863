"""The emulator serves this machine only (docs/emulator.md, "Exposure"): its control API
can wipe everything and its nodes run any command as the user who started it."""
from __future__ import annotations

import ipaddress


def require_loopback(host: str) -> str:
    """`host` when it is a loopback address; anything else is refused."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the emulator serves loopback only, not {host!r}: use 127.0.0.1")
    return host
