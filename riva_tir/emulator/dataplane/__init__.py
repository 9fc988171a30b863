"""What runs "inside" endpoints: real Triton replicas, Riva API and generic-container stand-ins (plane.py)."""

from riva_tir.emulator.dataplane.plane import DataPlane, Readiness

__all__ = ["DataPlane", "Readiness"]
