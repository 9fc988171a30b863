"""EndpointScale: an endpoint's size and power state (replicas, autoscaling, running or
stopped), kept apart from the endpoint itself.

Scaling is the change operators make most. As its own resource, a replica change is one
in-place update here, and the endpoint's outputs (addresses the Riva API server and
clients use) stay known in `pulumi preview` instead of turning unknown and rippling
through every dependant.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult
from pydantic import Field

from riva_tir.providers.base import TirInputs, TirOutputs, TirProvider, TirResource
from riva_tir.providers.endpoint import upstream_stopped, wait_answering
from riva_tir.providers.engine_log import progress
from riva_tir.tir.endpoints.models import Endpoint
from riva_tir.tir.endpoints.specs import AutoScalePolicy

if TYPE_CHECKING:
    from riva_tir.tir.client import TirClient


class ScaleInputs(TirInputs):
    endpoint_id: int = Field(gt=0)
    plan: str = Field(default="", description="the endpoint's plan, named in capacity errors")
    replicas: int = Field(default=1, ge=0)
    autoscaling: AutoScalePolicy | None = None
    state: Literal["running", "stopped"] = "running"
    ready_timeout: float = Field(default=3600, gt=0)
    serves_through: int | None = Field(default=None, description="the endpoint (Triton) its server needs")


class ScaleOutputs(TirOutputs):
    status: str


class EndpointScaleProvider(TirProvider[ScaleInputs, ScaleOutputs]):
    inputs = ScaleInputs
    outputs = ScaleOutputs
    replace_on = frozenset({"endpoint_id"})
    # Read when waiting, never a change (riva_tir/providers/endpoint.py, upstream_stopped).
    undiffed = TirProvider.undiffed | {"serves_through"}

    def create(self, props: dict[str, Any]) -> CreateResult:
        args = self.args(props)
        with self.client(props) as tir:
            return CreateResult(str(args.endpoint_id), self.result(props, _apply(tir, args, None)))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self.client(news) as tir:
            return UpdateResult(self.result(news, _apply(tir, self.args(news), self.args(olds))))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.client(props) as tir:
            endpoint = tir.endpoints.read_shared(int(id_))
            if endpoint is None:
                return ReadResult("", {})
            live = {**props, "status": endpoint.status}
            policy = endpoint.auto_scale_policy
            if endpoint.is_auto_scale_enabled and policy is not None and props.get("autoscaling"):
                live["autoscaling"] = {**props["autoscaling"], "min_replicas": policy.min_replicas,
                                       "max_replicas": policy.max_replicas}
            elif endpoint.replica is not None:
                live["replicas"] = endpoint.replica
                if props.get("autoscaling"):
                    live["autoscaling"] = None
            if endpoint.status in ("running", "stopped"):
                live["state"] = endpoint.status
            return ReadResult(id_, live)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to undo: the size goes with the endpoint."""


def _apply(tir: TirClient, args: ScaleInputs, olds: ScaleInputs | None) -> ScaleOutputs:
    """Size, then power state; the endpoint is read again only after a call changed it."""
    endpoint_id, timeout = args.endpoint_id, args.ready_timeout
    endpoint = tir.endpoints.get(endpoint_id)
    if olds is None or (olds.replicas, olds.autoscaling) != (args.replicas, args.autoscaling):
        if _resize(tir, endpoint, args):
            endpoint = tir.endpoints.get(endpoint_id)
    if args.state == "stopped":
        if endpoint.status != "stopped":
            if not endpoint.is_ready and not upstream_stopped(tir, args.serves_through):
                tir.endpoints.wait_ready(endpoint_id, timeout=timeout)
            progress(f"stopping endpoint {endpoint.name}")
            tir.endpoints.stop(endpoint_id)
            endpoint = tir.endpoints.wait_stopped(endpoint_id, timeout=timeout)
    elif endpoint.status == "stopped":
        progress(f"starting endpoint {endpoint.name}")
        tir.endpoints.start(endpoint_id)
        if not upstream_stopped(tir, args.serves_through):
            endpoint = wait_answering(tir, endpoint_id, timeout)
    elif not endpoint.is_ready and not upstream_stopped(tir, args.serves_through):
        endpoint = tir.endpoints.wait_ready(endpoint_id, timeout=timeout)
    return ScaleOutputs(status=str(endpoint.status))


def _resize(tir: TirClient, endpoint: Endpoint, args: ScaleInputs) -> bool:
    """Send the wanted size unless the endpoint has it; True when a call was made."""
    if args.autoscaling is not None:
        policy = args.autoscaling
        current = endpoint.auto_scale_policy
        if endpoint.is_auto_scale_enabled and current is not None and \
                (current.min_replicas, current.max_replicas) == (policy.min_replicas, policy.max_replicas):
            return False
        progress(f"autoscaling {endpoint.name}: {policy.min_replicas}-{policy.max_replicas} replicas")
        tir.endpoints.update_auto_scale(endpoint.id, policy)
        return True
    if not endpoint.is_auto_scale_enabled and endpoint.replica == args.replicas:
        return False
    progress(f"scaling {endpoint.name} to {args.replicas} replicas")
    tir.endpoints.disable_auto_scale(endpoint.id, args.replicas)
    return True


class EndpointScale(TirResource, module="tir", name="EndpointScale"):
    status: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(EndpointScaleProvider(), name, props, opts)
