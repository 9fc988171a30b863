"""The deployment graph against the emulator with real `up`/`preview`/`refresh`/`destroy`."""
from __future__ import annotations

import tritonclient.grpc as triton

import pytest

from tests.integration.harness import Deployment, triton_index
from riva_tir.emulator.riva_tools import make_riva_archive

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

# As riva-deploy wrote them (the conversion lists its repository), in byte order.
MODELS = ["parakeet-0.6b-en-US-asr-streaming-asr-bls-ensemble",
          "parakeet-0.6b-en-US-asr-streaming-ctc-decoder-cpu-streaming",
          "riva-trt-parakeet-0.6b-en-US-asr-streaming-am-streaming"]


def _ops(summary: dict[str, int]) -> dict[str, int]:
    return {op: n for op, n in summary.items() if op != "same" and n}


def test_lifecycle(deployment: Deployment) -> None:
    dep = deployment
    up = dep.stack.up()
    assert up.summary.result == "succeeded"
    outputs = {k: v.value for k, v in up.outputs.items()}
    assert outputs["models"] == MODELS
    index = triton_index(outputs["triton_grpc"])
    assert {m["name"]: m["state"] for m in index["models"]} == dict.fromkeys(MODELS, "READY")
    inv = dep.inventory()
    assert (len(inv["nodes"]), len(inv["model_repositories"]), len(inv["endpoints"]), len(inv["ssh_keys"])) \
        == (1, 1, 2, 1)
    assert all(e["status"] == "running" for e in inv["endpoints"])
    _assert_nested_under_component(dep)
    _assert_no_plaintext_secrets(dep)

    # Converged: nothing to do.
    dep.stack.preview(expect_no_changes=True)

    # Replicas update in place: the endpoint's scale, and the estimate (docs/cost.md).
    dep.set("riva-tir:triton.replicas", 2)
    preview = dep.stack.preview()
    assert _ops(preview.change_summary) == {"update": 2}
    dep.stack.up()
    with dep.tir() as tir:
        assert tir.endpoints.get(outputs["triton_endpoint_id"]).replica == 2

    # Deleted behind Pulumi's back: refresh sees it, up recreates it.
    with dep.tir() as tir:
        tir.endpoints.delete(outputs["triton_endpoint_id"])
    refresh = dep.stack.refresh()
    assert refresh.summary.resource_changes.get("delete") == 2  # the endpoint and its scale
    again = dep.stack.up()
    assert again.summary.resource_changes.get("create") == 2
    assert not again.summary.resource_changes.get("replace")
    dep.stack.preview(expect_no_changes=True)

    # A new model: the artifact is replaced, conversion re-runs, endpoints roll in place.
    # The new revision is published to a location of its own while the old one serves;
    # Triton switches to it, then the old location and work folder go.
    first = _published(dep, outputs["repository_id"])
    make_riva_archive(dep.artifact, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 20, seed=7)
    preview = dep.stack.preview()
    changed = dep.stack.up()
    ops = _ops(changed.summary.resource_changes)
    assert ops == _ops(preview.change_summary)
    assert ops.get("replace") == 3  # the artifact (new content, new folder), build, publish
    assert ops.get("update", 0) >= 2  # triton (new location), riva api (new revision)
    assert "delete" not in ops and "create" not in ops
    inv = dep.inventory()
    assert [n["id"] for n in inv["nodes"]] == [outputs["node_id"]]
    second = _published(dep, outputs["repository_id"])
    assert len(first) == len(second) == 1 and first != second
    now = dep.outputs()
    triton_endpoint = next(e for e in dep.inventory()["endpoints"] if e["id"] == now["triton_endpoint_id"])
    assert triton_endpoint["path"] == second.pop()
    work = dep.emulator.state.machines.disk_path(outputs["node_id"]) / "riva-tir" / "conversions" / "riva-conversion"
    assert len(list(work.iterdir())) == 1  # the old revision's work folder is gone
    index = triton_index(now["triton_grpc"])
    assert {m["name"]: m["state"] for m in index["models"]} == dict.fromkeys(MODELS, "READY")

    dep.stack.destroy()
    inv = dep.inventory()
    assert not any(inv[kind] for kind in ("nodes", "model_repositories", "endpoints", "ssh_keys", "buckets"))


def test_stopped_node_after_conversion(deployment: Deployment) -> None:
    """`node.state: stopped` stops the GPU node once the model is converted; a new model
    wakes it, converts, and stops it again; destroy still cleans the node's disk steps."""
    dep = deployment
    dep.set("riva-tir:node.state", "stopped")
    outputs = {k: v.value for k, v in dep.stack.up().outputs.items()}
    with dep.tir() as tir:
        assert tir.nodes.get(outputs["node_id"]).status == "stopped"
    dep.stack.preview(expect_no_changes=True)

    make_riva_archive(dep.artifact, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 20, seed=3)
    preview = dep.stack.preview()
    changed = dep.stack.up()
    # The artifact, build and publish: the new revision converts on the woken node.
    assert _ops(changed.summary.resource_changes) == _ops(preview.change_summary)
    assert _ops(changed.summary.resource_changes).get("replace") == 3
    with dep.tir() as tir:
        assert tir.nodes.get(outputs["node_id"]).status == "stopped"
    dep.stack.preview(expect_no_changes=True)

    dep.stack.destroy()
    assert not any(dep.inventory()[k] for k in ("nodes", "model_repositories", "endpoints", "buckets"))


def _published(dep: Deployment, repository_id: int) -> set[str]:
    """The revision locations under the repository's prefix (riva-models/<revision>-<id>)."""
    with dep.tir() as tir:
        names = [o.name for o in tir.model_repositories.list_objects(repository_id, "riva-models/")]
    return {"/".join(name.split("/")[:2]) for name in names}


def _assert_nested_under_component(dep: Deployment) -> None:
    """Every resource of the graph is a child of RivaDeployment (or of its RivaConversion)."""
    resources = dep.stack.export_stack().deployment["resources"]
    by_type = {r["type"]: r["urn"] for r in resources}
    component = by_type["riva-tir:riva:RivaDeployment"]
    conversion = by_type["riva-tir:riva:RivaConversion"]
    for r in resources:
        if r["type"].startswith(("pulumi-python:dynamic/tir:", "riva-tir:riva:RivaConversion")):
            assert r.get("parent") == component, r["urn"]
        elif r["type"] == "command:remote:Command":
            assert r.get("parent") == conversion, r["urn"]


def _assert_no_plaintext_secrets(dep: Deployment) -> None:
    """The state holds the TIR key and token, the bucket secret, the model key and the SSH
    private key only encrypted."""
    import json

    from riva_tir.emulator import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN

    with dep.tir() as tir:
        repo = tir.model_repositories.list_all()[0]
    assert repo.credentials is not None and repo.credentials.secret_key is not None
    # The state file itself (the Automation API's export_stack shows secrets decrypted).
    state_file = dep.tmp / "state" / ".pulumi" / "stacks" / "riva-tir" / "it.json"
    deployment = json.loads(state_file.read_text())["checkpoint"]["latest"]
    state = json.dumps(deployment)
    for secret in (DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN, repo.credentials.secret_key.get_secret_value(),
                   "tlt_encode", "PRIVATE KEY"):
        assert secret not in state, [(r["urn"], k) for r in deployment["resources"]
                                     for part in ("inputs", "outputs") for k, v in (r.get(part) or {}).items()
                                     if secret in json.dumps(v)]
    assert "ciphertext" in state
