"""TirNode: the GPU node that holds the model and runs riva-build / riva-deploy."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, UpdateResult
from pydantic import Field

from riva_tir.providers import host_keys
from riva_tir.providers.base import (UNKNOWN, TirInputs, TirOutputs, TirProvider, TirResource,
                                       cleanup_failed_create, is_unknown, name_taken)
from riva_tir.providers.engine_log import progress
from riva_tir.providers.node_power import converge
from riva_tir.providers.record import RecordInputs, RecordProvider
from riva_tir.providers.ssh_key import key_material
from riva_tir.tir import NotFound
from riva_tir.tir.config import DEFAULT_LOGIN_USER
from riva_tir.tir.nodes.models import Node
from riva_tir.tir.nodes.specs import NodePlanChange, NodeSpec
from riva_tir.tir.images.models import ResolvedImage
from riva_tir.tir.plans.models import ResolvedPlan
from riva_tir.tir.validation import ResourceName

if TYPE_CHECKING:
    from riva_tir.tir.client import TirClient

# Provider input -> NodeSpec field, so check() reports spec errors under input names.
_SPEC_FIELDS = {"name": "name", "disk_size_in_gb": "disk_size_gb", "public_key": "public_keys"}


class NodeInputs(TirInputs):
    name: ResourceName
    plan: str = Field(min_length=1, description="plan short code, e.g. GPU-A100-16-115GB-1")
    committed_days: int | None = Field(default=None, gt=0, description="a committed term of the plan; "
                                                                       "none: by the hour")
    image_version: str = Field(default="2.19.0", min_length=1, description="Riva image version")
    image_version_id: int | None = Field(default=None, gt=0, description="overrides image_version")
    registry_image: str | None = Field(default=None, description="an image of E2E's container registry "
                                                                 "instead of TIR's catalog")
    registry_namespace_id: int | None = Field(default=None, gt=0, description="the registry namespace of it")
    disk_size_gb: int = 100
    public_keys: list[str] = Field(min_length=1, description="account SSH keys to authorise")
    trusted_host_key: str | None = Field(default=None, pattern=r"^SHA256:[A-Za-z0-9+/]{43}$",
                                         description="fingerprint of a host key the user checked")
    login_user: str | None = Field(default=None, description="SSH login user; else the node record's, else "
                                                             "DEFAULT_LOGIN_USER")
    ready_timeout: float = Field(default=1800, gt=0)


class NodeOutputs(TirOutputs):
    node_id: int
    status: str
    ssh_host: str | None
    ssh_port: int | None
    ssh_user: str
    ssh_host_key: str | None  # pinned at create, then only when the user trusts a new one
    lab_url: str | None
    resolved_image_version_id: int | None  # None for a registry image
    sku_item_price_id: int | None


class NodeProvider(TirProvider[NodeInputs, NodeOutputs]):
    inputs = NodeInputs
    outputs = NodeOutputs
    kind, collection = "node", "nodes"
    # Only the name (the adoption key) replaces a node, which would destroy its disk: the
    # plan, disk size and image change in place (docs/day2.md, "Nodes").
    replace_on = frozenset({"name"})
    # The term (committed_days) is checked by the estimate, which names the config key
    # (riva_tir/providers/cost.py).
    catalog_keys = ("plan", "image_version", "image_version_id", "registry_image")

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        old_disk, new_disk = olds.get("disk_size_gb"), news.get("disk_size_gb")
        if isinstance(old_disk, int) and isinstance(new_disk, int) and new_disk < old_disk:
            result.failures.append(CheckFailure("disk_size_gb", (
                f"TIR cannot shrink a node's disk ({old_disk} GB now): set riva-tir:node.diskSizeGb to "
                f"{old_disk} or more; a smaller disk needs a new node (change riva-tir:namePrefix)")))
        return result

    def preview_update(self, _id: str | None, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        unknown = unsettled_access(access_settings(olds), access_settings(news))
        if _plan_changed(olds, news):
            # The node stops and starts on the new plan (keeping its address: unsettled_access).
            unknown |= {"sku_item_price_id", "status"}
        if _image_changed(olds, news):
            # The node restarts as a new container on the new image.
            unknown |= {"status", "resolved_image_version_id"}
        return {**dict.fromkeys(unknown, UNKNOWN), **named_access(news)}

    def spec_errors(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        # Placeholder ids: plan and image are checked against the API in catalog_errors.
        return self.spec_check(NodeSpec, _SPEC_FIELDS, {
            "name": inputs.get("name"), "image_version_id": 1, "sku_item_price_id": 1,
            "disk_size_in_gb": inputs.get("disk_size_gb"), "public_key": inputs.get("public_keys")})

    def catalog_errors(self, tir: TirClient, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        _resolve(tir, {**inputs, "committed_days": None})
        return []

    def make(self, tir: TirClient, props: dict[str, Any]) -> Node:
        version_id, plan = _resolve(tir, props)
        progress(f"creating node {props['name']} on {props['plan']}")
        return tir.nodes.create_idempotent(NodeSpec(
            name=props["name"], **_image_fields(props, version_id), sku_item_price_id=plan.sku_item_price_id,
            **plan.committed_fields(), disk_size_in_gb=props["disk_size_gb"], public_key=props["public_keys"]))

    def made_here(self, tir: TirClient, found: Node, props: dict[str, Any]) -> bool:
        """A node of this deployment has its SSH key (each deployment has its own key pair,
        or the user's), ASSUMPTION: never attached under its name by anyone else."""
        attached = {key_material(k.ssh_key) for k in tir.nodes.list_ssh_keys(found.id)}
        return bool(attached & {key_material(k) for k in props["public_keys"]})

    def finish(self, tir: TirClient, props: dict[str, Any], made: Node) -> NodeOutputs:
        version_id, plan = _resolve(tir, props)
        with cleanup_failed_create(tir.nodes, made, f"node {props['name']}"):
            if not made.is_ready:
                progress(f"waiting for node {props['name']} to run", ephemeral=True)
            node = converge(tir, made, "running", props["ready_timeout"])
            outputs = _outputs(node, {}, version_id, plan.sku_item_price_id, props.get("login_user"))
            # Trust on first use: TIR publishes no host keys (docs/security.md).
            return outputs.model_copy(update={"ssh_host_key": _pin(self.args(props), outputs)})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        node_id = int(id_)
        with self.client(news) as tir:
            # New keys first, old ones after: a rotation never leaves the node without a key.
            added = sorted(set(news["public_keys"]) - set(olds.get("public_keys") or []))
            removed = sorted(set(olds.get("public_keys") or []) - set(news["public_keys"]))
            if added:
                tir.nodes.add_ssh_keys(node_id, added)
            if removed:
                tir.nodes.remove_ssh_keys(node_id, removed)
            node = tir.nodes.get(node_id)
            was_running = node.status not in ("stopped", "stopping")
            # The engine hands numbers over as floats.
            disk_gb = int(news["disk_size_gb"])
            if disk_gb > int(olds["disk_size_gb"]):
                progress(f"growing the disk of node {node.name} to {disk_gb} GB")
                tir.nodes.upgrade_disk(node_id, disk_gb)
            sku_item_price_id = olds.get("sku_item_price_id")
            version_id = olds.get("resolved_image_version_id")
            if _plan_changed(olds, news):
                sku_item_price_id = _change_plan(tir, node, news, int(version_id) if version_id else None)
            repin = bool(news.get("trusted_host_key")) and news.get("trusted_host_key") != olds.get("trusted_host_key")
            if _image_changed(olds, news):
                if news.get("registry_image"):
                    progress(f"moving node {node.name} to image {news['registry_image']}")
                    tir.nodes.update_registry_image(node_id, news["registry_image"], int(news["registry_namespace_id"]))
                    version_id = None
                else:
                    image = _image(tir, news)
                    progress(f"moving node {node.name} to image {image.image_name} {image.version}")
                    tir.nodes.update_image(node_id, image.image_name, image.version)
                    version_id = image.image_version_id
                # ASSUMPTION (docs/day2.md): the node comes back as a new container with a new
                # host key; riva-tir caused that, so it pins the new key (waking a stopped node).
                repin = True
            if repin or (was_running and _plan_changed(olds, news)):
                node = converge(tir, tir.nodes.get(node_id), "running", news["ready_timeout"])
            outputs = _outputs(node, olds, version_id, sku_item_price_id, news.get("login_user"))
            if repin:
                outputs = outputs.model_copy(update={"ssh_host_key": _pin(self.args(news), outputs)})
                if not was_running:
                    node = converge(tir, node, "stopped", news["ready_timeout"])
                    outputs = outputs.model_copy(update={"status": str(node.status)})
            return UpdateResult(self.result(news, outputs))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.client(props) as tir:
            node = tir.nodes.read_shared(int(id_))
            if node is None:
                return ReadResult("", {})
            keys = [k.ssh_key for k in tir.nodes.list_ssh_keys(node.id)]
            live = dict(props, public_keys=_same_order(props.get("public_keys") or [], keys))
            outputs = _outputs(node, props, props.get("resolved_image_version_id"), props.get("sku_item_price_id"),
                               props.get("login_user"))
            return ReadResult(id_, self.result(live, outputs))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with self.client(props) as tir:
            try:
                tir.nodes.delete(int(id_))
            except NotFound:
                return
            tir.nodes.wait_deleted(int(id_), timeout=props.get("ready_timeout"))


def _resolve(tir: TirClient, props: dict[str, Any]) -> tuple[int | None, ResolvedPlan]:
    """The catalog image version (None for a registry image) and plan ids for these
    inputs, as `check` and `create` need them."""
    version_id = None if props.get("registry_image") else (
        props.get("image_version_id") or tir.images.find_riva(props["image_version"]).image_version_id)
    return version_id, tir.plans.resolve_node_plan(props["plan"], version_id, int(props.get("committed_days") or 0))


def _plan_changed(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """Another plan, or another term of it (docs/cost.md §2.3)."""
    return any(olds.get(k) != news.get(k) for k in ("plan", "committed_days"))


def _image_fields(props: dict[str, Any], version_id: int | None) -> dict[str, Any]:
    """The create body's image: a registry image (custom) or a catalog version (pre-built)."""
    if props.get("registry_image"):
        return {"image_type": "custom", "e2e_registry_image_url": props["registry_image"],
                "registry_namespace_id": props["registry_namespace_id"]}
    return {"image_type": "pre-built", "image_version_id": version_id}


def _image_changed(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """A registry image is its URL and namespace; a catalog image is its version."""
    keys = ("registry_image", "registry_namespace_id")
    if not (news.get("registry_image") or olds.get("registry_image")):
        keys = ("image_version", "image_version_id")
    return any(olds.get(k) != news.get(k) for k in keys)


# The node's outputs that say how to reach it over SSH (what NodeAccess records), and its
# inputs that can change them (`ssh_fields`: the `tir` input's).
ACCESS = ("ssh_host", "ssh_port", "ssh_user", "ssh_host_key")
ACCESS_SETTINGS = ("image_version", "image_version_id", "registry_image", "registry_namespace_id", "ssh_fields",
                   "trusted_host_key", "login_user")


def access_settings(props: Mapping[str, Any]) -> dict[str, Any]:
    """A node's inputs that can change how it is reached (ACCESS_SETTINGS), as NodeAccess takes them."""
    tir = props.get("tir")
    return {**{k: props.get(k) for k in ACCESS_SETTINGS},
            "ssh_fields": tir if is_unknown(tir) else (tir or {}).get("ssh_fields")}


def unsettled_access(olds: Mapping[str, Any], news: Mapping[str, Any]) -> set[str]:
    """The access outputs (ACCESS) that an update of the node from the settings `olds` to
    `news` (access_settings) may change, unknown until it runs; it keeps the others (its
    `preview_update` and NodeAccess's `check` both follow this). ASSUMPTION (docs/day2.md,
    "Assumptions"): a node keeps its SSH address across stop, start and a plan change."""
    unknown: set[str] = set()
    if _image_changed(olds, news):
        # A new container on the new image: a new host key, maybe another address.
        unknown |= {"ssh_host", "ssh_port", "ssh_host_key"}
    if olds.get("ssh_fields") != news.get("ssh_fields"):
        # Read from other fields of the node record (tir.sshFields).
        unknown |= {"ssh_host", "ssh_port", "ssh_user"}
    if news.get("login_user") != olds.get("login_user"):
        unknown.add("ssh_user")  # back to what the node record says, unless named (named_access)
    if news.get("trusted_host_key") and news.get("trusted_host_key") != olds.get("trusted_host_key"):
        unknown.add("ssh_host_key")  # pinned again
    return unknown - set(named_access(news))


def named_access(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The access outputs the settings name: a login user the stack names is the one the
    node records (`_outputs`)."""
    login_user = settings.get("login_user")
    return {"ssh_user": login_user} if login_user else {}


def _image(tir: TirClient, props: dict[str, Any]) -> ResolvedImage:
    """The image version these inputs ask for, by name and version (what image_update takes)."""
    wanted = props.get("image_version_id")
    if not wanted:
        return tir.images.find_riva(props["image_version"])
    for image in tir.images.list():
        for version in image.versions:
            if version.image_version_id == wanted:
                return ResolvedImage(image_id=image.image_id, image_name=image.name,
                                     image_version_id=wanted, version=version.version)
    raise RuntimeError(f"image version id {wanted} is not in TIR's node images")


def _change_plan(tir: TirClient, node: Node, news: dict[str, Any], image_version_id: int | None) -> int:
    """TIR changes a node's plan only while it is stopped (so not during a committed term)."""
    plan = tir.plans.resolve_node_plan(news["plan"], image_version_id, int(news.get("committed_days") or 0))
    node_id = node.id
    if node.status != "stopped":
        progress(f"stopping node {node.name} to change its plan to {news['plan']}")
        if node.status != "stopping":
            tir.nodes.stop(node_id)
        tir.nodes.wait_stopped(node_id, timeout=news["ready_timeout"])
    tir.nodes.update(node_id, NodePlanChange(sku_id=plan.sku_id, sku_item_price_id=plan.sku_item_price_id,
                                             **plan.committed_fields()))
    return plan.sku_item_price_id


def _pin(args: NodeInputs, outputs: NodeOutputs) -> str:
    """The node's host key to pin now (only the trusted one, when the user gave one)."""
    what = f"node {args.name} (id {outputs.node_id})"
    if not outputs.ssh_host or not outputs.ssh_port:
        fields = args.tir.ssh_fields
        raise RuntimeError(f"{what} is running but its record has no SSH address in the fields {fields.host!r} "
                           f"and {fields.port!r} (riva-tir:tir.sshFields, docs/unknowns.md): run "
                           "`scripts/doctor --stack <stack>` to find the fields this TIR uses")
    return host_keys.pin(what, outputs.ssh_host, outputs.ssh_port, args.trusted_host_key)


def _same_order(wanted: list[str], live: list[str]) -> list[str]:
    """Live keys in the order of the inputs (so unchanged sets diff equal), extras last.
    Keys compare by type and material, ignoring the comment."""
    live_by = {key_material(k): k for k in live}
    ordered = [w for w in wanted if key_material(w) in live_by]
    return ordered + [k for k in live if key_material(k) not in {key_material(w) for w in wanted}]


def _outputs(node: Node, olds: dict[str, Any], image_version_id: Any, sku_item_price_id: Any,
             login_user: str | None) -> NodeOutputs:
    ssh = node.ssh
    # A stopped node reports no SSH address; keep the last one so commands that connect
    # to it are not replaced (ASSUMPTION: TIR keeps a node's address across stop/start).
    reported_user = ssh.user if ssh else olds.get("ssh_user")
    return NodeOutputs(
        node_id=node.id, status=str(node.status),
        ssh_host=ssh.host if ssh else olds.get("ssh_host"),
        ssh_port=ssh.port if ssh else olds.get("ssh_port"),
        ssh_user=login_user or reported_user or DEFAULT_LOGIN_USER,
        # Pinned at create, again only when the user trusts a new key; never from a read.
        ssh_host_key=olds.get("ssh_host_key"),
        lab_url=node.lab_url, resolved_image_version_id=image_version_id, sku_item_price_id=sku_item_price_id)


class SshAccess:
    """The outputs that say how to reach the node over SSH (ACCESS)."""

    ssh_host: pulumi.Output[str]
    ssh_port: pulumi.Output[int]
    ssh_user: pulumi.Output[str]
    ssh_host_key: pulumi.Output[str]


class TirNode(SshAccess, TirResource, module="tir", name="TirNode"):
    """A TIR GPU node from the Riva image, reachable over SSH."""

    node_id: pulumi.Output[int]
    status: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NodeProvider(), name, props, opts)


class NodeAccessInputs(RecordInputs):
    node_id: int
    image_version: str | None = None
    image_version_id: int | None = None
    registry_image: str | None = None
    registry_namespace_id: int | None = None
    ssh_fields: dict[str, str] | None = None
    trusted_host_key: str | None = None
    login_user: str | None = None
    ssh_host: str | None = None
    ssh_port: int | None = None
    ssh_user: str
    ssh_host_key: str | None = None


class NodeAccessProvider(RecordProvider[NodeAccessInputs]):
    inputs = NodeAccessInputs
    upstreams = {"node_id": ACCESS}

    def unsettled(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> set[str]:
        return unsettled_access(olds, news)

    def named(self, news: Mapping[str, Any]) -> dict[str, Any]:
        return named_access(news)


class NodeAccess(SshAccess, TirResource, module="tir", name="NodeAccess"):
    """How to reach the node over SSH, recorded for the upload and the remote commands, so a
    node update that keeps it previews them unchanged under any CLI (riva_tir/providers/record.py)."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NodeAccessProvider(), name, props, opts)
