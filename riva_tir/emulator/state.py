"""The emulator's whole state in one object: store, lifecycle, per-kind models and machinery."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from riva_tir.emulator.buckets import Buckets
from riva_tir.emulator.catalog.models import Catalog
from riva_tir.emulator.alternatives import Alternatives
from riva_tir.emulator.endpoints.models import EndpointModels
from riva_tir.emulator.envelope import ValidationFailed
from riva_tir.emulator.lifecycle import Lifecycle
from riva_tir.emulator.middleware import RequestLog
from riva_tir.emulator.model_repositories.models import RepositoryModels
from riva_tir.emulator.nodes.models import NodeModels
from riva_tir.emulator.scope import Collection
from riva_tir.emulator.ssh_keys.models import SshKeyModels
from riva_tir.emulator.store import Store
from riva_tir.emulator.wire import Paging

if TYPE_CHECKING:
    from riva_tir.emulator.dataplane import DataPlane
    from riva_tir.emulator.machines import MachineHost
    from riva_tir.emulator.objectstore import ObjectStore

DEFAULT_API_KEY = "emulator-api-key"
DEFAULT_AUTH_TOKEN = "emulator-auth-token"


@dataclass(frozen=True)
class Credentials:
    """What clients must send; kept out of reprs so it never lands in a log."""

    api_key: str
    auth_token: str

    def __repr__(self) -> str:
        return "Credentials(api_key=***, auth_token=***)"


class EmulatorState:
    """Everything `create_app` serves; no module globals, so tests can run several emulators."""

    def __init__(
        self,
        store: Store,
        lifecycle: Lifecycle,
        objectstore: ObjectStore,
        machines: MachineHost,
        dataplane: DataPlane,
        credentials: Credentials,
        alternatives: Alternatives | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.store, self.lifecycle, self.credentials = store, lifecycle, credentials
        self.objectstore, self.machines, self.dataplane = objectstore, machines, dataplane
        self.alternatives = alternatives or machines.alternatives
        self.public_url = "http://127.0.0.1"
        self.requests = RequestLog()
        self.paging = Paging()
        self.catalog = Catalog()
        clock = lifecycle.clock
        self.ssh_keys = SshKeyModels(store, clock, self.lock)
        self.buckets = Buckets(objectstore)
        self.repositories = RepositoryModels(store, clock, self.buckets, self.lock)
        self.nodes = NodeModels(store, lifecycle, self.catalog, self.ssh_keys, machines,
                                lambda: self.public_url, self.lock, self.alternatives)
        self.endpoints = EndpointModels(store, lifecycle, self.catalog, self.repositories, dataplane, self.lock,
                                        self.alternatives)

    def resume(self) -> None:
        """Re-power running nodes and re-start active endpoints after a process restart; drop
        the buckets of repository creates the stop interrupted."""
        self.repositories.resume()
        self.nodes.resume()
        self.endpoints.resume()

    def inventory(self) -> dict[str, Any]:
        """Everything that exists, across projects and regions (for leak checks)."""
        with self.lock:
            kinds: dict[str, Collection[Any]] = {
                "nodes": self.nodes, "model_repositories": self.repositories, "endpoints": self.endpoints,
                "ssh_keys": self.ssh_keys}
            return {**{name: [models.to_wire(r) for r in models.list(None)] for name, models in kinds.items()},
                    "buckets": self.buckets.names()}

    def reset(self) -> None:
        """Delete every resource and its machinery (disks, buckets, data planes); ids keep rising."""
        with self.lock:
            for endpoint in self.endpoints.list(None):
                self.endpoints.delete(None, endpoint.id)
            for node in self.nodes.list(None):
                self.nodes.delete(None, node.id)
            for repo in self.repositories.list(None):
                self.repositories.delete(None, repo.id)
            self.buckets.release_all()
            self.store.clear()
            self.requests.clear()
            self.paging = Paging()

    def fail(self, kind: str, resource_id: int, reason: str) -> dict[str, Any]:
        """Put a node or endpoint into `failed` with ``reason`` (control API)."""
        if kind == "node":
            return self.nodes.to_wire(self.nodes.fail(resource_id, reason))
        if kind == "endpoint":
            return self.endpoints.to_wire(self.endpoints.fail(resource_id, reason))
        raise ValidationFailed("kind", "allowed values are node, endpoint")
