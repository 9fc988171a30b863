"""Scenario 2: "SKU Inventory temporarily unavailable" on create and on start is retried
within the stack's budget (`retries.capacityRetries`), then fails naming the plan; nothing
is left that the stack does not track."""
from __future__ import annotations

import pytest
from pulumi import automation as auto

from tests.integration.harness import FULL_STACK, Deployment
from riva_tir.emulator.riva_tools import make_riva_archive

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

EMPTY = dict.fromkeys(FULL_STACK, 0)


def _fired(dep: Deployment) -> list[int]:
    return [int(rule["fired"]) for rule in dep.control.fault_plan()["rules"]]


def _small_budget(dep: Deployment) -> None:
    dep.set("riva-tir:retries.capacityRetries", 2)
    dep.set("riva-tir:retries.capacityBackoffSeconds", 0.05)


def test_capacity_on_create(deployment: Deployment) -> None:
    dep = deployment
    _small_budget(dep)
    dep.faults([{"fault": "capacity", "method": "POST", "path": "notebooks/$"}])
    with pytest.raises(auto.CommandError) as info:
        dep.stack.up()
    text = str(info.value)
    assert "no capacity for plan GPU-L4-8-48GB-1" in text and "after 3 attempts" in text
    assert "capacityRetries" in text
    assert _fired(dep) == [3]  # 1 try + capacityRetries 2, then it stops
    assert dep.counts()["nodes"] == 0

    # Refused twice, then there is capacity: inside the budget, the run just converges.
    dep.faults([{"fault": "capacity", "method": "POST", "path": "serving/inference/$", "nth": [1, 2]}])
    dep.stack.up()
    assert _fired(dep) == [2]
    assert dep.counts() == FULL_STACK
    dep.clear_faults()
    dep.stack.destroy()
    assert dep.counts() == EMPTY


def test_capacity_on_start(deployment: Deployment) -> None:
    dep = deployment
    _small_budget(dep)
    dep.set("riva-tir:node.state", "stopped")
    dep.set("riva-tir:rivaApi.state", "stopped")
    dep.stack.up()

    dep.set("riva-tir:rivaApi.state", "running")
    dep.faults([{"fault": "capacity", "method": "PUT", "path": r"serving/inference/\d+/$", "action": "start"}])
    with pytest.raises(auto.CommandError) as info:
        dep.stack.up()
    assert "no capacity for plan CPU-C3-4-8GB-0" in str(info.value) and _fired(dep) == [3]

    make_riva_archive(dep.artifact, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 20, seed=5)
    dep.faults([{"fault": "capacity", "method": "PUT", "path": r"notebooks/\d+/actions/$", "action": "start"}])
    with pytest.raises(auto.CommandError) as info:
        dep.stack.up()
    assert "no capacity for plan GPU-L4-8-48GB-1" in str(info.value) and _fired(dep) == [3]

    dep.clear_faults()
    outputs = {k: v.value for k, v in dep.stack.up().outputs.items()}
    assert dep.counts() == FULL_STACK
    with dep.tir() as tir:
        assert tir.nodes.get(outputs["node_id"]).status == "stopped"
        assert tir.endpoints.get(outputs["riva_endpoint_id"]).status == "running"
