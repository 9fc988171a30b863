"""The SDK's access check, plans, images and account SSH keys against the emulator."""

from __future__ import annotations

import pytest

from tests.contract.harness import CPU_PLAN, PUBKEY_A, RIVA_VERSION
from tests.sdk.conftest import Sdk

pytestmark = pytest.mark.emulator


def test_access_check_uses_service_count(sdk: Sdk) -> None:
    result = sdk.run('''
        from e2enetworks.cloud.tir import client
        tir.init(api_key=None, access_token=None)
        client.Default.set_project(client.Default.project())
        client.Default._check_project_access()  # raises PermissionError unless 2xx
        done("ok")
    ''')
    assert result == "ok"
    calls = sdk.control.requests("GET", "dashboard/service-count/")
    assert [c["status"] for c in calls] == [200] and "teams/12/projects/34/" in calls[0]["path"]


def test_wrong_key_fails_the_access_check(sdk: Sdk) -> None:
    result = sdk.run('''
        from e2enetworks.cloud.tir import client
        tir.init(api_key="wrong", access_token="wrong", project="34", team="12", location="Delhi")
        try:
            client.Default._check_project_access()
            done("no error")
        except PermissionError as exc:
            done(type(exc).__name__)
    ''')
    assert result == "PermissionError"
    assert [c["status"] for c in sdk.control.requests("GET", "dashboard/service-count/")] == [401]


def test_plans_short_codes_and_hourly_ids(sdk: Sdk) -> None:
    result = sdk.run(f'''
        from e2enetworks.cloud.tir.helpers import plan_name_to_sku_item_price_id, plan_to_sku_id, cpu_plan_short_code
        plans = tir.Plans()
        node_skus = plans.get_skus_list("notebook", image_version_id=302)
        ep_skus = plans.get_skus_list("inference_service", framework="triton")
        done({{"node_codes": [cpu_plan_short_code(s) for s in node_skus["CPU"]],
               "node_price_id": plan_name_to_sku_item_price_id(node_skus, "{CPU_PLAN}"),
               "ep_sku_id": plan_to_sku_id(ep_skus, "{CPU_PLAN}")}})
    ''')
    # The free twin of C3.4 is listed for nodes, and the SDK's helper skips it (docs/tir.md §3).
    assert result["node_codes"].count(CPU_PLAN) == 2
    assert result["node_price_id"] == 1201 and result["ep_sku_id"] == 12


def test_images_list(sdk: Sdk) -> None:
    result = sdk.run('''
        table = tir.Images().list(is_jupyterlab_enabled=True)
        done([row for row in table.rows])
    ''')
    riva = [row for row in result if row[0] == "NVIDIA Riva"]
    assert [row[1] for row in riva] == [RIVA_VERSION, "2.17.0"] and riva[0][3] == 302


def test_ssh_keys_add_list_delete(sdk: Sdk) -> None:
    result = sdk.run(f'''
        from e2enetworks.cloud.tir.ssh_keys import SSHKeys
        keys = SSHKeys()
        added_ok, added = keys.add("alice", "{PUBKEY_A}")
        listed_ok, listed = keys.list()
        key_id = listed[0].pk if hasattr(listed[0], "pk") else listed[0].id
        deleted_ok, _ = keys.delete(key_id)
        _, after = keys.list()
        done({{"added": added_ok, "listed": plain(listed), "deleted": deleted_ok, "after": plain(after)}})
    ''')
    assert result["added"] and result["deleted"] and result["after"] == []
    assert [k["label"] for k in result["listed"]] == ["alice"] and result["listed"][0]["ssh_key"] == PUBKEY_A
    posts = sdk.control.requests("POST", "ssh_keys/")
    assert [p["status"] for p in posts] == [200]  # what the SDK's success check expects (docs/tir.md §2)
    assert sdk.control.inventory()["ssh_keys"] == []
