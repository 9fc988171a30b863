"""Nodes (`notebooks/`): records whose `running` state is a real SSH host from MachineHost.

Side effects follow the lifecycle: reaching `running` powers the machine on (re-using the
persisted SSH port), reaching `stopped` powers it off, delete destroys its disk.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from riva_tir.emulator import assumptions as a
from riva_tir.emulator.alternatives import Alternatives
from riva_tir.emulator.catalog.models import Catalog, resolve_plan, sku_details
from riva_tir.emulator.envelope import CapacityUnavailable, InvalidState, ValidationFailed
from riva_tir.emulator.lifecycle import Lifecycle, Transition, TransitionTable
from riva_tir.emulator.nodes.errors import NodeNotFound
from riva_tir.emulator.scope import Collection, InScope, Scope, change, iso, synchronized
from riva_tir.emulator.ssh_keys.models import SshKeyModels, key_identity
from riva_tir.emulator.store import Store
from riva_tir.emulator.validation import (
    Body, as_int, int_list, optional_bool, optional_int, optional_str, require_choice, require_str,
)

if TYPE_CHECKING:
    from riva_tir.emulator.machines import MachineHost

KIND = "node"
FIRST_ID = 1001
IMAGE_TYPES = ("pre-built", "custom")
INSTANCE_TYPES = ("paid_usage", "free_usage")
ECHOED_FIELDS = ("notebook_type", "notebook_url", "cluster_type", "sfs_path", "add_ons", "init_script_id_list",
                 "app_id", "auto_shutdown_timeout", "kind", "enable_ssh")

TRANSITIONS = TransitionTable([
    Transition("node.create", a.NODE_CREATING, a.NODE_RUNNING),
    Transition("node.start", a.NODE_STARTING, a.NODE_RUNNING),
    Transition("node.stop", a.NODE_STOPPING, a.NODE_STOPPED),
])


@dataclass
class Node(InScope):
    id: int
    name: str
    project_id: int
    location: str
    image_type: str
    image: dict[str, Any]
    sku_id: int
    sku_item_price_id: int
    committed_instance_policy: str
    next_sku_item_price_id: int | None
    instance_type: str
    disk_size_in_gb: int
    is_jupyterlab_enabled: bool
    status: str
    status_since: float
    created_at: float
    updated_at: float
    public_keys: list[str] = field(default_factory=list)
    ssh_port: int | None = None
    failure_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class NodeModels(Collection[Node]):
    def __init__(
        self,
        store: Store,
        lifecycle: Lifecycle,
        catalog: Catalog,
        ssh_keys: SshKeyModels,
        machines: MachineHost,
        base_url: Callable[[], str],
        lock: threading.RLock,
        alternatives: Alternatives,
    ) -> None:
        super().__init__(store, lifecycle.clock, lock, KIND, FIRST_ID, Node, NodeNotFound)
        self.lifecycle, self.catalog, self.ssh_keys, self.machines = lifecycle, catalog, ssh_keys, machines
        self.base_url = base_url
        self.actions = {"start": self._start, "stop": self._stop, "rename": self._rename, "reboot": self._reboot}
        self.alternatives = alternatives

    # -- documented operations -------------------------------------------------------------

    @synchronized
    def create(self, scope: Scope, body: Body) -> Node:
        name = require_str(body, "name")
        for required in a.NODE_CREATE_REQUIRED_FIELDS:
            if required not in body:
                raise ValidationFailed(required, f"{required} is mandatory")
        image_type = require_choice(body, "image_type", IMAGE_TYPES)
        image = self._image(body, image_type)
        choice = resolve_plan(self.catalog, body, "sku_item_price_id")
        instance_type = require_choice(body, "instance_type", INSTANCE_TYPES)
        if instance_type == "free_usage" and not choice.sku.is_free:
            raise ValidationFailed("instance_type", "free_usage needs a free SKU")
        keys = body.get("public_key") or []
        if not isinstance(keys, list):
            raise ValidationFailed("public_key", "public_key must be a list of SSH public keys")
        public_keys = self.ssh_keys.resolve(keys, "public_key")
        if int_list(body, "dataset_id_list"):  # the SDK always sends the list; this account has no datasets
            raise ValidationFailed("dataset_id_list", "no such dataset: datasets are not emulated")
        disk = optional_int(body, "disk_size_in_gb", 30) or 30
        if disk < 1:
            raise ValidationFailed("disk_size_in_gb", "disk_size_in_gb must be positive")
        now = self.lifecycle.now()
        node = Node(
            id=self._new_id(), name=name, project_id=scope.project_id, location=scope.location,
            image_type=image_type, image=image, sku_id=choice.sku.sku_id,
            sku_item_price_id=choice.plan.sku_item_price_id,
            committed_instance_policy=choice.committed_instance_policy,
            next_sku_item_price_id=choice.next_sku_item_price_id, instance_type=instance_type,
            disk_size_in_gb=disk, is_jupyterlab_enabled=optional_bool(body, "is_jupyterlab_enabled", True),
            status=a.NODE_CREATING, status_since=now, created_at=now, updated_at=now,
            public_keys=public_keys,
            extra={k: body[k] for k in ECHOED_FIELDS if k in body},
        )
        self._save(node)
        return self._advance(node)

    @synchronized
    def list(self, scope: Scope | None, status: str | None = None) -> builtins.list[Node]:
        return [n for n in super().list(scope) if status is None or n.status == status]

    # -- actions (`actions/?action=`) and updates with a route of their own ------------------

    def _rename(self, node: Node, body: Body) -> None:
        node.name = require_str(body, "name")

    def _start(self, node: Node, body: Body) -> None:
        if node.status != a.NODE_STOPPED:
            raise InvalidState(f"node {node.id} is {node.status}; only a stopped node can be started")
        if not self.catalog.sku(node.sku_id).is_inventory_available:
            raise CapacityUnavailable()
        self._enter(node, a.NODE_STARTING)

    def _stop(self, node: Node, body: Body) -> None:
        if node.status != a.NODE_RUNNING:
            raise InvalidState(f"node {node.id} is {node.status}; only a running node can be stopped")
        if node.committed_instance_policy:
            raise InvalidState("a node on a committed plan cannot be stopped", "sku_item_price_id")
        self._enter(node, a.NODE_STOPPING)

    def _reboot(self, node: Node, body: Body) -> None:
        if node.status != a.NODE_RUNNING:
            raise InvalidState(f"node {node.id} is {node.status}; only a running node can be rebooted")
        self.machines.power_off(node.id)
        self._enter(node, a.NODE_STARTING)

    @change
    def change_plan(self, node: Node, body: Body) -> None:
        if node.status != a.NODE_STOPPED:
            raise InvalidState(f"node {node.id} is {node.status}; the plan can only change while stopped")
        choice = resolve_plan(self.catalog, body, "sku_item_price_id")
        node.sku_id, node.sku_item_price_id = choice.sku.sku_id, choice.plan.sku_item_price_id
        node.committed_instance_policy = choice.committed_instance_policy
        node.next_sku_item_price_id = choice.next_sku_item_price_id

    @change
    def upgrade_disk(self, node: Node, body: Body) -> None:
        """Grow the node's disk in place (`pvc/upgrade`). ASSUMPTION: running or stopped,
        no restart; TIR cannot shrink a disk, so a smaller or equal size is refused."""
        size = as_int(body.get("size"), "size")
        if size <= node.disk_size_in_gb:
            raise ValidationFailed("size", f"size must be larger than the current {node.disk_size_in_gb} GB: "
                                           "a disk can only grow")
        node.disk_size_in_gb = size

    @change
    def update_image(self, node: Node, body: Body) -> None:
        """Change the image in place (`image_update`, as the Terraform provider sends it:
        image_name, image_version, image_type). ASSUMPTION: the disk is kept; a running
        node restarts on the new image, as a new container with a new SSH host key."""
        image_type = optional_str(body, "image_type") or "pre-built"
        node.image_type, node.image = image_type, self._image(body, image_type)
        if "is_jupyterlab_enabled" in body:
            node.is_jupyterlab_enabled = bool(body["is_jupyterlab_enabled"])
        self.machines.rotate_host_key(node.id)
        if node.status == a.NODE_RUNNING:
            self.machines.power_off(node.id)
            self._enter(node, a.NODE_STARTING)

    @change
    def update_ssh_keys(self, node: Node, body: Body) -> None:
        """Add/remove keys live (no restart), running or stopped."""
        to_remove = body.get("ssh_keys_to_remove") or []
        if to_remove == "all":
            node.public_keys = []
        elif isinstance(to_remove, list):
            removed = {key_identity(str(k)) for k in self.ssh_keys.resolve(to_remove, "ssh_keys_to_remove")}
            node.public_keys = [k for k in node.public_keys if key_identity(k) not in removed]
        else:
            raise ValidationFailed("ssh_keys_to_remove", "ssh_keys_to_remove must be a list or \"all\"")
        to_add = body.get("ssh_keys_to_add") or []
        if not isinstance(to_add, list):
            raise ValidationFailed("ssh_keys_to_add", "ssh_keys_to_add must be a list")
        present = {key_identity(k) for k in node.public_keys}
        node.public_keys += [k for k in self.ssh_keys.resolve(to_add, "ssh_keys_to_add") if key_identity(k) not in present]
        if node.status == a.NODE_RUNNING:
            self.machines.set_authorized_keys(node.id, node.public_keys)

    def attached_keys(self, node: Node) -> builtins.list[dict[str, Any]]:
        account = {key_identity(k.ssh_key): k for k in self.ssh_keys.list(None)}
        result = []
        for public_key in node.public_keys:
            known = account.get(key_identity(public_key))
            result.append({"id": known.id if known else None, "label": known.label if known else "",
                           "ssh_key": public_key})
        return result

    @synchronized
    def delete(self, scope: Scope | None, node_id: int) -> None:
        self.get(scope, node_id)
        self.machines.destroy(node_id)
        self._remove(node_id)

    # -- emulator control ------------------------------------------------------------------

    @synchronized
    def fail(self, node_id: int, reason: str) -> Node:
        node = self.get(None, node_id)
        self.machines.power_off(node.id)
        node.failure_reason = reason
        self._enter(node, a.NODE_FAILED)
        self._save(node)
        return node

    @synchronized
    def resume(self) -> None:
        """After a restart: power running nodes back on at their persisted SSH ports."""
        for node in self.list(None):
            if node.status == a.NODE_RUNNING:
                self._power_on(node)
                self._save(node)

    # -- wire ------------------------------------------------------------------------------

    def to_wire(self, node: Node) -> dict[str, Any]:
        sku = self.catalog.sku(node.sku_id)
        _, plan = self.catalog.plan(node.sku_item_price_id)
        wire: dict[str, Any] = {
            "id": node.id, "name": node.name, "status": self.alternatives.wire_status(node.status), "created_at": iso(node.created_at),
            "updated_at": iso(node.updated_at), "project_id": node.project_id, "location": node.location,
            "lab_url": a.LAB_URL_TEMPLATE.format(base=self.base_url(), project_id=node.project_id, node_id=node.id),
            "image_type": node.image_type, "image_details": node.image, "sku_id": node.sku_id,
            "sku_item_price_id": node.sku_item_price_id, "sku_details": sku_details(sku, plan),
            "committed_instance_policy": node.committed_instance_policy or None,
            "next_sku_item_price_id": node.next_sku_item_price_id, "instance_type": node.instance_type,
            "disk_size_in_gb": node.disk_size_in_gb, "is_jupyterlab_enabled": node.is_jupyterlab_enabled,
            "public_key": list(node.public_keys), **node.extra,
        }
        if node.status == a.NODE_RUNNING and node.public_keys and node.ssh_port:
            alt = self.alternatives
            wire.update({alt.ssh_host_field: "127.0.0.1", alt.ssh_port_field: node.ssh_port})
            if alt.ssh_user_field:
                wire[alt.ssh_user_field] = alt.login_user
        if node.status == a.NODE_FAILED:
            wire[a.FAILURE_REASON_FIELD] = node.failure_reason
        return wire

    # -- internals -------------------------------------------------------------------------

    def _image(self, body: Body, image_type: str) -> dict[str, Any]:
        if image_type == "custom":
            url = require_str(body, "e2e_registry_image_url")
            return {"name": url, "version": "custom", "image_version_id": None,
                    "registry_namespace_id": optional_int(body, "registry_namespace_id")}
        if body.get("image_version_id") is not None:
            image, version = self.catalog.image_version(as_int(body["image_version_id"], "image_version_id"))
        elif body.get("image_name"):
            image, version = self.catalog.image_by_name(str(body["image_name"]), optional_str(body, "image_version"))
        else:
            raise ValidationFailed("image_version_id", "image_version_id is mandatory for a pre-built image")
        return {"name": image.name, "version": version.version, "image_version_id": version.image_version_id}

    def _enter(self, node: Node, status: str) -> None:
        node.status, node.status_since = status, self.lifecycle.now()

    def _power_on(self, node: Node) -> None:
        node.ssh_port = self.machines.power_on(node.id, list(node.public_keys), port=node.ssh_port)

    def _advance(self, node: Node) -> Node:
        status, since, taken = self.lifecycle.advance(TRANSITIONS, node.status, node.status_since)
        if not taken:
            return node
        node.status, node.status_since = status, since
        try:
            if status == a.NODE_RUNNING:
                self._power_on(node)
            elif status == a.NODE_STOPPED:
                self.machines.power_off(node.id)
        except Exception as exc:  # the machine itself failed: surface it as TIR would, as a failed node
            node.status, node.failure_reason = a.NODE_FAILED, f"machine error: {type(exc).__name__}"
        self._save(node)
        return node
