"""E2E's container registry as the project sees it: namespaces and their repositories."""

from riva_tir.tir.registry.client import RegistryClient
from riva_tir.tir.registry.models import RegistryNamespace, RegistryRepository

__all__ = ["RegistryClient", "RegistryNamespace", "RegistryRepository"]
