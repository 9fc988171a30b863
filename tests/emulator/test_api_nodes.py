"""Nodes: validation, instant lifecycle with a real SSH host, actions, keys, delete."""

from __future__ import annotations

import socket

import pytest

from tests.emulator.api_harness import CPU_COMMITTED, NO_INVENTORY_HOURLY, PUBKEY_A, PUBKEY_B, Api

pytestmark = pytest.mark.emulator


def _ssh_banner(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        return sock.recv(64)


def test_create_validation_names_the_field(api: Api) -> None:
    cases = {
        "name": api.node_body(name=""),
        "image_type": api.node_body(image_type="docker"),
        "image_version_id": api.node_body(image_version_id=999),
        "sku_item_price_id": api.node_body(sku_item_price_id=424242),
        "instance_type": {k: v for k, v in api.node_body().items() if k != "instance_type"},
        "public_key": api.node_body(public_key=[PUBKEY_B]),
        "dataset_id_list": api.node_body(dataset_id_list=[31337]),
        "committed_instance_policy": api.node_body(sku_item_price_id=CPU_COMMITTED),
    }
    for field, body in cases.items():
        errors = api.error("POST", "notebooks/", 400, json=body)["errors"]
        assert field in errors, (field, errors)
    assert api.ok("GET", "notebooks/") == []


# ASSUMPTION (riva_tir/emulator/assumptions.py): a node create without a field the SDK always sends
# is refused, naming it (docs/tir.md §5.1).
@pytest.mark.parametrize("missing", ["notebook_type", "notebook_url", "auto_shutdown_timeout", "instance_type",
                                     "is_jupyterlab_enabled", "dataset_id_list", "public_key"])
def test_create_refuses_a_body_without_what_the_sdk_always_sends(api: Api, missing: str) -> None:
    body = {k: v for k, v in api.node_body().items() if k != missing}
    assert missing in api.error("POST", "notebooks/", 400, json=body)["errors"]
    assert api.ok("GET", "notebooks/") == []


def test_capacity_error_for_a_sku_without_inventory(api: Api) -> None:
    body = api.error("POST", "notebooks/", 400, json=api.node_body(sku_item_price_id=NO_INVENTORY_HOURLY))
    assert body["message"] == "SKU Inventory temporarily unavailable. Please try again"


def test_instant_lifecycle_runs_a_real_ssh_host(api: Api) -> None:
    api.ssh_key(PUBKEY_A)
    node = api.node(public_key=[PUBKEY_A])
    assert api.control.inventory()["nodes"][0]["id"] == node["id"]
    node = api.ok("GET", f"notebooks/{node['id']}/")
    assert node["status"] == "running" and node["lab_url"].startswith(api.url)
    assert node["ssh_host"] == "127.0.0.1" and node["ssh_user"]
    assert _ssh_banner(node["ssh_port"]).startswith(b"SSH-2.0")
    assert node["image_details"]["name"] == "NVIDIA Riva" and node["image_details"]["version"] == "2.19.0"
    assert node["sku_details"]["plan"]["sku_type"] == "hourly"

    stopped = api.ok("PUT", f"notebooks/{node['id']}/actions/", params={"action": "stop"})
    assert stopped["status"] == "stopped" and "ssh_port" not in stopped
    api.error("PUT", f"notebooks/{node['id']}/actions/", 400, params={"action": "stop"})
    started = api.ok("PUT", f"notebooks/{node['id']}/actions/", params={"action": "start"})
    assert started["status"] == "running" and started["ssh_port"] == node["ssh_port"]


def test_no_ssh_fields_without_public_keys(api: Api) -> None:
    node = api.node()
    assert node["status"] == "running"
    assert "ssh_port" not in node and "ssh_host" not in node


def test_committed_plan_refuses_stop_and_plan_changes_only_when_stopped(api: Api) -> None:
    committed = api.node(sku_item_price_id=CPU_COMMITTED, committed_instance_policy="auto_terminate")
    body = api.error("PUT", f"notebooks/{committed['id']}/actions/", 400, params={"action": "stop"})
    assert "committed" in body["message"]

    hourly = api.node(name="hourly")
    change = {"sku_item_price_id": 1301}
    api.error("PUT", f"notebooks/{hourly['id']}/", 400, json=change)
    api.ok("PUT", f"notebooks/{hourly['id']}/actions/", params={"action": "stop"})
    changed = api.ok("PUT", f"notebooks/{hourly['id']}/", json=change)
    assert changed["sku_details"]["specs"]["name"] == "C3.8"


def test_rename_and_unknown_action(api: Api) -> None:
    node = api.node()
    renamed = api.ok("PUT", f"notebooks/{node['id']}/actions/", params={"action": "rename"}, json={"name": "new"})
    assert renamed["name"] == "new"
    assert "action" in api.error("PUT", f"notebooks/{node['id']}/actions/", 400, params={"action": "fly"})["errors"]


def test_ssh_keys_added_and_removed_live(api: Api) -> None:
    api.ssh_key(PUBKEY_A, "alice")
    api.ssh_key(PUBKEY_B, "bob")
    node = api.node(public_key=[PUBKEY_A])
    keys = api.ok("PUT", f"notebooks/{node['id']}/ssh-keys/", json={"ssh_keys_to_add": [PUBKEY_B]})
    assert [k["label"] for k in keys] == ["alice", "bob"]
    keys = api.ok("PUT", f"notebooks/{node['id']}/ssh-keys/", json={"ssh_keys_to_remove": [PUBKEY_A]})
    assert [k["label"] for k in keys] == ["bob"]
    assert api.ok("GET", f"notebooks/{node['id']}/ssh-keys/") == keys
    api.ok("PUT", f"notebooks/{node['id']}/ssh-keys/", json={"ssh_keys_to_remove": "all"})
    assert api.ok("GET", f"notebooks/{node['id']}/")["public_key"] == []
    errors = api.error("PUT", f"notebooks/{node['id']}/ssh-keys/", 400,
                       json={"ssh_keys_to_add": ["ssh-ed25519 AAAAnotinaccount"]})["errors"]
    assert "ssh_keys_to_add" in errors


def test_datasets_are_not_emulated(api: Api) -> None:
    """The SDK's empty `dataset_id_list` is accepted (a non-empty one is refused above); there is
    no dataset to mount (docs/emulator.md "Not emulated")."""
    assert api.node(dataset_id_list=[])["status"]
    api.error("GET", "datasets/", 404)


def test_delete_then_404_and_status_filter(api: Api) -> None:
    node = api.node()
    other = api.node(name="other")
    api.ok("PUT", f"notebooks/{other['id']}/actions/", params={"action": "stop"})
    assert [n["name"] for n in api.ok("GET", "notebooks/", params={"status": "stopped"})] == ["other"]
    assert api.ok("DELETE", f"notebooks/{node['id']}/") == {}
    api.error("GET", f"notebooks/{node['id']}/", 404)
    api.error("DELETE", f"notebooks/{node['id']}/", 404)
    assert [n["id"] for n in api.control.inventory()["nodes"]] == [other["id"]]


def test_fail_control_puts_node_in_failed_with_reason(api: Api) -> None:
    node = api.node()
    api.control.fail("node", node["id"], "disk lost")
    failed = api.ok("GET", f"notebooks/{node['id']}/")
    assert failed["status"] == "failed" and failed["failure_reason"] == "disk lost"
