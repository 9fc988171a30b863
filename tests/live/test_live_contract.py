"""Read-only contract checks against real TIR.

Skipped unless TIR_API_KEY, TIR_AUTH_TOKEN and TIR_PROJECT_ID are set. Optional:
TIR_TEAM_ID (switches to the team-scoped URL style), TIR_LOCATION, TIR_API_ROOT.
Nothing is created, changed or deleted.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from riva_tir.tir import TirClient, TirConfig
from riva_tir.tir.config import DEFAULT_API_ROOT

REQUIRED = ("TIR_API_KEY", "TIR_AUTH_TOKEN", "TIR_PROJECT_ID")
_missing = [name for name in REQUIRED if not os.environ.get(name)]

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(bool(_missing), reason=f"live TIR tests need {', '.join(REQUIRED)} (missing: {_missing})"),
]


@pytest.fixture(scope="module")
def live() -> Iterator[TirClient]:
    env = os.environ
    team = env.get("TIR_TEAM_ID")
    config = TirConfig(
        api_root=env.get("TIR_API_ROOT") or DEFAULT_API_ROOT,
        api_key=SecretStr(env["TIR_API_KEY"]),
        auth_token=SecretStr(env["TIR_AUTH_TOKEN"]),
        project_id=int(env["TIR_PROJECT_ID"]),
        team_id=int(team) if team else None,
        url_style="team-scoped" if team else "project-query",
        location=env.get("TIR_LOCATION", "Delhi"),
    )
    with TirClient(config) as client:
        yield client


def test_images_parse_and_have_versions(live: TirClient) -> None:
    images = live.images.list()
    assert images, "TIR returned no node images"
    assert all(image.image_id > 0 for image in images)


def test_endpoint_plans_have_codes_and_prices(live: TirClient) -> None:
    skus = live.plans.for_endpoints("triton")
    assert skus, "TIR returned no SKUs for triton endpoints"
    assert all(sku.code.count("-") >= 4 for sku in skus)
    assert any(sku.hourly_plan is not None for sku in skus)


def test_node_plans_for_first_image(live: TirClient) -> None:
    image = next(i for i in live.images.list() if i.versions)
    skus = live.plans.for_nodes(image.versions[0].image_version_id)
    assert all(sku.sku_id > 0 for sku in skus)


def test_nodes_and_endpoints_list(live: TirClient) -> None:
    nodes = live.nodes.list(page_no=1, per_page=5)
    endpoints = live.endpoints.list(page_no=1, per_page=5)
    for item in (*nodes.items, *endpoints.items):
        assert item.id > 0 and item.name
        assert item.status is None or item.status == item.status.lower()


def test_account_ssh_keys_list(live: TirClient) -> None:
    assert all(key.id > 0 for key in live.ssh_keys.list())
