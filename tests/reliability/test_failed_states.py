"""Scenario 6: a node or endpoint that TIR puts into `failed` while it is being created
fails `up` with the platform's reason and the resource id; the failed resource is deleted,
so the next `up` succeeds without manual cleanup."""
from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pulumi import automation as auto

from tests.integration.harness import FULL_STACK, Deployment

pytestmark = [pytest.mark.engine, pytest.mark.emulator]


def _up_failing(dep: Deployment, inventory_kind: str, kind: str, part: str, reason: str) -> tuple[str, int, str]:
    """`up` while this deployment's `part` resource (rt-it-<suffix>-<part>) is made to fail as
    soon as it is seen in progress; returns the error text, its id and its name."""
    with ThreadPoolExecutor(1) as pool:
        run = pool.submit(dep.stack.up)
        failed: dict[str, Any] = {}
        deadline = time.monotonic() + 120
        while not failed and not run.done() and time.monotonic() < deadline:
            found = [r for r in dep.inventory()[inventory_kind]
                     if re.fullmatch(rf"rt-it-[a-z0-9]{{5}}-{part}", r["name"])
                     and r["status"] in ("creating", "deploying")]
            if found:
                failed = found[0]
                dep.fail(kind, failed["id"], reason)
            time.sleep(0.05)
        assert failed, f"the {part} was never seen in progress"
        with pytest.raises(auto.CommandError) as info:
            run.result()
    return str(info.value), int(failed["id"]), str(failed["name"])


def test_failed_node_and_endpoint(deployment: Deployment) -> None:
    dep = deployment
    dep.transitions({"node.create": 3, "endpoint.deploy": 3})

    text, node_id, name = _up_failing(dep, "nodes", "node", "node", "GPU host lost: uncorrectable ECC errors")
    assert f"node {name} (id {node_id}) failed" in text
    assert "GPU host lost: uncorrectable ECC errors" in text
    assert dep.counts()["nodes"] == 0  # deleted, not left failed

    text, endpoint_id, name = _up_failing(dep, "endpoints", "endpoint", "triton", "image pull failed: quota exceeded")
    assert f"endpoint {name} (id {endpoint_id}) failed" in text
    assert "image pull failed: quota exceeded" in text
    assert all(e["id"] != endpoint_id for e in dep.inventory()["endpoints"])

    dep.transitions("instant")
    dep.stack.up()
    assert dep.counts() == FULL_STACK
    assert all(e["status"] == "running" for e in dep.inventory()["endpoints"])
