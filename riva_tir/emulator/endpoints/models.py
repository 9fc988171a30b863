"""Model endpoints (`serving/inference/`): records whose data plane is real (DataPlane).

An endpoint only leaves `deploying`/`waiting` when its transition delay has passed *and* the data
plane reports ready (a Triton repository that loads, a Riva server that reaches Triton), exactly
the condition the real platform waits on.
"""

from __future__ import annotations

import builtins
import dataclasses
import threading
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from riva_tir.emulator import assumptions as a
from riva_tir.emulator.alternatives import Alternatives
from riva_tir.emulator.catalog.models import Catalog, sku_details
from riva_tir.emulator.endpoints import spec as specs
from riva_tir.emulator.endpoints.errors import EndpointNotFound, ReplicaNotFound
from riva_tir.emulator.envelope import CapacityUnavailable, InvalidState, NotFound
from riva_tir.emulator.lifecycle import Lifecycle, Transition, TransitionTable
from riva_tir.emulator.model_repositories.models import Repository, RepositoryModels
from riva_tir.emulator.scope import Collection, InScope, Scope, iso, synchronized
from riva_tir.emulator.store import Store
from riva_tir.emulator.validation import Body

if TYPE_CHECKING:
    from riva_tir.emulator.dataplane import DataPlane

KIND = "endpoint"
FIRST_ID = 4001
ASYNC_FIELDS = ("async_enabled", "async_concurrent_workers", "async_dataset_id", "async_destination_type",
                "async_target_routes")
TRANSITIONS = TransitionTable([
    Transition("endpoint.deploy", a.EP_DEPLOYING, a.EP_RUNNING),
    Transition("endpoint.start", a.EP_WAITING, a.EP_RUNNING),
    Transition("endpoint.stop", a.EP_TERMINATING, a.EP_STOPPED),
])
ACTIVE = (a.EP_DEPLOYING, a.EP_WAITING, a.EP_RUNNING, a.EP_IDLE)


@dataclass
class Endpoint(InScope):
    id: int
    project_id: int
    location: str
    body: dict[str, Any]  # last accepted create/patch body: re-validated as a whole on change
    status: str
    status_since: float
    created_at: float
    updated_at: float
    failure_reason: str = ""
    logs: list[str] = field(default_factory=list)


class EndpointModels(Collection[Endpoint]):
    def __init__(
        self,
        store: Store,
        lifecycle: Lifecycle,
        catalog: Catalog,
        repositories: RepositoryModels,
        dataplane: DataPlane,
        lock: threading.RLock,
        alternatives: Alternatives,
    ) -> None:
        super().__init__(store, lifecycle.clock, lock, KIND, FIRST_ID, Endpoint, EndpointNotFound)
        self.lifecycle, self.catalog, self.repositories, self.dataplane = lifecycle, catalog, repositories, dataplane
        self.actions = {
            "start": self._start, "stop": self._stop, "restart": self._restart, "patch": self._patch,
            "update": self._update, "update_auto_scale": self._update_auto_scale,
            "disable_auto_scale": self._disable_auto_scale,
            "update_async_configuration": self._update_async_configuration,
        }
        self.alternatives = alternatives

    # -- documented operations -------------------------------------------------------------

    @synchronized
    def create(self, scope: Scope, body: Body) -> Endpoint:
        specs.parse(body, scope, self.catalog, self._model_exists)
        now = self.lifecycle.now()
        endpoint = Endpoint(self._new_id(), scope.project_id, scope.location, dict(body),
                            a.EP_DEPLOYING, now, now, now)
        self._log(endpoint, "endpoint created; deploying")
        self._launch(endpoint)
        self._save(endpoint)
        return self._advance(endpoint)

    @synchronized
    def delete(self, scope: Scope | None, endpoint_id: int) -> dict[str, Any]:
        endpoint = self.get(scope, endpoint_id)
        self.dataplane.stop(endpoint_id)
        wire = self.to_wire(endpoint)
        self._remove(endpoint_id)
        return wire

    @synchronized
    def replicas(self, scope: Scope, endpoint_id: int) -> builtins.list[dict[str, Any]]:
        endpoint = self.get(scope, endpoint_id)
        if endpoint.status not in (a.EP_RUNNING, a.EP_DEPLOYING, a.EP_WAITING):
            return []
        state = "Running" if endpoint.status == a.EP_RUNNING else "Pending"
        count = self._workers(endpoint)
        return [{"replica_name": f"is-{endpoint.id}-predictor-{i:05d}", "status": state,
                 "created_at": iso(endpoint.status_since)} for i in range(1, count + 1)]

    @synchronized
    def restart_replica(self, scope: Scope, endpoint_id: int, replica_name: str) -> None:
        if replica_name not in {r["replica_name"] for r in self.replicas(scope, endpoint_id)}:
            raise ReplicaNotFound(replica_name)
        endpoint = self.get(scope, endpoint_id)
        self._log(endpoint, f"replica {replica_name} restarted")
        self._save(endpoint)

    @synchronized
    def logs(self, scope: Scope, endpoint_id: int) -> builtins.list[str]:
        return list(self.get(scope, endpoint_id).logs)

    # -- actions (the body's `action`) -----------------------------------------------------

    def _start(self, endpoint: Endpoint, body: Body) -> None:
        if endpoint.status != a.EP_STOPPED:
            raise InvalidState(f"endpoint is {endpoint.status}; only a stopped endpoint can be started")
        if not self.catalog.sku(self._spec(endpoint).plan.sku.sku_id).is_inventory_available:
            raise CapacityUnavailable()
        self._enter(endpoint, a.EP_WAITING, "start requested; waiting for workers")
        self._launch(endpoint)

    def _stop(self, endpoint: Endpoint, body: Body) -> None:
        if endpoint.status == a.EP_STOPPED or endpoint.status == a.EP_TERMINATING:
            raise InvalidState(f"endpoint is already {endpoint.status}")
        if self._spec(endpoint).plan.plan.committed:
            raise InvalidState("an endpoint on a committed plan cannot be stopped", "sku_item_price_id")
        self.dataplane.stop(endpoint.id)
        if self._workers(endpoint) == 0:  # nothing to terminate (docs/tir.md §8.7)
            self._enter(endpoint, a.EP_STOPPED, "stop requested at zero workers; stopped")
        else:
            self._enter(endpoint, a.EP_TERMINATING, "stop requested; terminating")

    def _restart(self, endpoint: Endpoint, body: Body) -> None:
        if endpoint.status != a.EP_RUNNING:
            raise InvalidState(f"endpoint is {endpoint.status}; only a running endpoint can be restarted")
        self._redeploy(endpoint, "restart requested; redeploying")

    def _patch(self, endpoint: Endpoint, body: Body) -> None:
        if endpoint.status not in (*a.EP_SERVING, a.EP_STOPPED):
            raise InvalidState(f"endpoint is {endpoint.status}; wait until it is running or stopped")
        self._apply(endpoint, body)
        if endpoint.status in a.EP_SERVING and a.REDEPLOY_ON_PATCH:
            self._redeploy(endpoint, "configuration patched; redeploying")

    def _update(self, endpoint: Endpoint, body: Body) -> None:
        if a.UPDATE_REQUIRES_STOPPED and endpoint.status != a.EP_STOPPED:
            raise InvalidState(f"endpoint is {endpoint.status}; update needs a stopped endpoint (use patch)")
        self._apply(endpoint, body)

    def _update_auto_scale(self, endpoint: Endpoint, body: Body) -> None:
        policy = specs.autoscale_policy(body.get("auto_scale_policy"))
        endpoint.body.update(is_auto_scale_enabled=True, auto_scale_policy=policy)
        self._rescale(endpoint)

    def _disable_auto_scale(self, endpoint: Endpoint, body: Body) -> None:
        endpoint.body.update(is_auto_scale_enabled=False, auto_scale_policy=None, replica=specs.replicas_from(body))
        self._rescale(endpoint)

    def _update_async_configuration(self, endpoint: Endpoint, body: Body) -> None:
        endpoint.body.update({k: body[k] for k in ASYNC_FIELDS if k in body})

    # -- emulator control ------------------------------------------------------------------

    @synchronized
    def fail(self, endpoint_id: int, reason: str) -> Endpoint:
        endpoint = self.get(None, endpoint_id)
        self.dataplane.stop(endpoint_id)
        endpoint.failure_reason = reason
        self._enter(endpoint, a.EP_FAILED, f"failed: {reason}")
        self._save(endpoint)
        return endpoint

    @synchronized
    def resume(self) -> None:
        """After a restart: bring active data planes back on their persisted ports."""
        for endpoint in self.list(None):
            if endpoint.status in ACTIVE:
                self._launch(endpoint)
                self._save(endpoint)

    # -- wire ------------------------------------------------------------------------------

    def to_wire(self, endpoint: Endpoint) -> dict[str, Any]:
        body = endpoint.body
        spec = self._spec(endpoint)
        info = dict(body.get("detailed_info") or {})
        info.update(commands=spec.commands, args=spec.args)
        repo = self._repository(endpoint.scope, spec.model_id)
        wire: dict[str, Any] = {
            **{k: v for k, v in body.items() if k not in ("action",)},
            "id": endpoint.id, "name": spec.name, "status": self.alternatives.wire_status(endpoint.status), "framework": spec.framework,
            "model_id": spec.model_id, "path": spec.path, "replica": spec.replica,
            "committed_replicas": body.get("committed_replicas", 0),
            "created_at": iso(endpoint.created_at), "updated_at": iso(endpoint.updated_at),
            "created_by": {"id": 1, "name": "Emulator User", "email": "user@emulator.local", "username": "emulator"},
            "detailed_info": info, "custom_endpoint_details": _stringify_probe_ports(body),
            "is_auto_scale_enabled": spec.is_auto_scale_enabled, "auto_scale_policy": spec.auto_scale_policy,
            "sku": spec.plan.sku.sku_id, "sku_id": spec.plan.sku.sku_id,
            "sku_item_price_id": spec.plan.plan.sku_item_price_id,
            "sku_details": sku_details(spec.plan.sku, spec.plan.plan),
            "model": {"id": repo.id, "name": repo.name} if repo else {},
            "async_enabled": bool(body.get("async_enabled", False)),
            "async_dataset_id": body.get("async_dataset_id"),
            "project_id": endpoint.project_id, "location": endpoint.location,
        }
        if endpoint.status == a.EP_FAILED:
            wire[a.FAILURE_REASON_FIELD] = endpoint.failure_reason
        return wire

    def serving_port(self, endpoint_id: int, protocol: str) -> int | None:
        """The loopback port TIR's HTTP root or gRPC ingress forwards to for this endpoint
        (docs/emulator.md, "Data plane"); None when nothing listens there."""
        with self.lock:
            endpoint = self.get(None, endpoint_id)
            port = _forwarded_port(self._spec(endpoint), endpoint.body, protocol,
                                   self.alternatives.custom_container_grpc_port)
        return self.dataplane.port(endpoint_id, port) if port else None

    # -- internals -------------------------------------------------------------------------

    def _spec(self, endpoint: Endpoint) -> specs.EndpointSpec:
        return specs.parse(endpoint.body, endpoint.scope, self.catalog, specs.stored_model)

    def _model_exists(self, scope: Scope, model_id: int) -> bool:
        return self._repository(scope, model_id) is not None

    def _repository(self, scope: Scope, model_id: int | None) -> Repository | None:
        if model_id is None:
            return None
        try:
            return self.repositories.get(scope, model_id)
        except NotFound:
            return None

    def _apply(self, endpoint: Endpoint, body: Body) -> None:
        merged = {**endpoint.body, **{k: v for k, v in body.items() if k != "action"}}
        specs.parse(merged, endpoint.scope, self.catalog, self._model_exists)
        endpoint.body = merged

    def _workers(self, endpoint: Endpoint) -> int:
        spec = self._spec(endpoint)
        if spec.is_auto_scale_enabled and spec.auto_scale_policy:
            return int(spec.auto_scale_policy["min_replicas"])
        return spec.replica

    def _rescale(self, endpoint: Endpoint) -> None:
        """Running with zero workers shows as idle; gaining workers makes it running again."""
        if endpoint.status == a.EP_RUNNING and self._workers(endpoint) == 0:
            self._enter(endpoint, a.EP_IDLE, "scaled to zero; idle")
            self.dataplane.stop(endpoint.id)
        elif endpoint.status == a.EP_IDLE and self._workers(endpoint) > 0:
            self._enter(endpoint, a.EP_DEPLOYING, "workers scaled up; deploying")
            self._launch(endpoint)

    def _redeploy(self, endpoint: Endpoint, message: str) -> None:
        """A serving endpoint rolls (the old container serves until the new one is ready)."""
        rolling = endpoint.status in a.EP_SERVING and a.ROLLING_REDEPLOY
        self._enter(endpoint, a.EP_DEPLOYING, message)
        self._launch(endpoint, rolling)

    def _launch(self, endpoint: Endpoint, rolling: bool = False) -> None:
        """Start the data plane for the endpoint's container."""
        try:
            spec = self._spec(endpoint)
            if not spec.private and a.ANONYMOUS_PULL_REFUSED.search(spec.image):
                raise RuntimeError(f'failed to pull image "{spec.image}": unauthorized: authentication required')
            if endpoint.status == a.EP_IDLE:  # scaled to zero: no replica runs
                self.dataplane.stop(endpoint.id)
            elif spec.runtime == "triton":
                repo = self.repositories.get(endpoint.scope, spec.model_id or 0)
                argv = spec.commands + spec.args or list(a.TRITON_FRAMEWORK_COMMAND)
                self.dataplane.start_triton(endpoint.id, repo.storage.bucket_name, spec.path, argv,
                                            bool(a.RIVA_IMAGE.search(spec.image)), spec.env, spec.mount_path,
                                            rolling)
            elif spec.runtime == "riva":
                if not spec.triton_uri:
                    raise ValueError("riva_server needs --triton_uri")
                self.dataplane.start_riva(endpoint.id, spec.triton_uri, spec.riva_port, rolling,
                                          specs.riva_services(spec.commands + spec.args))
            else:
                self.dataplane.start_generic(endpoint.id, a.CUSTOM_CONTAINER_PORT, rolling)
        except Exception as exc:  # the container would crash-loop: show it as a failed endpoint
            self.dataplane.stop(endpoint.id)
            endpoint.failure_reason = f"container failed to start: {exc}"
            self._enter(endpoint, a.EP_FAILED, endpoint.failure_reason)

    def _ready(self, endpoint: Endpoint, crashed: builtins.list[str]) -> bool:
        """What TIR waits on before it shows Running: Triton's own readiness for the Triton
        framework, the readiness probe for a custom container, and for a custom container
        without a probe nothing at all (docs/tir.md §8.8). A container that exited is noted
        in `crashed`."""
        spec = self._spec(endpoint)
        probe = _readiness_probe(endpoint.body)
        if spec.framework != "triton" and probe is None:
            self.dataplane.take_over(endpoint.id)
            return True
        readiness = self.dataplane.readiness(endpoint.id)
        if probe is not None and readiness.ready and self.dataplane.port(endpoint.id, probe) is None:
            readiness = dataclasses.replace(readiness, ready=False,
                                            reason=f"readiness probe: nothing listens on port {probe}")
        if readiness.crashed:
            crashed.append(readiness.reason)
        elif not readiness.ready:
            self._log(endpoint, f"not ready: {readiness.reason}", once=True)
        return readiness.ready

    def _advance(self, endpoint: Endpoint) -> Endpoint:
        before = asdict(endpoint)
        crashed: builtins.list[str] = []
        status, since, taken = self.lifecycle.advance(
            TRANSITIONS, endpoint.status, endpoint.status_since,
            guard=lambda t: t.target != a.EP_RUNNING or self._ready(endpoint, crashed))
        if crashed:  # the container exited while deploying: it would crash-loop
            self.dataplane.stop(endpoint.id)
            endpoint.failure_reason = f"container failed: {crashed[0]}"
            self._enter(endpoint, a.EP_FAILED, endpoint.failure_reason)
        elif taken:
            endpoint.status, endpoint.status_since = status, since
            self._log(endpoint, f"status {status}")
            self._rescale(endpoint)
        if asdict(endpoint) != before:
            self._save(endpoint)
        return endpoint

    def _enter(self, endpoint: Endpoint, status: str, message: str) -> None:
        endpoint.status, endpoint.status_since = status, self.lifecycle.now()
        self._log(endpoint, message)

    def _log(self, endpoint: Endpoint, message: str, once: bool = False) -> None:
        if once and endpoint.logs and endpoint.logs[-1].endswith(message):
            return
        endpoint.logs = [*endpoint.logs, f"{iso(self.lifecycle.now())} {message}"][-a.LOG_LINES_LIMIT:]



def _readiness_probe(body: Body) -> int | None:
    """The container port of an enabled readiness probe, if the endpoint has one."""
    details = body.get("custom_endpoint_details") or {}
    config = (details.get("container") or {}).get("advance_config") or {}
    if str(config.get("is_readiness_probe_enabled", "")).lower() != "true":
        return None
    probe = config.get("readiness_probe") or {}
    return int(probe.get("port", a.CUSTOM_CONTAINER_PORT))


def _forwarded_port(spec: specs.EndpointSpec, body: Body, protocol: str, custom_grpc_port: int) -> int | None:
    """Which container port TIR forwards `protocol` ("http" or "grpc") to."""
    if spec.framework == "triton":
        return a.TRITON_GRPC_PORT if protocol == "grpc" else a.TRITON_HTTP_PORT
    if protocol == "http":
        return a.CUSTOM_CONTAINER_PORT
    return custom_grpc_port if (body.get("custom_endpoint_details") or {}).get("service_port") else None


def _stringify_probe_ports(body: Body) -> dict[str, Any]:
    """Responses carry probe ports as strings (docs/tir.md §8.2)."""
    details = dict(body.get("custom_endpoint_details") or {})
    container = dict(details.get("container") or {})
    config = dict(container.get("advance_config") or {})
    for probe in ("readiness_probe", "liveness_probe"):
        if isinstance(config.get(probe), dict) and "port" in config[probe]:
            config[probe] = {**config[probe], "port": str(config[probe]["port"])}
    if config:
        container["advance_config"] = config
    if container:
        details["container"] = container
    return details
