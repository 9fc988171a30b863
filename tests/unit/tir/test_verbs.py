"""Meta-test: every resource kind offers the shared verb set (house style point 2)."""

from __future__ import annotations

import inspect

import pytest

from riva_tir.tir import TirClient

SHARED = {"get", "find", "list", "list_all", "create", "create_idempotent", "delete", "wait_ready", "wait_deleted"}


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("nodes", {"update", "start", "stop", "wait_stopped", "add_ssh_keys", "remove_ssh_keys", "list_ssh_keys"}),
        ("model_repositories", {"update", "list_objects"}),
        ("endpoints", {"update", "start", "stop", "restart", "update_auto_scale", "disable_auto_scale",
                       "wait_stopped", "http_url"}),
    ],
)
def test_resource_clients_have_full_verb_set(client: TirClient, kind: str, extra: set[str]) -> None:
    resource = getattr(client, kind)
    for verb in SHARED | extra:
        method = getattr(resource, verb, None)
        assert callable(method), f"{kind} lacks {verb}"
        assert inspect.signature(method).return_annotation is not inspect.Signature.empty


@pytest.mark.parametrize(("kind", "verbs"), [
    ("plans", {"list", "resolve_node_plan", "resolve_endpoint_plan"}),
    ("images", {"list", "find", "find_riva", "resolve"}),
    ("ssh_keys", {"list", "find", "find_by_key", "create", "create_idempotent", "delete"}),
])
def test_catalog_clients_have_their_verbs(client: TirClient, kind: str, verbs: set[str]) -> None:
    resource = getattr(client, kind)
    assert {v for v in verbs if callable(getattr(resource, v, None))} == verbs
