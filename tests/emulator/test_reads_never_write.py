"""Reads never write: with no timed transition due, a GET of every API route (and the control
API's reads) leaves the SQLite store untouched; only a transition that really happens is saved."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.emulator.api_harness import PUBKEY_A, ROOT, TEAM, Api
from riva_tir.emulator.app import create_app
from riva_tir.emulator.server import EmulatorServer

pytestmark = pytest.mark.emulator

QUERIES = {"gpu_service/sku/": {"service": "inference_service", "framework": "triton"}}


def _api_get_routes(server: EmulatorServer) -> list[str]:
    """Every GET rule under the API root, so a new read route is covered without editing this test."""
    assert server.state is not None
    app = create_app(server.state, server.clock, server.faults)
    return sorted({rule.rule.removeprefix(ROOT) for rule in app.url_map.iter_rules()
                   if "GET" in (rule.methods or ()) and rule.rule.startswith(ROOT)})


def _store_state(watcher: sqlite3.Connection) -> tuple[int, list[str]]:
    """`data_version` moves on any commit by another connection, even one rewriting the same bytes."""
    return int(watcher.execute("PRAGMA data_version").fetchone()[0]), list(watcher.iterdump())


def test_a_get_of_each_kind_leaves_the_store_unchanged(api: Api, emulator: EmulatorServer) -> None:
    key = api.ssh_key()
    node = api.node(public_key=[PUBKEY_A])
    repository = api.repository()
    endpoint = api.endpoint()
    assert node["status"] == api.ok("GET", f"serving/inference/{endpoint['id']}/")["status"] == "running"
    ids = {"node_id": node["id"], "repo_id": repository["id"], "endpoint_id": endpoint["id"], "key_id": key["id"],
           "team_id": TEAM, "project_id": api.project, "namespace_id": 1}
    routes = _api_get_routes(emulator)
    assert {"notebooks/<int:node_id>/", "serving/model/<int:repo_id>/", "ssh_keys/<int:key_id>/",
            "serving/inference/<int:endpoint_id>/logs/"} <= set(routes)

    with sqlite3.connect(emulator.data_dir / "tir.sqlite3") as watcher:
        before = _store_state(watcher)
        for route in routes:
            path = re.sub(r"<int:(\w+)>", lambda m: str(ids[m.group(1)]), route)
            assert api.call("GET", path, params=QUERIES.get(route)).status_code == 200, path
        control = api.control
        control.health(), control.inventory(), control.fault_plan(), control.transition_seconds()
        control.paging_mode(), control.requests()
        after = _store_state(watcher)
    assert after[1] == before[1]
    assert after[0] == before[0], "a read committed to the store"
