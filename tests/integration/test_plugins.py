"""A model whose engine needs a TensorRT plugin, through a real `up` against the emulator:
the plugin is published beside the models and preloaded on Triton (docs/riva.md §6)."""
from __future__ import annotations

import pytest

from tests.integration.harness import Deployment, triton_index
from riva_tir.emulator.riva_tools import make_riva_archive

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

PLUGIN = "libriva_asr_plugin.so"
ACOUSTIC = "riva-trt-parakeet-0.6b-en-US-asr-streaming-am-streaming"


def test_a_model_that_needs_a_plugin_is_served_ready(deployment: Deployment) -> None:
    dep = deployment
    make_riva_archive(dep.artifact, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 20,
                      trt_plugins=(PLUGIN,))
    dep.stack.preview()  # a fresh stack: the plugins are not known yet, and that is fine
    up = dep.stack.up()
    assert up.summary.result == "succeeded"
    outputs = dep.outputs()
    assert ACOUSTIC in outputs["models"] and PLUGIN not in outputs["models"]
    # Triton serves every model READY through the ingress: the engine's plugin was loaded.
    index = triton_index(outputs["triton_grpc"])
    assert {m["name"]: m["state"] for m in index["models"]} == dict.fromkeys(outputs["models"], "READY")

    # Published as a plain file at the root of the location Triton mounts, and preloaded from there.
    triton = next(e for e in dep.inventory()["endpoints"] if e["id"] == outputs["triton_endpoint_id"])
    with dep.tir() as tir:
        names = {o.name for o in tir.model_repositories.list_objects(outputs["repository_id"], triton["path"])}
    assert f"{triton['path'].rstrip('/')}/{PLUGIN}" in names
    env = triton["custom_endpoint_details"]["resource_details"]["env_variables"]
    assert [(v["key"], v["value"]) for v in env] == [("LD_PRELOAD", f"/mnt/models/{PLUGIN}")]
    riva = next(e for e in dep.inventory()["endpoints"] if e["id"] == outputs["riva_endpoint_id"])
    assert riva["custom_endpoint_details"]["resource_details"]["env_variables"] == []

    dep.stack.preview(expect_no_changes=True)
