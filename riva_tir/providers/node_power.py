"""Node power: run the GPU node only while it has work, so a stack can keep it stopped
once the model is converted without the next `up` flapping.

- `NodeWake` (before the artifact): starts a stopped node whenever the model changes,
  so upload and conversion have a machine to run on. It is an action, not a desired
  state: its `read` reports nothing, so a node stopped on purpose is not "drift" to it.
- `NodePower` (after the conversion): brings the node to the stack's desired state, again
  after every new conversion; its `read` mirrors the live state, so a node stopped or
  started outside Pulumi shows in `refresh` and `up` repairs it. Its delete starts the
  node again, so the steps destroyed after it (conversion, artifact) can reach it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult
from pydantic import Field

from riva_tir.providers.base import TirInputs, TirOutputs, TirProvider, TirResource
from riva_tir.providers.engine_log import progress
from riva_tir.tir.nodes.models import Node

if TYPE_CHECKING:
    from riva_tir.tir.client import TirClient


class PowerInputs(TirInputs):
    node_id: int = Field(gt=0)
    plan: str = Field(default="", description="the node's plan, named in capacity errors")
    state: Literal["running", "stopped"] = "running"
    trigger: str = Field(default="", description="a change applies the state again")
    ready_timeout: float = Field(default=1800, gt=0)


def converge(tir: TirClient, node: Node, state: str, timeout: float) -> Node:
    """Bring the node (as just read) to `state`, waiting for it; returns it as last read,
    without another call when it is there already."""
    if state == "running":
        if node.is_ready:
            return node
        if node.status in ("stopped", "stopping"):
            if node.status == "stopping":
                tir.nodes.wait_stopped(node.id, timeout=timeout)
            progress(f"starting node {node.name}")
            tir.nodes.start(node.id)
        return tir.nodes.wait_ready(node.id, timeout=timeout)
    if node.status == "stopped":
        return node
    if node.status != "stopping":
        if not node.is_ready:
            tir.nodes.wait_ready(node.id, timeout=timeout)
        progress(f"stopping node {node.name}")
        tir.nodes.stop(node.id)
    return tir.nodes.wait_stopped(node.id, timeout=timeout)


class PowerOutputs(TirOutputs):
    status: str


class _PowerProvider(TirProvider[PowerInputs, PowerOutputs]):
    inputs = PowerInputs
    outputs = PowerOutputs
    replace_on = frozenset({"node_id"})

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(str(self.args(props).node_id), self._apply(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._apply(news))

    def _apply(self, props: dict[str, Any]) -> dict[str, Any]:
        args = self.args(props)
        with self.client(props) as tir:
            node = converge(tir, tir.nodes.get(args.node_id), args.state, args.ready_timeout)
        return self.result(props, PowerOutputs(status=str(node.status)))

    @classmethod
    def _live_node(cls, id_: str, props: dict[str, Any]) -> Node | None:
        with cls.client(props) as tir:
            return tir.nodes.read_shared(int(id_))


class NodeWakeProvider(_PowerProvider):
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """A wake is done once it happened; it is gone only with its node."""
        return ReadResult(id_, props) if self._live_node(id_, props) is not None else ReadResult("", {})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to undo."""


class NodePowerProvider(_PowerProvider):
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        node = self._live_node(id_, props)
        if node is None:
            return ReadResult("", {})
        live = {**props, "status": node.status}
        if node.status in ("running", "stopped"):
            live["state"] = node.status
        return ReadResult(id_, live)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        args = self.args(props)
        if args.state != "stopped":
            return
        with self.client(props) as tir:
            node = tir.nodes.get_or_none(int(id_))
            if node is not None:
                converge(tir, node, "running", args.ready_timeout)


class NodeWake(TirResource, module="tir", name="NodeWake"):
    """Starts the node when the model changes (before upload and conversion)."""

    status: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NodeWakeProvider(), name, {**props, "state": "running"}, opts)


class NodePower(TirResource, module="tir", name="NodePower"):
    """The node's desired running/stopped state, applied after each conversion."""

    status: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NodePowerProvider(), name, props, opts)
