"""TIR model endpoints: TritonEndpoint serves the Triton model repository; RivaApiEndpoint
runs riva_server against it. One provider kind, two resource types: they share every
rule and differ only in the container they run."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Literal

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult
from pydantic import Field

from riva_tir.providers.base import (UNKNOWN, TirInputs, TirOutputs, TirProvider, TirResource,
                                       cleanup_failed_create, is_unknown, name_taken)
from riva_tir.providers.engine_log import progress
from riva_tir.tir import NotFound
from riva_tir.tir.config import TirConnection
from riva_tir.tir.endpoints.models import Endpoint, grpc_target, http_url
from riva_tir.tir.endpoints.specs import AutoScalePolicy, EndpointSpec
from riva_tir.tir.validation import ResourceName

if TYPE_CHECKING:
    from riva_tir.tir.client import TirClient

# Inside TIR one endpoint reaches another as `is-<endpoint id>:9000` (docs/tir.md §8.9):
# that is what the Riva API server dials. Clients outside TIR go through the location's
# gRPC ingress (the `grpc` output: address, metadata, CA).
INTERNAL_GRPC_ADDRESS = "is-{id}:9000"


def internal_grpc_address(endpoint_id: int) -> str:
    """The endpoint's address inside TIR: its id alone makes it, so what dials it can take it
    from the Pulumi id, which a preview knows (docs/day2.md, "Previews")."""
    return INTERNAL_GRPC_ADDRESS.format(id=endpoint_id)
# What a container the gRPC ingress does not reach is asked over HTTP: riva-tir's only such
# endpoint is Triton as a custom container (KServe v2 readiness).
HTTP_READY_PATH = "v2/health/ready"

# Input name -> EndpointSpec field, for check() errors and for building the spec.
_SPEC_FIELDS = {"name": "name", "framework": "framework", "model_id": "model_id", "path": "path",
                "replica": "replicas", "auto_scale_policy": "autoscaling",
                "custom_endpoint_details": "container"}
_ROLLOUT = ("plan", "committed_days", "framework", "model_id", "path", "container", "command", "args")


class EndpointInputs(TirInputs):
    name: ResourceName
    framework: Literal["triton", "custom"]
    plan: str = Field(min_length=1, description="plan short code")
    committed_days: int | None = Field(default=None, gt=0, description="a committed term of the plan, for "
                                                                       "every replica; none: by the hour")
    model_id: int | None = None
    path: str = ""
    replicas: int = 1
    autoscaling: dict[str, Any] | None = None
    container: dict[str, Any] | None = None
    command: list[str] = Field(default_factory=list)
    args: list[str] = Field(default_factory=list)
    revision: str = Field(default="", description="changes restart the endpoint (new models)")
    ready_timeout: float = Field(default=3600, gt=0)
    serves_through: int | None = Field(default=None, description="the endpoint (Triton) its server needs: while "
                                                                  "that one is stopped, this one cannot answer")


class EndpointOutputs(TirOutputs):
    endpoint_id: int
    status: str
    http_url: str  # the HTTP data plane
    grpc: dict[str, Any] | None  # the gRPC ingress (tir.endpoints.GrpcTarget); None: it does not reach it
    internal_grpc_address: str  # is-<id>:9000, for another endpoint inside TIR


class EndpointProvider(TirProvider[EndpointInputs, EndpointOutputs]):
    inputs = EndpointInputs
    outputs = EndpointOutputs
    kind, collection = "endpoint", "endpoints"
    replace_on = frozenset({"name", "framework"})
    # The size at create; afterwards EndpointScale (scale.py) owns it.
    create_only = frozenset({"replicas", "autoscaling"})
    # The term (committed_days) is checked by the estimate, which names the config key
    # (riva_tir/providers/cost.py).
    catalog_keys = ("plan", "framework")
    # Which endpoint that is follows from `args` (its --triton_uri), which is diffed.
    undiffed = TirProvider.undiffed | {"serves_through"}

    def preview_update(self, id_: str | None, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        # The addresses are composed from the connection settings alone, so the preview
        # tells the new ones (and an update that leaves them alone changes nothing after it).
        if olds.get("tir") == news.get("tir"):
            return {}
        if id_ is None or is_unknown(news.get("tir")):
            return dict.fromkeys(("http_url", "grpc"), UNKNOWN)
        conn, endpoint_id = TirConnection.model_validate(news["tir"]), int(id_)
        return {"http_url": http_url(conn, endpoint_id),
                "grpc": grpc_target(conn, endpoint_id).model_dump() if olds.get("grpc") is not None else None}

    def spec_errors(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        body = {spec: inputs.get(name) for spec, name in _SPEC_FIELDS.items()}
        return self.spec_check(EndpointSpec, _SPEC_FIELDS, {
            **body, "sku_id": 1, "sku_item_price_id": 1,
            "is_auto_scale_enabled": inputs.get("autoscaling") is not None,
            "detailed_info": {"commands": inputs.get("command") or [], "args": inputs.get("args") or []}})

    def catalog_errors(self, tir: TirClient, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        tir.plans.resolve_endpoint_plan(inputs["plan"], inputs["framework"])
        return []

    def make(self, tir: TirClient, props: dict[str, Any]) -> Endpoint:
        args = self.args(props)
        progress(f"creating endpoint {args.name} ({args.framework}) on {args.plan}")
        return tir.endpoints.create_idempotent(_spec(tir, args))

    def made_here(self, tir: TirClient, found: Endpoint, props: dict[str, Any]) -> bool:
        """An endpoint of this deployment serves its framework from its own repository."""
        live = tir.endpoints.get(found.id)
        return (live.framework, live.model_id) == (props["framework"], props.get("model_id"))

    def take_over(self, tir: TirClient, found: Endpoint, props: dict[str, Any]) -> None:
        """The earlier run may have made it from other inputs (a setting changed since):
        these are the ones it must run with."""
        args = self.args(props)
        if found.status == "stopped":
            tir.endpoints.start(found.id)
        live = tir.endpoints.wait_ready(found.id, timeout=args.ready_timeout)
        tir.endpoints.update(found.id, _spec(tir, _live_size(args, live)), action="patch")

    def finish(self, tir: TirClient, props: dict[str, Any], made: Endpoint) -> EndpointOutputs:
        args = self.args(props)
        with cleanup_failed_create(tir.endpoints, made, f"endpoint {args.name}"):
            if not made.is_ready:
                progress(f"waiting for endpoint {args.name} to be ready", ephemeral=True)
            return _outputs(tir, _settle(tir, made.id, args))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        endpoint_id, old, new = int(id_), self.args(olds), self.args(news)
        with self.client(news) as tir:
            changed = sorted(k for k in _ROLLOUT if getattr(old, k) != getattr(new, k))
            live = tir.endpoints.get(endpoint_id)
            if changed:
                progress(f"updating endpoint {new.name}: {', '.join(changed)}")
                tir.endpoints.update(endpoint_id, _spec(tir, _live_size(new, live)), action="patch")
            elif old.revision != new.revision and live.status == "running":
                # An idle endpoint loads the new models when it scales up; TIR restarts only
                # a running one (docs/tir.md §8.7).
                progress(f"restarting endpoint {new.name} to load the new models")
                tir.endpoints.restart(endpoint_id)
            if live.status != "stopped":
                live = _settle(tir, endpoint_id, new)
            return UpdateResult(self.result(news, _outputs(tir, live)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.client(props) as tir:
            endpoint = tir.endpoints.read_shared(int(id_))
            return ReadResult(id_, self.result(props, _outputs(tir, endpoint))) if endpoint else ReadResult("", {})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        args = self.args(props)
        with self.client(props) as tir:
            try:
                tir.endpoints.delete(int(id_))
            except NotFound:
                return
            tir.endpoints.wait_deleted(int(id_), timeout=args.ready_timeout)


def _settle(tir: TirClient, endpoint_id: int, args: EndpointInputs) -> Endpoint:
    """The endpoint once it answers, unless it cannot yet (`upstream_stopped`)."""
    if upstream_stopped(tir, args.serves_through):
        return tir.endpoints.get(endpoint_id)
    return wait_answering(tir, endpoint_id, args.ready_timeout)


def upstream_stopped(tir: TirClient, serves_through: int | None) -> bool:
    """Whether the Triton endpoint a server needs is stopped (`triton.state`): the server can
    neither answer nor show ready until Triton runs again, so nothing waits for it meanwhile."""
    if serves_through is None or tir.endpoints.get(serves_through).status != "stopped":
        return False
    progress("the Riva API answers once its Triton endpoint runs again (triton.state: stopped): not waiting for it")
    return True


def wait_answering(tir: TirClient, endpoint_id: int, timeout: float) -> Endpoint:
    """Ready as TIR says, then answering from outside: SERVING through the gRPC ingress, or
    (a container the ingress does not reach) its readiness path over HTTP. TIR may show
    Running before the server is up (docs/tir.md §8.8)."""
    from riva_tir.ingress import wait_http_ready, wait_serving

    started = time.monotonic()
    endpoint = tir.endpoints.wait_ready(endpoint_id, timeout=timeout)
    token, left = tir.config.auth_token.get_secret_value(), max(1.0, timeout - (time.monotonic() - started))
    if endpoint.grpc_through_ingress:
        wait_serving(tir.endpoints.grpc_target(endpoint_id), token, timeout=left)
    else:
        wait_http_ready(tir.endpoints.http_url(endpoint_id) + HTTP_READY_PATH, token, timeout=left)
    return endpoint


def _spec(tir: TirClient, args: EndpointInputs) -> EndpointSpec:
    plan = tir.plans.resolve_endpoint_plan(args.plan, args.framework, args.committed_days or 0)
    props = args.model_dump()
    # ASSUMPTION (docs/cost.md §2.3): a committed endpoint commits every replica it runs
    # (riva-tir refuses autoscaling with a term: how TIR bills replicas beyond it is unknown).
    committed = {**plan.committed_fields(), "committed_replicas": args.replicas} if args.committed_days else {}
    return EndpointSpec.model_validate({
        **{spec: props.get(name) for spec, name in _SPEC_FIELDS.items() if props.get(name) is not None},
        "sku_id": plan.sku_id, "sku_item_price_id": plan.sku_item_price_id, **committed,
        "is_auto_scale_enabled": props.get("autoscaling") is not None,
        "detailed_info": {"commands": props.get("command") or [], "args": props.get("args") or []},
    })


def _live_size(args: EndpointInputs, live: Endpoint) -> EndpointInputs:
    """The patch body is the whole spec: keep the size the endpoint has now (EndpointScale
    owns it)."""
    return args.model_copy(update={"replicas": live.replica if live.replica is not None else args.replicas,
                                   "autoscaling": _live_policy(live)})


def _live_policy(endpoint: Endpoint) -> dict[str, Any] | None:
    policy = endpoint.auto_scale_policy
    if not endpoint.is_auto_scale_enabled or policy is None:
        return None
    return {"min_replicas": policy.min_replicas, "max_replicas": policy.max_replicas,
            "rules": [r.model_dump(exclude_none=True) for r in policy.rules],
            "stability_period": policy.stability_period or 300}


def _outputs(tir: TirClient, endpoint: Endpoint) -> EndpointOutputs:
    return EndpointOutputs(endpoint_id=endpoint.id, status=str(endpoint.status),
                           http_url=tir.endpoints.http_url(endpoint.id),
                           grpc=tir.endpoints.grpc_target(endpoint.id).model_dump()
                           if endpoint.grpc_through_ingress else None,
                           internal_grpc_address=internal_grpc_address(endpoint.id))


class _EndpointResource(TirResource):
    endpoint_id: pulumi.Output[int]
    status: pulumi.Output[str]
    http_url: pulumi.Output[str]
    grpc: pulumi.Output[dict[str, Any]]
    internal_grpc_address: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(EndpointProvider(), name, props, opts)


class TritonEndpoint(_EndpointResource, module="tir", name="TritonEndpoint"):
    """The endpoint that runs Triton over the model repository (GPU plan)."""


class RivaApiEndpoint(_EndpointResource, module="tir", name="RivaApiEndpoint"):
    """The custom-container endpoint that runs riva_server against Triton; scales apart."""
