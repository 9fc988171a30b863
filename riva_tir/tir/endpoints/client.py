"""Model endpoints (TIR ``serving/inference``): Triton and custom containers."""

from __future__ import annotations

from typing import Any, Literal

from riva_tir.tir._http import Transport
from riva_tir.tir._resource import ResourceClient
from riva_tir.tir.endpoints.models import Endpoint, EndpointStatus, GrpcTarget, grpc_target, http_url
from riva_tir.tir.endpoints.specs import AutoScalePolicy, EndpointSpec
from riva_tir.tir.waiter import Pacing

# Re-sending these is harmless once start/stop check their effect first (TIR refuses a
# second stop or start); "restart" twice would restart twice.
_IDEMPOTENT_ACTIONS = frozenset({"start", "stop", "patch", "update", "update_auto_scale", "disable_auto_scale"})
_STARTED = frozenset({EndpointStatus.WAITING.value, EndpointStatus.RUNNING.value, EndpointStatus.IDLE.value})
_STOPPED = frozenset({EndpointStatus.TERMINATING.value, EndpointStatus.STOPPED.value})


class EndpointsClient(ResourceClient[Endpoint, EndpointSpec]):
    """Project endpoints. Actions return nothing: follow them with a ``wait_*``."""

    def __init__(self, transport: Transport, pacing: Pacing) -> None:
        # Large models sit in "Deploying" for 10-15+ minutes.
        super().__init__(
            transport, pacing, model=Endpoint, path="serving/inference/", kind="endpoint", ready_timeout=1800.0
        )

    def _plan(self, spec: EndpointSpec) -> str:
        return f"sku_id={spec.sku_id} sku_item_price_id={spec.sku_item_price_id}"

    def _action(
        self,
        endpoint_id: int,
        action: str,
        plan: str | None = None,
        effect: frozenset[str] | None = None,
        **fields: Any,
    ) -> None:
        """PUT an action; with ``effect``, a re-send after a lost response first checks those statuses."""
        self._t.request(
            "PUT",
            self._item(endpoint_id),
            scoped=True,
            body={"action": action, **fields},
            idempotent=action in _IDEMPOTENT_ACTIONS,
            plan=plan,
            settled=None if effect is None else self._showing(endpoint_id, effect),
        )

    def update(self, endpoint_id: int, spec: EndpointSpec, *, action: Literal["patch", "update"] = "patch") -> None:
        """Send the full spec: ``patch`` while running, ``update`` while stopped."""
        self._action(endpoint_id, action, plan=self._plan(spec), **spec.to_wire())

    def start(self, endpoint_id: int) -> None:
        """Start a stopped endpoint; capacity refusals are retried within the budget."""
        self._action(endpoint_id, "start", plan=f"current plan of endpoint {endpoint_id}", effect=_STARTED)

    def stop(self, endpoint_id: int) -> None:
        """Stop an hourly endpoint (address and settings are kept)."""
        self._action(endpoint_id, "stop", effect=_STOPPED)

    def restart(self, endpoint_id: int) -> None:
        """Restart a running endpoint (never retried automatically)."""
        self._action(endpoint_id, "restart")

    def update_auto_scale(self, endpoint_id: int, policy: AutoScalePolicy) -> None:
        self._action(endpoint_id, "update_auto_scale", auto_scale_policy=policy.to_wire())

    def disable_auto_scale(self, endpoint_id: int, replicas: int) -> None:
        """Back to a fixed worker count."""
        if replicas < 0:
            raise ValueError("replicas must be >= 0")
        self._action(endpoint_id, "disable_auto_scale", replicas=replicas)

    def wait_stopped(self, endpoint_id: int, timeout: float | None = None) -> Endpoint:
        return self._wait_status(endpoint_id, frozenset({EndpointStatus.STOPPED.value}), timeout, "stopped")

    def http_url(self, endpoint_id: int) -> str:
        return http_url(self._t.config, endpoint_id)

    def grpc_target(self, endpoint_id: int) -> GrpcTarget:
        return grpc_target(self._t.config, endpoint_id)

