"""Local, protocol-faithful emulator of E2E Networks' TIR REST API (see docs/emulator.md).

Exports are loaded lazily: `tir_emulator.riva_tools` runs as small CLIs on emulated nodes and
must not pay for Flask, MinIO or asyncssh imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tir_emulator.app import create_app
    from tir_emulator.control_client import ControlError, EmulatorControl
    from tir_emulator.faults import FaultPlan, FaultRule
    from tir_emulator.lifecycle import FakeClock, SystemClock
    from tir_emulator.server import EmulatorServer
    from tir_emulator.state import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN

__all__ = ["DEFAULT_API_KEY", "DEFAULT_AUTH_TOKEN", "ControlError", "EmulatorControl", "EmulatorServer", "FakeClock",
           "FaultPlan", "FaultRule", "SystemClock", "create_app"]

_HOMES = {
    "create_app": "tir_emulator.app",
    "ControlError": "tir_emulator.control_client",
    "EmulatorControl": "tir_emulator.control_client",
    "FaultPlan": "tir_emulator.faults",
    "FaultRule": "tir_emulator.faults",
    "FakeClock": "tir_emulator.lifecycle",
    "SystemClock": "tir_emulator.lifecycle",
    "EmulatorServer": "tir_emulator.server",
    "DEFAULT_API_KEY": "tir_emulator.state",
    "DEFAULT_AUTH_TOKEN": "tir_emulator.state",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'tir_emulator' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_HOMES[name]), name)
