"""Nodes as real SSH hosts (asyncssh), one asyncio loop thread for all (see host.py)."""

from tir_emulator.machines.host import SSH_USER, MachineHost

__all__ = ["SSH_USER", "MachineHost"]
