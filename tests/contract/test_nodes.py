"""Nodes: lifecycle with a real SSH host, keys, plan change, failures and waits."""

from __future__ import annotations

import pytest
from pydantic import ValidationError as PydanticValidationError

from tests.contract.harness import (
    BIGGER_CPU_PLAN, KEY_A, KEY_B, NO_INVENTORY_PLAN, PUBKEY_A, PUBKEY_B, Contract, ssh_run,
)
from riva_tir.tir import CapacityError, NotFound, ResourceFailed, ValidationFailed, WaitTimeout
from riva_tir.tir.nodes import NodePlanChange, NodeSpec
from riva_tir.tir.ssh_keys import SshKeySpec

pytestmark = pytest.mark.emulator


def test_lifecycle_with_ssh_stop_start_and_delete(contract: Contract) -> None:
    client = contract.client
    # Short real delays so the waiters pass through the transitional statuses.
    contract.control.transitions({"node.create": 0.3, "node.stop": 0.3, "node.start": 0.3})
    client.ssh_keys.create(SshKeySpec(label="alice", ssh_key=PUBKEY_A))
    created = client.nodes.create(contract.node_spec("riva-node", keys=[PUBKEY_A]))
    assert created.name == "riva-node" and created.status == "creating" and not created.is_ready

    node = client.nodes.wait_ready(created.id, timeout=30)
    assert node.status == "running" and node.lab_url
    assert node.image_details is not None and node.image_details.version == "2.19.0"
    assert node.ssh is not None and node.ssh.host == "127.0.0.1" and node.ssh.user
    assert ssh_run(node.ssh, KEY_A, "echo hello") == "hello\n"
    assert client.nodes.find("riva-node") == node

    client.nodes.stop(node.id)
    stopped = client.nodes.wait_stopped(node.id, timeout=30)
    assert stopped.status == "stopped" and stopped.ssh is None
    client.nodes.start(node.id)
    again = client.nodes.wait_ready(node.id, timeout=30)
    assert again.ssh is not None and ssh_run(again.ssh, KEY_A, "echo back") == "back\n"

    assert client.nodes.delete(node.id) is None
    client.nodes.wait_deleted(node.id, timeout=30)
    with pytest.raises(NotFound):
        client.nodes.get(node.id)
    assert client.nodes.get_or_none(node.id) is None
    assert contract.control.inventory()["nodes"] == []


def test_ssh_keys_change_live(contract: Contract) -> None:
    client = contract.client
    client.ssh_keys.create(SshKeySpec(label="alice", ssh_key=PUBKEY_A))
    client.ssh_keys.create(SshKeySpec(label="bob", ssh_key=PUBKEY_B))
    node = client.nodes.wait_ready(client.nodes.create(contract.node_spec("keys-node", keys=[PUBKEY_A])).id)
    assert [k.ssh_key for k in client.nodes.list_ssh_keys(node.id)] == [PUBKEY_A]

    client.nodes.add_ssh_keys(node.id, [PUBKEY_B])
    attached = client.nodes.list_ssh_keys(node.id)
    assert [(k.label, k.ssh_key) for k in attached] == [("alice", PUBKEY_A), ("bob", PUBKEY_B)]
    assert node.ssh is not None and ssh_run(node.ssh, KEY_B, "echo bob") == "bob\n"

    client.nodes.remove_ssh_keys(node.id, [PUBKEY_A])
    assert [k.ssh_key for k in client.nodes.list_ssh_keys(node.id)] == [PUBKEY_B]
    client.nodes.remove_ssh_keys(node.id, "all")
    assert client.nodes.list_ssh_keys(node.id) == []
    assert client.nodes.get(node.id).ssh is None  # SSH is off without keys


def test_plan_change_only_while_stopped(contract: Contract) -> None:
    client = contract.client
    node = client.nodes.wait_ready(client.nodes.create(contract.node_spec("plan-node")).id)
    image = client.images.find_riva()
    bigger = client.plans.resolve_node_plan(BIGGER_CPU_PLAN, image.image_version_id)
    change = NodePlanChange(sku_id=bigger.sku_id, sku_item_price_id=bigger.sku_item_price_id)
    with pytest.raises(ValidationFailed):
        client.nodes.update(node.id, change)

    client.nodes.stop(node.id)
    client.nodes.wait_stopped(node.id)
    client.nodes.update(node.id, change)
    changed = client.nodes.get(node.id)
    assert changed.sku_details is not None and changed.sku_details.specs is not None
    assert changed.sku_details.specs.name == "C3.8"


def test_create_refusals(contract: Contract) -> None:
    client = contract.client
    with pytest.raises(ValidationFailed) as caught:  # the key is not in the account
        client.nodes.create(contract.node_spec("no-key-node", keys=[PUBKEY_B]))
    assert "public_key" in caught.value.field_errors

    with pytest.raises(CapacityError) as full:
        client.nodes.create(contract.node_spec("gpu-node", plan=NO_INVENTORY_PLAN))
    assert full.value.attempts == 2 and full.value.plan and "sku_item_price_id=" in full.value.plan
    assert len(contract.control.requests("POST", "notebooks/")) == 3  # 1 + 2 capacity attempts
    assert contract.control.inventory()["nodes"] == []


def test_list_pages(contract: Contract) -> None:
    client = contract.client
    ids = [client.nodes.create(contract.node_spec(f"page-node-{i}")).id for i in range(3)]
    first = client.nodes.list(page_no=1, per_page=2)
    assert [n.id for n in first.items] == ids[:2] and first.has_next
    assert [n.id for n in client.nodes.list(page_no=2, per_page=2).items] == ids[2:]
    assert [n.id for n in client.nodes.list_all(per_page=2)] == ids


def test_failed_node_raises_with_the_reason(contract: Contract) -> None:
    node = contract.client.nodes.create(contract.node_spec("doomed-node"))
    contract.control.fail("node", node.id, "GPU host lost power")
    with pytest.raises(ResourceFailed) as caught:
        contract.client.nodes.wait_ready(node.id, timeout=10)
    assert "GPU host lost power" in str(caught.value)
    assert caught.value.last is not None and getattr(caught.value.last, "status") == "failed"


def test_wait_times_out_on_a_slow_transition(contract: Contract) -> None:
    contract.control.transitions({"node.create": 60})
    node = contract.client.nodes.create(contract.node_spec("slow-node"))
    with pytest.raises(WaitTimeout) as caught:
        contract.client.nodes.wait_ready(node.id, timeout=0.5)
    assert "creating" in str(caught.value) and len(contract.sleep.pauses) >= 2


def test_committed_plan_rules_match(contract: Contract) -> None:
    client = contract.client
    base = contract.node_spec("committed-node")
    resolved = client.plans.resolve_node_plan(BIGGER_CPU_PLAN, base.image_version_id or 0)
    committed = next(p for p in resolved.sku.plans if p.committed_days > 0)
    # auto_terminate needs no next plan on either side (docs/tir.md §3: first and last policies do).
    spec = base.model_copy(update={"sku_item_price_id": committed.sku_item_price_id,
                                   "committed_instance_policy": "auto_terminate"})
    node = client.nodes.wait_ready(client.nodes.create(spec).id)
    assert node.sku_details is not None and node.sku_details.plan is not None
    assert node.sku_details.plan.committed_days == committed.committed_days
    with pytest.raises(ValidationFailed):  # a committed node cannot be stopped
        client.nodes.stop(node.id)
    with pytest.raises(PydanticValidationError, match="next_sku_item_price_id"):
        NodeSpec(**{**spec.model_dump(), "name": "x-node", "committed_instance_policy": "convert_to_hourly_billing"})
