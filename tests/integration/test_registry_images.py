"""Images TIR can pull (docs/tir.md §8.2): the node and both endpoints from E2E's container
registry; a node moves between registry images in place; a public nvcr.io image is warned
about at preview and fails the `up` naming the pull."""
from __future__ import annotations

import pytest
from pulumi import automation as auto

from tests.day2.changes import _ops
from tests.integration.harness import Deployment, triton_index

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

NODE_IMAGE = "registry.e2enetworks.net/riva-tir/riva-speech:2.19.0"


def test_registry_images_for_the_node_and_endpoints(deployment: Deployment) -> None:
    dep = deployment
    dep.set("riva-tir:node.image", NODE_IMAGE)
    dep.set("riva-tir:node.registryNamespaceId", 7)
    out = {k: v.value for k, v in dep.stack.up().outputs.items()}
    inv = dep.inventory()
    (node,) = inv["nodes"]
    assert node["image_type"] == "custom" and node["image_details"]["name"] == NODE_IMAGE
    for endpoint in inv["endpoints"]:
        container = endpoint["custom_endpoint_details"]["container"]
        assert container["container_type"] == "private", endpoint["name"]
        assert container["private_image_details"] == {"registry_namespace_id": 1}
        assert container["container_name"].startswith("registry.e2enetworks.net/")
    assert {m["state"] for m in triton_index(out["triton_grpc"])["models"]} == {"READY"}

    # Another tag: the node changes image in place (its disk kept), nothing else is replaced.
    dep.set("riva-tir:node.image", NODE_IMAGE.replace("2.19.0", "2.19.1"))
    previewed: list[auto.EngineEvent] = []
    dep.stack.preview(on_event=previewed.append)
    applied: list[auto.EngineEvent] = []
    dep.stack.up(on_event=applied.append)
    ops = _ops(applied)
    assert ops == _ops(previewed)
    assert ops["riva-node"] == "update" and ops.get("riva-triton") in (None, "update")
    (node,) = dep.inventory()["nodes"]
    assert node["id"] == out["node_id"] and node["image_details"]["name"].endswith(":2.19.1")
    dep.stack.preview(expect_no_changes=True)


def test_a_public_nvcr_image_is_warned_about_and_fails_naming_the_pull(deployment: Deployment) -> None:
    dep = deployment
    dep.stack.remove_config("riva-tir:rivaApi.registryNamespaceId", path=True)
    dep.set("riva-tir:rivaApi.image", "nvcr.io/nvidia/riva/riva-speech:2.19.0")
    preview = dep.stack.preview()
    assert "riva-tir:rivaApi.image: nvcr.io/nvidia/riva/riva-speech:2.19.0 is pulled as a public image" \
        in preview.stdout
    with pytest.raises(auto.CommandError) as failed:
        dep.stack.up()
    assert 'failed to pull image "nvcr.io/nvidia/riva/riva-speech:2.19.0": unauthorized' in str(failed.value)
