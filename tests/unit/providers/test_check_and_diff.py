"""Providers' `check` and `diff` called directly: the update-vs-replace table a PR preview
shows, and input errors that name the field. What only TIR can tell at `check` (access,
catalog) is tested in test_check_catalog.py; here it answers nothing."""
from __future__ import annotations

from typing import Any

import pytest

from riva_tir.providers.artifact import ModelArtifactProvider
from riva_tir.providers.base import UNKNOWN, TirProvider
from riva_tir.providers.endpoint import EndpointProvider
from riva_tir.providers.model_repository import ModelRepositoryProvider
from riva_tir.providers.node import NodeProvider
from riva_tir.providers.scale import EndpointScaleProvider

TIR = {"tir": {"api_root": "https://tir.example/api/", "project_id": 7},
       "credentials": {"api_key": "k", "auth_token": "t"}}
NODE = {**TIR, "name": "rt-x-node", "plan": "GPU-L4-8-48GB-1", "image_version": "2.19.0",
        "disk_size_gb": 100, "public_keys": ["ssh-ed25519 AAAA k"], "ready_timeout": 60}
ENDPOINT = {**TIR, "name": "rt-x-triton", "framework": "custom", "plan": "GPU-L4-8-48GB-1", "model_id": 2001,
            "path": "riva-models", "replicas": 1, "autoscaling": None,
            "container": {"container": {"container_name": "nvcr.io/nvidia/riva/riva-speech:2.19.0"}},
            "command": ["tritonserver"], "args": ["--model-repository=/mnt/models"], "revision": "r1",
            "ready_timeout": 60}
SCALE = {**TIR, "endpoint_id": 4001, "replicas": 1, "autoscaling": None, "state": "running", "ready_timeout": 60}
REPO = {**TIR, "name": "rt-x-repo", "storage_type": "managed", "bucket_name": "", "ready_timeout": 60}
ARTIFACT = {"node_id": 1001, "ssh_host": "h", "ssh_port": 22, "ssh_user": "root", "ssh_private_key": "K", "ssh_host_key": "ssh-ed25519 AAAAhost",
            "source": {"url": "https://example.com/m.riva"}, "sha256": None, "ngc_api_key": None}


@pytest.fixture(autouse=True)
def tir_answers_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TirProvider, "_api_errors", lambda self, inputs, catalog: [])


def _diff(provider: Any, olds: dict[str, Any], **changes: Any) -> tuple[bool, list[str]]:
    result = provider.diff("1", olds, {**olds, **changes})
    return bool(result.changes), sorted(result.replaces or [])


@pytest.mark.parametrize(("provider", "olds", "change", "expected"), [
    (NodeProvider(), NODE, {"plan": "GPU-A100-16-115GB-1"}, (True, [])),
    (NodeProvider(), NODE, {"public_keys": ["ssh-ed25519 BBBB k2"]}, (True, [])),
    (NodeProvider(), NODE, {"credentials": {"api_key": "k2", "auth_token": "t"}}, (True, [])),
    (NodeProvider(), NODE, {"image_version": "2.17.0"}, (True, [])),  # image_update, in place
    (NodeProvider(), NODE, {"disk_size_gb": 200}, (True, [])),  # pvc/upgrade, in place
    (NodeProvider(), NODE, {"trusted_host_key": "SHA256:" + "A" * 43}, (True, [])),
    (NodeProvider(), NODE, {"name": "rt-y-node"}, (True, ["name"])),
    (NodeProvider(), NODE, {"tir": {**TIR["tir"], "project_id": 8}}, (True, ["tir"])),
    (NodeProvider(), NODE, {"plan": UNKNOWN}, (True, [])),
    (NodeProvider(), NODE, {"image_version": UNKNOWN}, (True, [])),
    # How riva-tir talks to TIR is no identity: only the project and region are.
    (NodeProvider(), NODE, {"tir": {**TIR["tir"], "api_root": "https://tir.example/api"}}, (True, [])),
    (NodeProvider(), NODE, {"tir": {**TIR["tir"], "url_style": "team-scoped", "team_id": 3}}, (True, [])),
    (NodeProvider(), NODE, {"tir": {**TIR["tir"], "location": "Chennai"}}, (True, ["tir"])),
    (NodeProvider(), NODE, {"retries": {"max_retries": 9}}, (False, [])),
    (NodeProvider(), NODE, {"ready_timeout": 99}, (True, [])),
    (NodeProvider(), NODE, {"node_id": 99, "ssh_host": "other"}, (False, [])),  # computed outputs
    (EndpointProvider(), ENDPOINT, {"replicas": 3}, (False, [])),  # EndpointScale's job
    (EndpointProvider(), ENDPOINT, {"autoscaling": {"min_replicas": 1, "max_replicas": 2}}, (False, [])),
    (EndpointProvider(), ENDPOINT, {"revision": "r2"}, (True, [])),
    (EndpointProvider(), ENDPOINT, {"args": ["--model-repository=/models"]}, (True, [])),
    (EndpointProvider(), ENDPOINT, {"plan": "GPU-A100-16-115GB-1"}, (True, [])),
    (EndpointProvider(), ENDPOINT, {"framework": "triton"}, (True, ["framework"])),
    (EndpointProvider(), ENDPOINT, {"name": "rt-y-triton"}, (True, ["name"])),
    (EndpointScaleProvider(), SCALE, {"replicas": 2}, (True, [])),
    (EndpointScaleProvider(), SCALE, {"state": "stopped"}, (True, [])),
    (EndpointScaleProvider(), SCALE, {"endpoint_id": 4009}, (True, ["endpoint_id"])),
    (ModelRepositoryProvider(), REPO, {"storage_type": "e2e_s3", "bucket_name": "b"},
     (True, ["bucket_name", "storage_type"])),
    (ModelRepositoryProvider(), REPO, {"credentials": {"api_key": "k2", "auth_token": "t"}}, (True, [])),
    (ModelArtifactProvider(), ARTIFACT, {"source": {"url": "https://example.com/n.riva"}}, (True, ["source"])),
    (ModelArtifactProvider(), ARTIFACT, {"ssh_host": "h2", "ssh_port": 2222}, (True, [])),
    (ModelArtifactProvider(), ARTIFACT, {"node_id": 1002}, (True, ["node_id"])),
    (ModelArtifactProvider(), ARTIFACT, {"remote_path": "/elsewhere"}, (False, [])),
])
def test_update_or_replace(provider: Any, olds: dict[str, Any], change: dict[str, Any],
                           expected: tuple[bool, list[str]]) -> None:
    assert _diff(provider, olds, **change) == expected


def test_nothing_changed_is_no_diff() -> None:
    for provider, olds in ((NodeProvider(), NODE), (EndpointProvider(), ENDPOINT), (ModelRepositoryProvider(), REPO),
                           (EndpointScaleProvider(), SCALE), (ModelArtifactProvider(), ARTIFACT)):
        assert _diff(provider, olds) == (False, [])


def test_a_replacement_under_the_same_name_deletes_first() -> None:
    """TIR names are deterministic: the old resource must go before the new one takes its
    name; under a new name (a rotated SSH key's label) the new one is created first."""
    assert NodeProvider().diff("1", NODE, {**NODE, "name": "rt-y-node"}).delete_before_replace is False
    moved = NodeProvider().diff("1", NODE, {**NODE, "tir": {**TIR["tir"], "project_id": 8}})
    assert moved.replaces == ["tir"] and moved.delete_before_replace is True
    from riva_tir.providers.ssh_key import SshKeyProvider
    key = {**TIR, "label": "rt-x-node-aaaa", "public_key": "ssh-ed25519 AAAA k"}
    rotated = SshKeyProvider().diff("1", key, {**key, "label": "rt-x-node-bbbb", "public_key": "ssh-ed25519 BBBB k"})
    assert sorted(rotated.replaces or []) == ["label", "public_key"] and rotated.delete_before_replace is False


def test_a_node_disk_never_shrinks() -> None:
    failures = {f.property: f.reason for f in NodeProvider().check(NODE, {**NODE, "disk_size_gb": 50}).failures}
    assert "riva-tir:node.diskSizeGb to 100 or more" in failures["disk_size_gb"]


def _failures(provider: Any, news: dict[str, Any]) -> dict[str, str]:
    return {f.property: f.reason for f in provider.check({}, news).failures}


@pytest.mark.parametrize(("provider", "news", "field", "words"), [
    (NodeProvider(), {**NODE, "disk_size_gb": 10}, "disk_size_gb", "greater than or equal to 30"),
    (NodeProvider(), {**NODE, "name": "Bad_Name"}, "name", "lowercase"),
    (NodeProvider(), {**NODE, "public_keys": []}, "public_keys", "at least 1"),
    (NodeProvider(), {k: v for k, v in NODE.items() if k != "plan"}, "plan", "required"),
    (NodeProvider(), {**NODE, "dsik_size_gb": 100}, "dsik_size_gb", "not permitted"),
    (EndpointProvider(), {**ENDPOINT, "autoscaling": {"min_replicas": 3, "max_replicas": 2}},
     "autoscaling.max_replicas", ">= min_replicas"),
    (EndpointProvider(), {**ENDPOINT, "framework": "triton", "model_id": None}, "model_id", "required"),
    (EndpointProvider(), {**ENDPOINT, "framework": "custom", "container": None}, "container", "required"),
    (EndpointScaleProvider(), {**SCALE, "replicas": -1}, "replicas", "greater than or equal to 0"),
    (ModelRepositoryProvider(), {**REPO, "storage_type": "external", "bucket_name": "b"}, "access_key", "required"),
    (ModelArtifactProvider(), {**ARTIFACT, "source": {"file": "/nonexistent/m.riva"}, "sha256": "a" * 64},
     "source", "does not exist"),
    (ModelArtifactProvider(), {**ARTIFACT, "source": {"ngc": "not a ref"}}, "source.ngc", "pattern"),
])
def test_check_names_the_field(provider: Any, news: dict[str, Any], field: str, words: str) -> None:
    failures = _failures(provider, news)
    assert field in failures, failures
    assert words in failures[field]
    assert "k" != failures[field] and "t" != failures[field]


def test_check_skips_values_known_only_after_apply() -> None:
    assert _failures(NodeProvider(), {**NODE, "public_keys": UNKNOWN}) == {}
    assert _failures(EndpointProvider(), {**ENDPOINT, "model_id": UNKNOWN, "framework": "triton"}) == {}
    assert _failures(ModelArtifactProvider(), {**ARTIFACT, "ssh_host": UNKNOWN}) == {}


def test_check_fills_defaults() -> None:
    inputs = NodeProvider().check({}, {k: v for k, v in NODE.items() if k not in ("image_version", "ready_timeout")})
    assert inputs.inputs["image_version"] == "2.19.0" and inputs.inputs["ready_timeout"] == 1800


@pytest.mark.parametrize(("provider", "good", "bad"), [
    (NodeProvider(), NODE, {**NODE, "disk_size_gb": 10}),
    (EndpointProvider(), ENDPOINT, {**ENDPOINT, "autoscaling": {"min_replicas": 3, "max_replicas": 2}}),
    (ModelArtifactProvider(), ARTIFACT, {**ARTIFACT, "source": {"ngc": "not a ref"}}),
])
def test_inputs_the_resource_was_applied_with_are_not_validated_again(provider: Any, good: dict[str, Any],
                                                                       bad: dict[str, Any]) -> None:
    """They passed this check when they were applied; a no-op preview does not build the
    validators again (docs/performance.md). Any change is validated in full."""
    assert provider.check(bad, dict(bad)).failures == []
    assert provider.check(good, bad).failures != []
    assert provider.check({}, bad).failures != []
