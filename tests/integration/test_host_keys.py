"""The node's SSH host key, pinned on first use, through real `up` runs: after the node shows
another key (a rebuild, or another host on its address), both the upload and the remote
commands stop before sending anything; trusting the new fingerprint lets `up` go on."""
from __future__ import annotations

import pytest
from pulumi import automation as auto

from riva_tir.providers.host_keys import TRUST_KEY, fingerprint
from tests.integration.harness import Deployment
from riva_tir.emulator.riva_tools import make_riva_archive

pytestmark = [pytest.mark.engine, pytest.mark.emulator]


def test_a_changed_host_key_stops_upload_and_commands_until_trusted(deployment: Deployment) -> None:
    dep = deployment
    dep.stack.up()
    node_id = dep.outputs()["node_id"]
    pinned = next(r for r in dep.stack.export_stack().deployment["resources"]
                  if r["urn"].endswith("::riva-node"))["outputs"]["ssh_host_key"]
    presented = dep.control.rotate_host_key(node_id)
    disk = dep.emulator.state.machines.disk_path(node_id)
    before = sorted(str(p) for p in disk.rglob("*"))

    # Commands only (a new flag re-runs the conversion, no upload): the command plugin refuses.
    dep.set("riva-tir:model.pipeline.extra_flags.max_batch_size", "16")
    with pytest.raises(auto.CommandError) as refused:
        dep.stack.up()
    text = str(refused.value)
    assert "host key mismatch" in text and fingerprint(presented) in text and fingerprint(pinned) in text
    assert sorted(str(p) for p in disk.rglob("*")) == before

    # A new model (the upload first): the error names the node, both keys and the fix.
    make_riva_archive(dep.artifact, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 20, seed=5)
    with pytest.raises(auto.CommandError) as refused:
        dep.stack.up()
    text = str(refused.value)
    assert f"node {node_id}" in text and "nothing was sent" in text
    assert f"pulumi config set {TRUST_KEY} {fingerprint(presented)}" in text
    assert sorted(str(p) for p in disk.rglob("*")) == before

    # A fingerprint that is not the node's is refused too; the node's own one is pinned.
    dep.set("riva-tir:node.trustedHostKey", fingerprint(pinned))
    with pytest.raises(auto.CommandError, match="not the trusted"):
        dep.stack.up()
    dep.set("riva-tir:node.trustedHostKey", fingerprint(presented))
    dep.stack.up()
    dep.stack.preview(expect_no_changes=True)
    repinned = next(r for r in dep.stack.export_stack().deployment["resources"]
                    if r["urn"].endswith("::riva-node"))["outputs"]["ssh_host_key"]
    assert fingerprint(repinned) == fingerprint(presented)
    dep.stack.destroy()
