"""A store written by an older emulator still loads: fields it kept that this one no longer has
(a node's removed `datasets`, say) are left out, on every kind and inside nested records."""

from __future__ import annotations

import pytest

from tests.emulator.api_harness import PUBKEY_A, Api
from riva_tir.emulator.server import EmulatorServer

pytestmark = pytest.mark.emulator

# kind in the store -> (API path of one record, the older shape's extra keys)
OLD_KEYS = {
    "node": ("notebooks/{id}/", {"datasets": [{"id": 9, "mount_path": "/datasets/old"}]}),
    "endpoint": ("serving/inference/{id}/", {"retired_field": True}),
    "model_repository": ("serving/model/{id}/", {"retired_field": "x"}),
    "ssh_key": ("ssh_keys/{id}/", {"retired_field": 1}),
}


def test_records_with_fields_this_emulator_no_longer_has_load(api: Api, emulator: EmulatorServer) -> None:
    assert emulator.state is not None
    store = emulator.state.store
    ids = {"ssh_key": api.ssh_key()["id"], "node": api.node(public_key=[PUBKEY_A])["id"],
           "model_repository": api.repository()["id"], "endpoint": api.endpoint()["id"]}
    before = {kind: api.ok("GET", path.format(id=ids[kind]), scoped=kind != "ssh_key")
              for kind, (path, _) in OLD_KEYS.items()}

    for kind, (_, extra) in OLD_KEYS.items():
        doc = store.get(kind, ids[kind])
        assert doc is not None
        if kind == "model_repository":
            doc["storage"] = {**doc["storage"], "region": "old-region"}
        scope = (None, None) if kind == "ssh_key" else (doc["project_id"], doc["location"])
        store.put(kind, ids[kind], {**doc, **extra}, *scope)

    after = {kind: api.ok("GET", path.format(id=ids[kind]), scoped=kind != "ssh_key")
             for kind, (path, _) in OLD_KEYS.items()}
    assert after == before
    inventory = api.control.inventory()
    assert [n["id"] for n in inventory["nodes"]] == [ids["node"]]
    assert [e["id"] for e in inventory["endpoints"]] == [ids["endpoint"]]
