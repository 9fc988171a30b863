"""What runs "inside" endpoints: a Triton stand-in, a Riva API stand-in or a generic container.

Each running endpoint owns its listeners (threads; gRPC servers have their own pools).
Starting an endpoint that already runs restarts it; ports not given explicitly default to
the ones it had before, so a stop/start keeps its addresses.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

import grpc

from tir_emulator.dataplane.listeners import DynamicHealth, HttpListener, generic_app, start_grpc
from tir_emulator.dataplane.repository import TritonRepository
from tir_emulator.dataplane.riva import ASR_SERVICE, TritonProbe, register_riva
from tir_emulator.dataplane.triton_grpc import register_triton
from tir_emulator.dataplane.triton_http import create_triton_app
from tir_emulator.objectstore import ObjectStore

_GRACE_S = 1.0


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str  # why not ready
    models: list[str]  # Triton: models READY; Riva: ASR models it serves


class _Instance(Protocol):
    @property
    def http_port(self) -> int | None: ...

    @property
    def grpc_port(self) -> int | None: ...

    def readiness(self) -> Readiness: ...

    def stop(self) -> None: ...


class _Triton:
    def __init__(self, store: ObjectStore, host: str, bucket: str, prefix: str,
                 http_port: int | None, grpc_port: int | None, endpoint_id: int) -> None:
        self.repo = TritonRepository(store, bucket, prefix)
        self._http = HttpListener(create_triton_app(self.repo), host, http_port,
                                  f"triton-http-{endpoint_id}")
        health = DynamicHealth(lambda: self.repo.snapshot().ready,
                               ("inference.GRPCInferenceService",))

        def register(server: grpc.Server) -> None:
            register_triton(server, self.repo)
            health.add_to(server)

        self._grpc, self.grpc_port = start_grpc(host, grpc_port, register)
        self.http_port = self._http.port

    def readiness(self) -> Readiness:
        snap = self.repo.snapshot(force=True)
        return Readiness(snap.ready, snap.reason(self.repo.location), snap.ready_models)

    def stop(self) -> None:
        self._grpc.stop(_GRACE_S).wait()
        self._http.stop()


class _Riva:
    def __init__(self, host: str, triton_uri: str, grpc_port: int | None) -> None:
        self.probe = TritonProbe(triton_uri)
        health = DynamicHealth(lambda: self.probe.view().ok, (ASR_SERVICE,))

        def register(server: grpc.Server) -> None:
            register_riva(server, self.probe)
            health.add_to(server)

        self._grpc, self.grpc_port = start_grpc(host, grpc_port, register)
        self.http_port: int | None = None

    def readiness(self) -> Readiness:
        view = self.probe.view()
        return Readiness(view.ok, view.reason, [m.name for m in view.models])

    def stop(self) -> None:
        self._grpc.stop(_GRACE_S).wait()
        self.probe.close()


class _Generic:
    def __init__(self, host: str, http_port: int | None, endpoint_id: int) -> None:
        self._http = HttpListener(generic_app, host, http_port, f"container-http-{endpoint_id}")
        self.http_port: int | None = self._http.port
        self.grpc_port: int | None = None

    def readiness(self) -> Readiness:
        return Readiness(True, "", [])

    def stop(self) -> None:
        self._http.stop()


class DataPlane:
    """Starts, checks and stops the data-plane processes of endpoints (thread-safe)."""

    def __init__(self, objectstore: ObjectStore, host: str = "127.0.0.1") -> None:
        self._store = objectstore
        self._host = host
        self._lock = threading.Lock()
        self._running: dict[int, _Instance] = {}
        self._last_ports: dict[int, tuple[int | None, int | None]] = {}

    def _replace(self, endpoint_id: int, instance: _Instance) -> None:
        with self._lock:
            self._running[endpoint_id] = instance
            self._last_ports[endpoint_id] = (instance.http_port, instance.grpc_port)

    def _previous(self, endpoint_id: int) -> tuple[int | None, int | None]:
        """Stop a running instance first; returns the ports it (or its predecessor) had."""
        self.stop(endpoint_id)
        with self._lock:
            return self._last_ports.get(endpoint_id, (None, None))

    def start_triton(self, endpoint_id: int, bucket: str, prefix: str,
                     http_port: int | None = None, grpc_port: int | None = None) -> tuple[int, int]:
        old_http, old_grpc = self._previous(endpoint_id)
        triton = _Triton(self._store, self._host, bucket, prefix, http_port or old_http,
                         grpc_port or old_grpc, endpoint_id)
        self._replace(endpoint_id, triton)
        return triton.http_port, triton.grpc_port

    def start_riva(self, endpoint_id: int, triton_uri: str, grpc_port: int | None = None) -> int:
        _old_http, old_grpc = self._previous(endpoint_id)
        riva = _Riva(self._host, triton_uri, grpc_port or old_grpc)
        self._replace(endpoint_id, riva)
        return riva.grpc_port

    def start_generic(self, endpoint_id: int, http_port: int | None = None) -> int:
        old_http, _old_grpc = self._previous(endpoint_id)
        generic = _Generic(self._host, http_port or old_http, endpoint_id)
        self._replace(endpoint_id, generic)
        assert generic.http_port is not None
        return generic.http_port

    def readiness(self, endpoint_id: int) -> Readiness:
        """Re-checks now (the Triton repository is reloaded from S3 until ready)."""
        with self._lock:
            instance = self._running.get(endpoint_id)
        if instance is None:
            return Readiness(False, f"endpoint {endpoint_id} has no running container", [])
        return instance.readiness()

    def http_port(self, endpoint_id: int) -> int | None:
        with self._lock:
            instance = self._running.get(endpoint_id)
        return instance.http_port if instance is not None else None

    def grpc_port(self, endpoint_id: int) -> int | None:
        with self._lock:
            instance = self._running.get(endpoint_id)
        return instance.grpc_port if instance is not None else None

    def stop(self, endpoint_id: int) -> None:
        with self._lock:
            instance = self._running.pop(endpoint_id, None)
        if instance is not None:
            instance.stop()

    def stop_all(self) -> None:
        with self._lock:
            ids = list(self._running)
        for endpoint_id in ids:
            self.stop(endpoint_id)
