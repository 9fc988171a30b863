"""The records of a node's SSH access and of where the conversions publish
(riva_tir/providers/record.py) called directly: which access outputs a node update may
change (the one rule the node's preview and the record's `check` share), what a record
keeps while its upstream is being updated, and that it updates, never is replaced."""
from __future__ import annotations

from typing import Any

import pytest

from riva_tir.providers.base import UNKNOWN, is_unknown
from riva_tir.providers.model_repository import MISSING, PublishTargetProvider, RepositoryContentProvider
from riva_tir.providers.node import (ACCESS, NodeAccessProvider, NodeProvider, access_settings, named_access,
                                     unsettled_access)

FIELDS = {"host": "public_ip", "port": "ssh_port", "user": "ssh_user"}
SETTINGS = {"image_version": "2.19.0", "image_version_id": None, "registry_image": None,
            "registry_namespace_id": None, "ssh_fields": FIELDS, "trusted_host_key": None, "login_user": None}
VALUES = {"ssh_host": "203.0.113.7", "ssh_port": 2201, "ssh_user": "ubuntu", "ssh_host_key": "ssh-ed25519 AAAAhost"}
RECORD = {"node_id": 1001, **SETTINGS, **VALUES}
TRUSTED = "SHA256:" + "A" * 43
REGISTRY = {"registry_image": "registry.e2enetworks.net/t/riva:2.19.0", "registry_namespace_id": 1}

# (settings before, settings after, the access outputs the node update may change)
CASES = [
    ({}, {}, set()),
    ({}, {"image_version": "2.17.0"}, {"ssh_host", "ssh_port", "ssh_host_key"}),
    (REGISTRY, {**REGISTRY, "registry_image": "registry.e2enetworks.net/t/riva:2.19.1"},
     {"ssh_host", "ssh_port", "ssh_host_key"}),
    # A registry image keeps its tag: the catalog version it no longer reads is no change.
    (REGISTRY, {**REGISTRY, "image_version": "2.17.0"}, set()),
    ({}, {"ssh_fields": {**FIELDS, "host": "ssh_host"}}, {"ssh_host", "ssh_port", "ssh_user"}),
    ({}, {"ssh_fields": {**FIELDS, "host": "ssh_host"}, "login_user": "root"}, {"ssh_host", "ssh_port"}),
    ({}, {"login_user": "root"}, set()),  # the named user is known (named_access)
    ({"login_user": "root"}, {}, {"ssh_user"}),  # back to what the node record says
    ({}, {"trusted_host_key": TRUSTED}, {"ssh_host_key"}),  # pinned again
    ({"trusted_host_key": TRUSTED}, {}, set()),  # the pin stays
    ({}, {"image_version": UNKNOWN}, {"ssh_host", "ssh_port", "ssh_host_key"}),
]
IDS = ["nothing", "catalog image", "registry tag", "catalog version of a registry image", "ssh fields",
       "ssh fields, user named", "user named", "user no longer named", "trusted key", "trust removed",
       "image unknown"]


@pytest.mark.parametrize(("before", "after", "may_change"), CASES, ids=IDS)
def test_which_access_outputs_a_node_update_may_change(before: dict[str, Any], after: dict[str, Any],
                                                       may_change: set[str]) -> None:
    assert unsettled_access({**SETTINGS, **before}, {**SETTINGS, **after}) == may_change


def _node(settings: dict[str, Any]) -> dict[str, Any]:
    """A node's inputs and outputs with these access settings (`ssh_fields` in `tir`)."""
    own = {k: v for k, v in settings.items() if k != "ssh_fields"}
    return {"tir": {"api_root": "https://tir.example/api/", "project_id": 7, "ssh_fields": settings["ssh_fields"]},
            "name": "rt-x-node", "plan": "GPU-L4-8-48GB-1", "disk_size_gb": 100, **own,
            "node_id": 1001, "status": "running", **VALUES}


@pytest.mark.parametrize(("before", "after", "may_change"), CASES, ids=IDS)
def test_the_node_previews_its_access_by_the_same_rule(before: dict[str, Any], after: dict[str, Any],
                                                       may_change: set[str]) -> None:
    olds, news = _node({**SETTINGS, **before}), _node({**SETTINGS, **after})
    assert access_settings(news) == {**SETTINGS, **after}
    preview = NodeProvider().preview_update("1001", olds, news)
    assert {k for k in ACCESS if is_unknown(preview.get(k))} == may_change
    assert {k: preview[k] for k in ACCESS if k in preview and not is_unknown(preview[k])} == named_access(news)


def _checked(provider: Any, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check(olds, news)
    assert not result.failures
    return dict(result.inputs)


UPDATING = dict.fromkeys(ACCESS, UNKNOWN)  # the node's outputs under the SDK's host, while it updates


def test_a_record_keeps_what_the_node_update_keeps() -> None:
    assert _checked(NodeAccessProvider(), RECORD, {**RECORD, **UPDATING}) == RECORD


def test_a_record_leaves_unknown_what_the_node_update_may_change() -> None:
    news = {**RECORD, **UPDATING, "image_version": "2.17.0"}
    checked = _checked(NodeAccessProvider(), RECORD, news)
    assert {k for k in ACCESS if is_unknown(checked[k])} == {"ssh_host", "ssh_port", "ssh_host_key"}
    assert checked["ssh_user"] == "ubuntu"


def test_a_record_takes_the_login_user_the_stack_names() -> None:
    checked = _checked(NodeAccessProvider(), RECORD, {**RECORD, **UPDATING, "login_user": "root"})
    assert checked == {**RECORD, "login_user": "root", "ssh_user": "root"}


@pytest.mark.parametrize("node_id", [1002, UNKNOWN], ids=["another node", "a node not made yet"])
def test_a_record_of_another_node_keeps_nothing(node_id: Any) -> None:
    checked = _checked(NodeAccessProvider(), RECORD, {**RECORD, **UPDATING, "node_id": node_id})
    assert all(is_unknown(checked[k]) for k in ACCESS)


def test_known_values_pass_as_they_are() -> None:
    """What `up` hands over (everything known) is recorded, whatever the rule assumed."""
    moved = {**RECORD, "ssh_host": "198.51.100.9", "ssh_port": 2202}
    assert _checked(NodeAccessProvider(), RECORD, moved) == moved


@pytest.mark.parametrize(("change", "expected"), [
    ({}, (False, [])),
    ({"ssh_host": "198.51.100.9"}, (True, [])),
    ({"ssh_host_key": UNKNOWN}, (True, [])),
    ({"login_user": "root"}, (True, [])),  # the settings it records
    # Another node: unknown in a preview, known in `up`; an update in both.
    ({"node_id": 1002}, (True, [])),
    ({"node_id": UNKNOWN}, (True, [])),
])
def test_a_record_updates_and_is_never_replaced(change: dict[str, Any], expected: tuple[bool, list[str]]) -> None:
    result = NodeAccessProvider().diff("1001", RECORD, {**RECORD, **change})
    assert (bool(result.changes), sorted(result.replaces or [])) == expected


def test_a_record_calls_nothing_and_echoes_its_inputs() -> None:
    provider = NodeAccessProvider()
    made = provider.create({**RECORD, "__provider": "pickled"})
    assert made.id == "1001" and made.outs == RECORD
    assert provider.update("1001", RECORD, {**RECORD, "ssh_port": 2202}).outs == {**RECORD, "ssh_port": 2202}


TARGET = {"repository_id": 2001, "bucket": "tir-model-2001", "bucket_endpoint": "objectstore.e2enetworks.net",
          "bucket_access_key": "AK", "bucket_secret_key": "SK", "content_id": 2001, "marker": "m1"}
BUCKET = ("bucket", "bucket_endpoint", "bucket_access_key", "bucket_secret_key")


def test_the_publish_target_keeps_what_each_upstream_keeps() -> None:
    """The repository and its content updated in place (a new API root) keep the bucket and
    the marker; a replaced content (models found gone) is a new marker, the bucket kept."""
    updating = {**TARGET, **dict.fromkeys((*BUCKET, "marker"), UNKNOWN)}
    assert _checked(PublishTargetProvider(), TARGET, updating) == TARGET
    content_replaced = _checked(PublishTargetProvider(), TARGET, {**updating, "content_id": UNKNOWN})
    assert is_unknown(content_replaced["marker"]) and {k: content_replaced[k] for k in BUCKET} == {
        k: TARGET[k] for k in BUCKET}
    replaced = _checked(PublishTargetProvider(), TARGET, {**updating, "repository_id": UNKNOWN, "content_id": UNKNOWN})
    assert all(is_unknown(replaced[k]) for k in (*BUCKET, "marker"))


CONTENT = {"tir": {"api_root": "https://tir.example/api/", "project_id": 7},
           "credentials": {"api_key": "k", "auth_token": "t"}, "repository_id": 2001, "prefix": "riva-models",
           "marker": "m1"}


def test_models_found_gone_replace_the_content_and_an_update_keeps_its_marker() -> None:
    provider = RepositoryContentProvider()
    gone = provider.diff("2001", {**CONTENT, "marker": MISSING}, CONTENT)
    assert gone.changes and gone.replaces == ["marker"]
    moved = {**CONTENT, "tir": {**CONTENT["tir"], "api_root": "https://tir.example/api2/"}}
    assert provider.diff("2001", CONTENT, moved).replaces == []
    assert provider.update("2001", CONTENT, moved).outs["marker"] == "m1"
