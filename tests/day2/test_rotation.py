"""Rotating the node's SSH key pair in one `up`: the new key is added (to the account, then
the node) before the old one goes, nothing converts again, the endpoints keep serving, and
only the new key logs in afterwards. Also on a stopped node, which is not woken for it."""
from __future__ import annotations

import asyncio
import threading
from typing import Any

import asyncssh
import pytest
from pulumi import automation as auto

from tests.day2.changes import _ops
from tests.integration.harness import KINDS, Deployment, triton_index

pytestmark = [pytest.mark.engine, pytest.mark.emulator]


def _use_key(dep: Deployment) -> asyncssh.SSHKey:
    key = asyncssh.generate_private_key("ssh-ed25519", comment="ops@example")
    dep.set("riva-tir:node.sshPublicKey", key.export_public_key().decode().strip())
    dep.stack.set_config("riva-tir:sshPrivateKey", auto.ConfigValue(key.export_private_key().decode(), secret=True))
    return key


def _logs_in(dep: Deployment, key: asyncssh.SSHKey) -> bool:
    out = dep.outputs()
    node = next(n for n in dep.inventory()["nodes"] if n["id"] == out["node_id"])

    async def attempt() -> bool:
        try:
            async with asyncssh.connect("127.0.0.1", node["ssh_port"], username=node["ssh_user"],
                                        client_keys=[key], known_hosts=None, agent_path=None):
                return True
        except asyncssh.PermissionDenied:
            return False
    return asyncio.run(attempt())


def _models_ready(target: dict[str, Any]) -> bool:
    try:
        index = triton_index(target)
    except Exception:  # noqa: BLE001 - any failure to answer is downtime
        return False
    return bool(index.get("models")) and all(m.get("state") == "READY" for m in index["models"])


def _preview_then_up_watching(dep: Deployment, target: dict[str, Any]) -> tuple[dict[str, str], list[bool]]:
    """`preview`, then `up` while Triton is polled through the ingress every 50 ms: the
    operations `up` did (asserted equal to the preview's) and whether each poll was served."""
    previewed: list[auto.EngineEvent] = []
    dep.stack.preview(on_event=previewed.append)
    applied: list[auto.EngineEvent] = []
    serving: list[bool] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            serving.append(_models_ready(target))
            done.wait(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        dep.stack.up(on_event=applied.append)
    finally:
        done.set()
        watcher.join()
    ops = _ops(applied)
    assert ops == _ops(previewed)
    return ops, serving


def test_key_rotation_in_one_up_without_downtime(deployment: Deployment) -> None:
    dep = deployment
    old = _use_key(dep)
    dep.stack.up()
    assert _logs_in(dep, old)
    address = dep.outputs()["triton_grpc"]

    new = _use_key(dep)
    ops, serving = _preview_then_up_watching(dep, address)
    # A new account key (a new label: added before the old goes), the node's keys in place,
    # the steps that connect to the node record the new key; nothing converts or redeploys.
    assert ops == {"riva-ssh-key": "replace", "riva-node": "update", "riva-artifact": "update",
                   "riva-conversion-build": "update", "riva-conversion-publish": "update"}
    assert serving and all(serving), f"Triton was not serving in {serving.count(False)} of {len(serving)} polls"
    assert _logs_in(dep, new) and not _logs_in(dep, old)
    with dep.tir() as tir:
        assert [k.ssh_key.split()[:2] for k in tir.ssh_keys.list()] == [
            new.export_public_key().decode().split()[:2]]
    dep.stack.preview(expect_no_changes=True)
    dep.stack.destroy()
    assert dep.counts() == dict.fromkeys(KINDS, 0)


def test_rotation_on_a_stopped_node_then_a_new_model_converts_with_the_new_key(
        deployment: Deployment) -> None:
    from riva_tir.emulator.riva_tools import make_riva_archive

    dep = deployment
    _use_key(dep)
    dep.set("riva-tir:node.state", "stopped")
    out = {k: v.value for k, v in dep.stack.up().outputs.items()}
    new = _use_key(dep)
    dep.stack.up()
    with dep.tir() as tir:
        assert tir.nodes.get(out["node_id"]).status == "stopped"  # not woken for a key change
    make_riva_archive(dep.artifact, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 20, seed=11)
    dep.stack.up()  # wakes the node and converts over SSH with the new key
    with dep.tir() as tir:
        assert tir.nodes.get(out["node_id"]).status == "stopped"
    dep.set("riva-tir:node.state", "running")
    dep.stack.up()
    assert _logs_in(dep, new)
    dep.stack.destroy()
    assert dep.counts() == dict.fromkeys(KINDS, 0)


def test_bucket_key_rotation_in_one_up_without_downtime(deployment: Deployment) -> None:
    """The team's own EOS bucket (`e2e_s3`) gets a new key pair: a new model repository is
    registered with it before the old one goes (TIR cannot change a repository's keys),
    Triton switches to it while serving, and the old keys can be revoked afterwards."""
    dep = deployment
    objectstore = dep.emulator.state.objectstore
    bucket = "team-riva-models"
    objectstore.create_bucket(bucket)

    def use_keys(access: str, secret: str) -> None:
        dep.set("riva-tir:repository.accessKey", access)
        dep.stack.set_config("riva-tir:repositorySecretKey", auto.ConfigValue(secret, secret=True))

    dep.set("riva-tir:repository.storageType", "e2e_s3")
    dep.set("riva-tir:repository.bucketName", bucket)
    old_access, old_secret = objectstore.add_key(bucket)
    use_keys(old_access, old_secret)
    dep.stack.up()
    address = dep.outputs()["triton_grpc"]
    with dep.tir() as tir:
        (old_repo,) = tir.model_repositories.list_all()

    use_keys(*objectstore.add_key(bucket))
    ops, serving = _preview_then_up_watching(dep, address)
    # A new repository under the key's name; the models published into it again (the
    # node woken for that and stopped as before; the publish step takes the new repository's
    # bucket keys through its record) and Triton switched to it in place.
    assert ops == {"riva-repository": "replace", "riva-repository-content": "replace",
                   "riva-publish-target": "update", "riva-conversion-publish": "replace",
                   "riva-node-wake": "update", "riva-node-power": "update", "riva-triton": "update"}
    assert serving and all(serving), f"Triton was not serving in {serving.count(False)} of {len(serving)} polls"
    with dep.tir() as tir:
        (new_repo,) = tir.model_repositories.list_all()
        assert new_repo.id != old_repo.id
        triton_endpoint = tir.endpoints.get(dep.outputs()["triton_endpoint_id"])
        assert triton_endpoint.model_id == new_repo.id
    objectstore.remove_key(old_access)
    dep.stack.preview(expect_no_changes=True)
    assert _models_ready(dep.outputs()["triton_grpc"])
    dep.stack.destroy()
    assert dep.counts() == {**dict.fromkeys(KINDS, 0), "buckets": 1}  # the team's bucket stays
