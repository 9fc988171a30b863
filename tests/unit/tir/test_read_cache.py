"""The process-wide read cache: one call per catalog page and one access check for all
clients sharing it; again after the TTL, per account and project; never caching a failure."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from riva_tir.tir import AuthError, ServerError, TirClient
from riva_tir.tir.read_cache import SAME_MOMENT_SECONDS, ReadCache

from tests.unit.tir.conftest import FakeClock, make_config


def _client(cache: ReadCache, clock: FakeClock, **overrides: Any) -> TirClient:
    return TirClient(make_config(max_retries=0, **overrides), sleep=clock.sleep, clock=clock, read_cache=cache)


def test_clients_sharing_the_cache_read_each_page_once(api: Any, sku_catalog: Any, image_catalog: Any,
                                                       clock: FakeClock) -> None:
    cache = ReadCache(ttl=300, clock=clock)
    api.reply("GET", "gpu_service/sku/", sku_catalog, scoped=False)
    api.reply("GET", "gpu_service/image/", image_catalog, scoped=False)
    with _client(cache, clock) as first, _client(cache, clock) as second:
        first.plans.resolve_node_plan("GPU-A100-16-115GB-1", image_version_id=72)
        second.plans.resolve_node_plan("CPU-C3-4-8GB-0", image_version_id=72)
        first.images.list()
        second.images.list()
    assert [c.path.rsplit("/", 2)[-2] for c in api.calls] == ["sku", "image"]


def test_other_query_other_account_and_expired_entries_are_read_again(api: Any, sku_catalog: Any,
                                                                       clock: FakeClock) -> None:
    cache = ReadCache(ttl=300, clock=clock)
    for _ in range(4):
        api.reply("GET", "gpu_service/sku/", sku_catalog, scoped=False)
    with _client(cache, clock) as client, _client(cache, clock, api_key="another-account-key") as other:
        client.plans.for_nodes(72)
        client.plans.for_endpoints("triton")  # another query
        other.plans.for_nodes(72)  # another account
        clock.now += 301
        client.plans.for_nodes(72)  # expired
    assert len(api.calls) == 4
    assert [c.query.get("framework") for c in api.calls] == [None, "triton", None, None]


def test_access_check_is_shared_per_project_and_credentials(api: Any, clock: FakeClock) -> None:
    cache = ReadCache(ttl=300, clock=clock)
    for _ in range(3):
        api.reply("GET", "notebooks/", [])
    with _client(cache, clock) as client, _client(cache, clock) as same, \
            _client(cache, clock, project_id=35) as other_project, \
            _client(cache, clock, auth_token="rotated-token") as other_token:
        for c in (client, same, other_project, other_token, client):
            c.check_access()
    assert [c.query["project_id"] for c in api.calls] == ["34", "35", "34"]
    assert all(c.query["per_page"] == "1" for c in api.calls)


def test_refused_credentials_are_asked_about_again(api: Any, clock: FakeClock) -> None:
    cache = ReadCache(ttl=300, clock=clock)
    api.reply("GET", "notebooks/", status=401)
    api.reply("GET", "notebooks/", status=401)
    with _client(cache, clock) as client:
        for _ in range(2):
            with pytest.raises(AuthError):
                client.check_access()
    assert len(api.calls) == 2


def test_failures_are_not_cached(api: Any, sku_catalog: Any, clock: FakeClock) -> None:
    cache = ReadCache(ttl=300, clock=clock)
    api.reply("GET", "gpu_service/sku/", status=500, scoped=False)
    api.reply("GET", "gpu_service/sku/", sku_catalog, scoped=False)
    with _client(cache, clock) as client:
        with pytest.raises(ServerError):
            client.plans.for_nodes(72)
        assert client.plans.for_nodes(72)
    assert len(api.calls) == 2


def test_concurrent_askers_share_one_load() -> None:
    cache = ReadCache(ttl=300)
    loads: list[int] = []
    started = threading.Event()
    release = threading.Event()

    def load() -> str:
        loads.append(1)
        started.set()
        release.wait(5)
        return "catalog"

    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append(cache.get("k", load))) for _ in range(4)]
    for t in threads:
        t.start()
    started.wait(5)
    release.set()
    for t in threads:
        t.join(5)
    assert answers == ["catalog"] * 4 and len(loads) == 1


def test_an_object_read_at_the_same_moment_is_read_once(api: Any, node_payload: dict[str, Any],
                                                        clock: FakeClock) -> None:
    """A refresh reads a node for the node and its power steps at once: one GET answers
    them; a read after the moment, or of a node that is gone, asks TIR again."""
    cache = ReadCache(ttl=300, clock=clock)
    node_id = node_payload["id"]
    api.reply("GET", f"notebooks/{node_id}/", node_payload)
    api.reply("GET", f"notebooks/{node_id}/", node_payload)
    api.reply("GET", f"notebooks/{node_id}/", status=404)
    api.reply("GET", f"notebooks/{node_id}/", status=404)
    with _client(cache, clock) as node, _client(cache, clock) as power:
        assert node.nodes.read_shared(node_id) == power.nodes.read_shared(node_id) is not None
        clock.now += SAME_MOMENT_SECONDS
        assert power.nodes.read_shared(node_id) is not None
        clock.now += SAME_MOMENT_SECONDS
        assert node.nodes.read_shared(node_id) is None and power.nodes.read_shared(node_id) is None
    assert len(api.calls) == 4


def test_without_a_cache_each_object_read_is_its_own(api: Any, node_payload: dict[str, Any],
                                                     clock: FakeClock) -> None:
    api.reply("GET", f"notebooks/{node_payload['id']}/", node_payload)
    api.reply("GET", f"notebooks/{node_payload['id']}/", node_payload)
    with TirClient(make_config(max_retries=0), sleep=clock.sleep, clock=clock) as client:
        assert client.nodes.read_shared(node_payload["id"]) == client.nodes.read_shared(node_payload["id"])
    assert len(api.calls) == 2
