"""What runs "inside" endpoints: a Triton replica (the real tritonserver, triton.py), a Riva API
stand-in or a generic container.

Each instance listens on loopback ports that stand for its container's ports (`ports`:
container port -> loopback port); nothing outside the emulator dials them directly: the
gRPC ingress and the HTTP proxy (docs/emulator.md, "Data plane") pick the container port
and look the instance up here on every call, and so does one endpoint dialing another by
its in-cluster name `is-<id>:<port>`.

A redeploy of a serving endpoint rolls: the new instance starts beside the old one, which
keeps serving until the new one is ready (a Kubernetes rolling update with one replica;
ASSUMPTION, riva_tir/emulator/assumptions.py ROLLING_REDEPLOY), then drains: it finishes the
calls it has and stops (DRAIN_SECONDS).
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import grpc

from riva_tir.emulator.assumptions import DRAIN_SECONDS
from riva_tir.emulator.dataplane.listeners import DynamicHealth, HttpListener, generic_app, start_grpc
from riva_tir.emulator.dataplane.riva import SERVICES, TritonProbe
from riva_tir.emulator.dataplane.riva_speech import register_riva
from riva_tir.emulator.dataplane.triton import TritonReplica, backend_directory, find_triton
from riva_tir.emulator.objectstore import ObjectStore

_GRACE_S = 1.0


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str  # why not ready
    models: list[str]  # Triton: models READY; Riva: ASR models it serves
    crashed: bool = False  # the container exited: it will not become ready


class _Instance(Protocol):
    @property
    def ports(self) -> dict[int, int]: ...

    def readiness(self) -> Readiness: ...

    def stop(self) -> None: ...


class _Triton:
    """A Triton replica: the real tritonserver, reached through its published ports."""

    def __init__(self, replica: TritonReplica) -> None:
        self._replica = replica

    @property
    def ports(self) -> dict[int, int]:
        return self._replica.ports

    def readiness(self) -> Readiness:
        state = self._replica.state()
        return Readiness(state.ready, state.reason, state.models, state.crashed)

    def stop(self) -> None:
        self._replica.stop()


class _Riva:
    """riva_server: gRPC on the port of its `--riva-uri`; Triton found through `resolve`; the
    services its flags turn on (riva.SERVICES keys)."""

    def __init__(self, host: str, triton_uri: str, resolve: Callable[[str], str | None], riva_port: int,
                 services: frozenset[str]) -> None:
        self.probe = TritonProbe(triton_uri, resolve, services)
        health = DynamicHealth(lambda: self.probe.view().ok, tuple(SERVICES[s] for s in sorted(services)))

        def register(server: grpc.Server) -> None:
            register_riva(server, self.probe)
            health.add_to(server)

        self._grpc, grpc_port = start_grpc(host, None, register)
        self.ports = {riva_port: grpc_port}

    def readiness(self) -> Readiness:
        view = self.probe.view()
        return Readiness(view.ok, view.reason, [m.name for m in view.models])

    def stop(self) -> None:
        self._grpc.stop(_GRACE_S).wait()
        self.probe.close()


class _Generic:
    """Any other container: an HTTP server on its service port."""

    def __init__(self, host: str, port: int, endpoint_id: int) -> None:
        self._http = HttpListener(generic_app, host, None, f"container-http-{endpoint_id}")
        self.ports = {port: self._http.port}

    def readiness(self) -> Readiness:
        return Readiness(True, "", [])

    def stop(self) -> None:
        self._http.stop()


class DataPlane:
    """Starts, checks and stops the data-plane processes of endpoints (thread-safe)."""

    def __init__(self, objectstore: ObjectStore, work_dir: Path | None = None, host: str = "127.0.0.1") -> None:
        """`work_dir` holds the replicas' model folders (a temporary one when None)."""
        self._store = objectstore
        self._host = host
        self._own_dir = work_dir is None
        self._work = work_dir or Path(tempfile.mkdtemp(prefix="riva-tir-dataplane-"))
        self._replicas = itertools.count(1)
        self._lock = threading.Lock()
        self._serving: dict[int, _Instance] = {}
        self._rolling: dict[int, _Instance] = {}  # a redeploy's new instance, until ready
        # Replaced instances finishing their calls: (endpoint, its stop timer, instance).
        self._draining: list[tuple[int, threading.Timer, _Instance]] = []

    def _start(self, endpoint_id: int, instance: _Instance, rolling: bool) -> None:
        with self._lock:
            replaced = self._rolling.pop(endpoint_id, None)
            if rolling and endpoint_id in self._serving:
                self._rolling[endpoint_id] = instance
            else:
                replaced, self._serving[endpoint_id] = self._serving.get(endpoint_id), instance
        if replaced is not None:
            replaced.stop()

    def start_triton(self, endpoint_id: int, bucket: str, prefix: str, argv: list[str], riva_image: bool,
                     env: dict[str, str] | None = None, mount_path: str = "/mnt/models",
                     rolling: bool = False) -> None:
        """`argv`: the container's command and arguments; `env`: its environment; the model
        path (`bucket`/`prefix`) is mounted at `mount_path`; `riva_image`: it carries Riva's
        Triton backends."""
        backends = backend_directory(find_triton(), self._work / "backends", riva_image)
        folder = self._work / f"is-{endpoint_id}-{next(self._replicas)}"
        replica = TritonReplica(self._store, bucket, prefix, argv, env or {}, mount_path, backends, folder,
                                self._host)
        self._start(endpoint_id, _Triton(replica), rolling)

    def start_riva(self, endpoint_id: int, triton_uri: str, riva_port: int, rolling: bool = False,
                   services: frozenset[str] = frozenset(SERVICES)) -> None:
        """`services`: the riva.SERVICES keys whose `--<key>_service` flag is on."""
        self._start(endpoint_id, _Riva(self._host, triton_uri, self.resolve, riva_port, services), rolling)

    def start_generic(self, endpoint_id: int, port: int, rolling: bool = False) -> None:
        self._start(endpoint_id, _Generic(self._host, port, endpoint_id), rolling)

    def readiness(self, endpoint_id: int) -> Readiness:
        """Re-checks now; a rolling redeploy's new instance takes over once it is ready."""
        with self._lock:
            instance = self._rolling.get(endpoint_id) or self._serving.get(endpoint_id)
        if instance is None:
            return Readiness(False, f"endpoint {endpoint_id} has no running container", [])
        readiness = instance.readiness()
        if readiness.ready:
            self.take_over(endpoint_id)
        return readiness

    def take_over(self, endpoint_id: int) -> None:
        """A rolling redeploy's new instance serves from now on; the old one drains (new calls
        go to the new one, its own finish) and then stops."""
        with self._lock:
            new = self._rolling.pop(endpoint_id, None)
            old = self._serving.get(endpoint_id) if new is not None else None
            if new is not None:
                self._serving[endpoint_id] = new
        if old is not None:
            drained = threading.Timer(DRAIN_SECONDS, self._stop_drained, (endpoint_id,))
            drained.daemon = True
            with self._lock:
                self._draining.append((endpoint_id, drained, old))
            drained.start()

    def _stop_drained(self, endpoint_id: int | None = None) -> None:
        """Stops the replaced instances (of one endpoint, or all) whose drain is over, or
        now, when their endpoint stops."""
        with self._lock:
            done = [d for d in self._draining if endpoint_id is None or d[0] == endpoint_id]
            self._draining = [d for d in self._draining if d not in done]
        for _, timer, instance in done:
            timer.cancel()
            instance.stop()

    def port(self, endpoint_id: int, container_port: int) -> int | None:
        """The loopback port behind a serving instance's container port, if it listens there."""
        with self._lock:
            instance = self._serving.get(endpoint_id)
        return instance.ports.get(container_port) if instance is not None else None

    def resolve(self, address: str) -> str | None:
        """TIR's in-cluster name `is-<id>:<port>` -> the loopback address behind it."""
        name, _, port = address.rpartition(":")
        if not (name.startswith("is-") and name[3:].isdigit() and port.isdigit()):
            return None
        loopback = self.port(int(name[3:]), int(port))
        return f"{self._host}:{loopback}" if loopback else None

    def stop(self, endpoint_id: int) -> None:
        self._stop_drained(endpoint_id)
        with self._lock:
            instances = [self._serving.pop(endpoint_id, None), self._rolling.pop(endpoint_id, None)]
        for instance in instances:
            if instance is not None:
                instance.stop()

    def stop_all(self) -> None:
        with self._lock:
            ids = set(self._serving) | set(self._rolling)
        for endpoint_id in ids:
            self.stop(endpoint_id)
        self._stop_drained()
        if self._own_dir:
            shutil.rmtree(self._work, ignore_errors=True)
