"""E2E's container registry as the project sees it: namespaces and their repositories."""

from tir.registry.client import RegistryClient
from tir.registry.models import RegistryNamespace, RegistryRepository

__all__ = ["RegistryClient", "RegistryNamespace", "RegistryRepository"]
