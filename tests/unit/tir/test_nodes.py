"""Nodes: wire format of every call, response parsing, SSH info and paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from riva_tir.tir import SshFieldNames, TirClient
from riva_tir.tir.nodes import NodePlanChange, NodeSpec, NodeStatus

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBKeyMaterialForTests deploy@riva"


def test_create_body(client: TirClient, api: Any, node_payload: Any) -> None:
    api.reply("POST", "notebooks/", node_payload, status=201)
    spec = NodeSpec(name="riva-node", image_version_id=72, sku_item_price_id=211, disk_size_in_gb=100,
                    public_key=[KEY])
    node = client.nodes.create(spec)
    assert node.id == 501
    (call,) = api.calls
    assert (call.method, call.path) == ("POST", "/myaccount/api/v1/gpu/notebooks/")
    assert call.query["project_id"] == "34"
    assert call.body == {
        "name": "riva-node", "image_type": "pre-built", "image_version_id": 72, "sku_item_price_id": 211,
        "instance_type": "paid_usage", "disk_size_in_gb": 100, "is_jupyterlab_enabled": True,
        "public_key": [KEY], "dataset_id_list": [],
        # What the SDK always sends (docs/tir.md §5.1).
        "notebook_type": "new", "notebook_url": "", "auto_shutdown_timeout": None,
    }


def test_create_body_without_keys_still_sends_what_the_sdk_always_sends(
    client: TirClient, api: Any, node_payload: Any
) -> None:
    api.reply("POST", "notebooks/", node_payload, status=201)
    client.nodes.create(NodeSpec(name="riva-node", image_version_id=72, sku_item_price_id=211))
    body = api.calls[0].body
    assert {k: body[k] for k in ("public_key", "dataset_id_list", "instance_type", "is_jupyterlab_enabled",
                                 "notebook_type", "notebook_url", "auto_shutdown_timeout")} == {
        "public_key": [], "dataset_id_list": [], "instance_type": "paid_usage", "is_jupyterlab_enabled": True,
        "notebook_type": "new", "notebook_url": "", "auto_shutdown_timeout": None,
    }


def test_get_parses_status_ssh_and_ignores_unknown_fields(client: TirClient, api: Any, node_payload: Any) -> None:
    api.reply("GET", "notebooks/501/", node_payload)
    node = client.nodes.get(501)
    assert node.status == NodeStatus.RUNNING and node.is_ready
    assert node.ssh is not None and (node.ssh.host, node.ssh.port, node.ssh.user) == ("203.0.113.5", 2222, "root")
    assert node.image_details is not None and node.image_details.version == "2.19.0"
    assert node.sku_details is not None and node.sku_details.plan is not None
    assert node.sku_details.plan.committed_days == 0
    assert not hasattr(node, "unexpected_field")


def test_ssh_field_names_are_configurable(make_client: Callable[..., TirClient], api: Any, node_payload: Any) -> None:
    client = make_client(ssh_fields=SshFieldNames(host="public_ip", port="ssh_port_no", user="login"))
    api.reply("GET", "notebooks/501/", {**node_payload, "public_ip": "198.51.100.9", "login": "ubuntu"})
    node = client.nodes.get(501)
    assert node.ssh is not None and (node.ssh.host, node.ssh.port, node.ssh.user) == ("198.51.100.9", 22, "ubuntu")


def test_no_ssh_until_host_present(client: TirClient, api: Any, node_payload: Any) -> None:
    api.reply("GET", "notebooks/501/", {**node_payload, "ssh_host": None, "status": "creating"})
    node = client.nodes.get(501)
    assert node.ssh is None and not node.is_ready


def test_actions_use_action_query(client: TirClient, api: Any, node_payload: Any) -> None:
    api.reply("PUT", "notebooks/501/actions/", {})
    api.reply("PUT", "notebooks/501/actions/", {})
    client.nodes.stop(501)
    client.nodes.start(501)
    assert [(c.method, c.path, c.query["action"], c.body) for c in api.calls] == [
        ("PUT", "/myaccount/api/v1/gpu/notebooks/501/actions/", "stop", None),
        ("PUT", "/myaccount/api/v1/gpu/notebooks/501/actions/", "start", None),
    ]


def test_wait_stopped(client: TirClient, api: Any, node_payload: Any) -> None:
    api.reply("GET", "notebooks/501/", {**node_payload, "status": "Stopping"})
    api.reply("GET", "notebooks/501/", {**node_payload, "status": "Stopped"})
    assert client.nodes.wait_stopped(501, timeout=60).status == "stopped"


def test_plan_change(client: TirClient, api: Any) -> None:
    api.reply("PUT", "notebooks/501/", {})
    client.nodes.update(501, NodePlanChange(sku_id=21, sku_item_price_id=211))
    assert api.calls[0].body == {"sku_id": 21, "sku_item_price_id": 211}


def test_ssh_key_management(client: TirClient, api: Any) -> None:
    api.reply("PUT", "notebooks/501/ssh-keys/", {})
    api.reply("PUT", "notebooks/501/ssh-keys/", {})
    api.reply("PUT", "notebooks/501/ssh-keys/", {})
    api.reply("GET", "notebooks/501/ssh-keys/", [KEY, {"label": "x", "public_key": "ssh-rsa AAAA"}])
    client.nodes.add_ssh_keys(501, [KEY])
    client.nodes.remove_ssh_keys(501, [KEY])
    client.nodes.remove_ssh_keys(501, "all")
    keys = client.nodes.list_ssh_keys(501)
    assert [c.body for c in api.calls[:3]] == [
        {"ssh_keys_to_add": [KEY]}, {"ssh_keys_to_remove": [KEY]}, {"ssh_keys_to_remove": "all"}
    ]
    assert [k.ssh_key for k in keys] == [KEY, "ssh-rsa AAAA"]


def test_list_and_list_all_page_through(client: TirClient, api: Any, node_payload: Any) -> None:
    page1 = [{**node_payload, "id": i, "name": f"n-{i}"} for i in (1, 2)]
    api.reply("GET", "notebooks/", page1)
    api.reply("GET", "notebooks/", [{**node_payload, "id": 3, "name": "n-3"}])
    nodes = client.nodes.list_all(per_page=2)
    assert [n.id for n in nodes] == [1, 2, 3]
    # A short page is not the last (a server may ignore per_page): page 3 repeats -> stop.
    assert [(c.query["page_no"], c.query["per_page"]) for c in api.calls] == [("1", "2"), ("2", "2"), ("3", "2")]


def test_lookup_by_name_pages_past_a_short_page(client: TirClient, api: Any, node_payload: Any) -> None:
    # The server ignores per_page and pages by 1 (docs/tir.md §2): the name is on page 2.
    api.reply("GET", "notebooks/", [{**node_payload, "id": 1, "name": "other"}])
    api.reply("GET", "notebooks/", [node_payload])
    found = client.nodes.find("riva-node")
    assert found is not None and found.id == 501
    assert [c.query["page_no"] for c in api.calls] == ["1", "2"]  # stopped once found


def test_list_all_stops_when_server_ignores_paging(client: TirClient, api: Any, node_payload: Any) -> None:
    same = [{**node_payload, "id": i, "name": f"n-{i}"} for i in (1, 2)]
    api.reply("GET", "notebooks/", same)
    assert [n.id for n in client.nodes.list_all(per_page=2)] == [1, 2]
    assert len(api.calls) == 2  # page 2 repeated page 1 -> stop


def test_find_by_name_and_delete(client: TirClient, api: Any, node_payload: Any) -> None:
    api.reply("GET", "notebooks/", [node_payload])
    api.reply("DELETE", "notebooks/501/", {})
    found = client.nodes.find("riva-node")
    assert found is not None and found.id == 501
    assert client.nodes.delete(501) is None
    assert api.calls[1].method == "DELETE" and api.calls[1].path.endswith("/notebooks/501/")


def test_status_aliases_map_a_status_riva_tir_does_not_know(make_client: Callable[..., TirClient], api: Any,
                                                           node_payload: Any) -> None:
    api.reply("GET", "notebooks/501/", {**node_payload, "status": "Active"})
    api.reply("GET", "notebooks/501/", {**node_payload, "status": "Active"})
    assert not make_client().nodes.get(501).is_ready
    node = make_client(status_aliases={"ACTIVE": "Running"}).nodes.get(501)
    assert node.status == "running" and node.is_ready
