"""``container_registry/`` reads (the SDK's ``registry_namespace_list`` and ``registry_detail``)."""

from __future__ import annotations

import builtins

from riva_tir.tir._http import Transport
from riva_tir.tir._models import as_list, parse
from riva_tir.tir.registry.models import RegistryNamespace, RegistryRepository


class RegistryClient:
    """Project-scoped, read-only: one call per method."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def namespaces(self) -> builtins.list[RegistryNamespace]:
        data = self._t.request("GET", "container_registry/", scoped=True)
        return [parse(RegistryNamespace, item) for item in as_list(data, "registry namespace")]

    def repositories(self, namespace_id: int) -> builtins.list[RegistryRepository]:
        data = self._t.request("GET", f"container_registry/{namespace_id}/namespace-repository/", scoped=True)
        return [parse(RegistryRepository, item) for item in as_list(data, "registry repository")]

    def find(self, namespace_id: int, repository: str, tag: str) -> RegistryRepository | None:
        """The repository holding ``repository:tag`` (the tag is not checked where the listing
        shows none)."""
        return next((r for r in self.repositories(namespace_id)
                     if r.is_named(repository) and (r.tags is None or tag in r.tags)), None)
