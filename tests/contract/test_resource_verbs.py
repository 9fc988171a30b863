"""The verbs every project resource client shares, for each kind, after a lost POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.harness import Contract
from riva_tir.tir._resource import ResourceClient
from riva_tir.tir.model_repositories import RepositorySpec

pytestmark = pytest.mark.emulator

Case = tuple[str, str, Callable[[Contract], tuple[ResourceClient[Any, Any], Any]]]
CASES: list[Case] = [
    ("nodes", "notebooks/", lambda c: (c.client.nodes, c.node_spec("verb-node"))),
    ("model_repositories", "serving/model/", lambda c: (c.client.model_repositories, RepositorySpec(name="verb-repo"))),
    ("endpoints", "serving/inference/", lambda c: (c.client.endpoints, c.custom_spec("verb-ep", commands=[], args=[]))),
]


@pytest.mark.parametrize(("inventory_key", "path", "build"), CASES, ids=[c[0] for c in CASES])
def test_create_idempotent_find_list_and_get_or_none(
    contract: Contract, inventory_key: str, path: str,
    build: Callable[[Contract], tuple[ResourceClient[Any, Any], Any]],
) -> None:
    kind, spec = build(contract)
    contract.control.faults({"fault": "drop", "method": "POST", "path": f"{path}$", "nth": 1})
    created = kind.create_idempotent(spec)
    assert [r["id"] for r in contract.control.inventory()[inventory_key]] == [created.id]
    assert [e["fault"] for e in contract.control.requests("POST", path)] == ["drop", None]

    assert kind.find(spec.name) == kind.get(created.id) and kind.find("absent-name") is None
    assert [r.id for r in kind.list().items] == [created.id] == [r.id for r in kind.list_all()]
    assert kind.wait_ready(created.id, timeout=30).id == created.id
    kind.delete(created.id)
    assert kind.get_or_none(created.id) is None
