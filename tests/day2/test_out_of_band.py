"""Resources deleted in the TIR dashboard, behind Pulumi's back: `refresh` reports each one
gone, `up` brings the stack back (no `pulumi state` surgery), and `destroy` then leaves
nothing behind. Also `destroy` straight after the deletion, without a refresh first."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.harness import KINDS, Deployment, triton_index
from riva_tir.tir import TirClient

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

MODELS_READY = {"parakeet-0.6b-en-US-asr-streaming-asr-bls-ensemble": "READY",
                "riva-trt-parakeet-0.6b-en-US-asr-streaming-am-streaming": "READY",
                "parakeet-0.6b-en-US-asr-streaming-ctc-decoder-cpu-streaming": "READY"}


def _delete_node(tir: TirClient, out: dict[str, Any]) -> None:
    tir.nodes.delete(out["node_id"])
    tir.nodes.wait_deleted(out["node_id"])


def _delete_repository(tir: TirClient, out: dict[str, Any]) -> None:
    tir.model_repositories.delete(out["repository_id"])


def _delete_account_key(tir: TirClient, _out: dict[str, Any]) -> None:
    for key in tir.ssh_keys.list():
        tir.ssh_keys.delete(key.id)


def _delete_riva_api(tir: TirClient, out: dict[str, Any]) -> None:
    tir.endpoints.delete(out["riva_endpoint_id"])


# kind deleted -> (how, resources `refresh` must report deleted)
DELETIONS: dict[str, tuple[Callable[[TirClient, dict[str, Any]], None], set[str]]] = {
    "node": (_delete_node, {"riva-node", "riva-node-wake", "riva-node-power"}),
    "repository": (_delete_repository, {"riva-repository", "riva-repository-content"}),
    "account-ssh-key": (_delete_account_key, {"riva-ssh-key"}),
    "riva-api-endpoint": (_delete_riva_api, {"riva-riva-api", "riva-riva-api-scale"}),
}


def _in_state(dep: Deployment) -> set[str]:
    return {r["urn"].rsplit("::", 1)[-1] for r in dep.stack.export_stack().deployment.get("resources", [])}


def _refresh_deletes(dep: Deployment) -> set[str]:
    """The resources a `refresh` found gone (and so dropped from the state)."""
    before = _in_state(dep)
    dep.stack.refresh()
    return before - _in_state(dep)


def test_deleted_in_the_dashboard_refresh_up_destroy(deployment: Deployment) -> None:
    """Each kind in turn on one stack (a deployment each would cost an `up` and a `destroy`
    more per kind): the deletion, a refresh that reports it, an `up` that restores it."""
    dep = deployment
    dep.stack.up()
    for kind, (how, gone) in sorted(DELETIONS.items()):
        with dep.tir() as tir:
            how(tir, dep.outputs())
        found = _refresh_deletes(dep)
        assert gone <= found, (kind, found)
        dep.stack.up()
        dep.stack.preview(expect_no_changes=True)
        index = triton_index(dep.outputs()["triton_grpc"])
        assert {m["name"]: m["state"] for m in index["models"]} == MODELS_READY, kind
        assert dep.counts() == {"nodes": 1, "model_repositories": 1, "endpoints": 2, "ssh_keys": 1,
                                "buckets": 1}, kind

    dep.stack.destroy()
    assert dep.counts() == dict.fromkeys(KINDS, 0)


@pytest.mark.parametrize("kind", ["node", "repository"])
def test_destroy_right_after_a_dashboard_deletion(deployment: Deployment, kind: str) -> None:
    """No refresh first: the steps that clean up on the node or in the bucket find them
    gone and succeed, so destroy finishes."""
    dep = deployment
    out = {k: v.value for k, v in dep.stack.up().outputs.items()}
    with dep.tir() as tir:
        DELETIONS[kind][0](tir, out)
    dep.stack.destroy()
    assert dep.counts() == dict.fromkeys(KINDS, 0)
    assert dep.stack.export_stack().deployment.get("resources") in (None, [])
