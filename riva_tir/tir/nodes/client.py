"""Nodes (TIR ``notebooks``): create/get/list/delete, start/stop, SSH keys."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, Literal

from riva_tir.tir._http import Transport
from riva_tir.tir._models import as_list, parse
from riva_tir.tir._resource import ResourceClient
from riva_tir.tir.nodes.models import Node, NodeSshKey, NodeStatus
from riva_tir.tir.nodes.specs import NodePlanChange, NodeSpec
from riva_tir.tir.waiter import Pacing


# TIR refuses a second start/stop, so a lost one is recognised by these statuses instead.
_STARTED = frozenset({NodeStatus.STARTING.value, NodeStatus.RUNNING.value})
_STOPPED = frozenset({NodeStatus.STOPPING.value, NodeStatus.STOPPED.value})


class NodesClient(ResourceClient[Node, NodeSpec]):
    """Project nodes. Actions return nothing: follow them with ``wait_ready``/``wait_stopped``."""

    def __init__(self, transport: Transport, pacing: Pacing) -> None:
        super().__init__(transport, pacing, model=Node, path="notebooks/", kind="node", ready_timeout=900.0)

    def _context(self) -> dict[str, Any]:
        return {**super()._context(), "ssh_fields": self._t.config.ssh_fields}

    def _plan(self, spec: NodeSpec) -> str:
        return f"sku_item_price_id={spec.sku_item_price_id}"

    def update(self, node_id: int, change: NodePlanChange) -> None:
        """Change the plan (TIR allows it only while stopped)."""
        plan = f"sku_id={change.sku_id} sku_item_price_id={change.sku_item_price_id}"
        self._t.request("PUT", self._item(node_id), scoped=True, body=change.to_wire(), plan=plan)

    def upgrade_disk(self, node_id: int, size_gb: int) -> None:
        """Grow the node's disk in place (TIR cannot shrink one)."""
        self._t.request("PUT", self._item(node_id, "pvc/upgrade/"), scoped=True, body={"size": size_gb})

    def update_image(self, node_id: int, image_name: str, image_version: str) -> None:
        """Move the node to another image version in place, keeping its disk (the wire form
        of the Terraform provider's image update)."""
        body = {"image_name": image_name, "image_version": image_version, "image_type": "pre-built",
                "is_jupyterlab_enabled": True}
        self._t.request("PUT", self._item(node_id, "image_update/"), scoped=True, body=body)

    def update_registry_image(self, node_id: int, image_url: str, registry_namespace_id: int) -> None:
        """Move the node to an image of E2E's container registry in place. ASSUMPTION
        (docs/tir.md §5.3): `image_update/` takes the create body's custom-image fields."""
        body = {"image_type": "custom", "e2e_registry_image_url": image_url,
                "registry_namespace_id": registry_namespace_id, "is_jupyterlab_enabled": True}
        self._t.request("PUT", self._item(node_id, "image_update/"), scoped=True, body=body)

    def _action(self, node_id: int, action: str, effect: frozenset[str], plan: str | None = None) -> None:
        """PUT an action; a re-send after a lost response first checks for its ``effect`` (statuses)."""
        self._t.request(
            "PUT",
            self._item(node_id, "actions/"),
            scoped=True,
            params={"action": action},
            plan=plan,
            settled=self._showing(node_id, effect),
        )

    def start(self, node_id: int) -> None:
        """Start a stopped node; capacity refusals are retried within the budget."""
        self._action(node_id, "start", _STARTED, plan=f"current plan of node {node_id}")

    def stop(self, node_id: int) -> None:
        self._action(node_id, "stop", _STOPPED)

    def wait_stopped(self, node_id: int, timeout: float | None = None) -> Node:
        return self._wait_status(node_id, frozenset({NodeStatus.STOPPED.value}), timeout, "stopped")

    def list_ssh_keys(self, node_id: int) -> builtins.list[NodeSshKey]:
        data = self._t.request("GET", self._item(node_id, "ssh-keys/"), scoped=True)
        return [parse(NodeSshKey, item) for item in as_list(data, "node ssh keys")]

    def add_ssh_keys(self, node_id: int, public_keys: Sequence[str]) -> None:
        """Attach account keys (no restart needed). ASSUMPTION: items are public key lines."""
        body = {"ssh_keys_to_add": list(public_keys)}
        self._t.request("PUT", self._item(node_id, "ssh-keys/"), scoped=True, body=body)

    def remove_ssh_keys(self, node_id: int, public_keys: Sequence[str] | Literal["all"]) -> None:
        """Detach keys; ``"all"`` disables SSH like the SDK does."""
        keys: builtins.list[str] | str = "all" if public_keys == "all" else builtins.list(public_keys)
        self._t.request("PUT", self._item(node_id, "ssh-keys/"), scoped=True, body={"ssh_keys_to_remove": keys})
