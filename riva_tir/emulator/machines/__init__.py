"""Nodes as real SSH hosts (asyncssh), one asyncio loop thread for all (see host.py)."""

from riva_tir.emulator.machines.host import MachineHost

__all__ = ["MachineHost"]
