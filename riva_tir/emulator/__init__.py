"""Local, protocol-faithful emulator of E2E Networks' TIR REST API (see docs/emulator.md).

Exports are loaded lazily: `riva_tir.emulator.riva_tools` runs as small CLIs on emulated nodes and
must not pay for Flask, MinIO or asyncssh imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from riva_tir.emulator.app import create_app
    from riva_tir.emulator.control_client import ControlError, EmulatorControl
    from riva_tir.emulator.faults import FaultPlan, FaultRule
    from riva_tir.emulator.lifecycle import FakeClock, SystemClock
    from riva_tir.emulator.server import EmulatorServer
    from riva_tir.emulator.state import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN

__all__ = ["DEFAULT_API_KEY", "DEFAULT_AUTH_TOKEN", "ControlError", "EmulatorControl", "EmulatorServer", "FakeClock",
           "FaultPlan", "FaultRule", "SystemClock", "create_app"]

_HOMES = {
    "create_app": "riva_tir.emulator.app",
    "ControlError": "riva_tir.emulator.control_client",
    "EmulatorControl": "riva_tir.emulator.control_client",
    "FaultPlan": "riva_tir.emulator.faults",
    "FaultRule": "riva_tir.emulator.faults",
    "FakeClock": "riva_tir.emulator.lifecycle",
    "SystemClock": "riva_tir.emulator.lifecycle",
    "EmulatorServer": "riva_tir.emulator.server",
    "DEFAULT_API_KEY": "riva_tir.emulator.state",
    "DEFAULT_AUTH_TOKEN": "riva_tir.emulator.state",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'riva_tir.emulator' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_HOMES[name]), name)
