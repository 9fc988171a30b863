"""Image catalog and picking the Riva image version."""

from __future__ import annotations

from typing import Any

import pytest

from riva_tir.tir import ImageNotFound, TirClient


def test_find_riva_picks_newest_version(client: TirClient, api: Any, image_catalog: Any) -> None:
    api.reply("GET", "gpu_service/image/", image_catalog, scoped=False)
    image = client.images.find_riva()
    assert (image.image_name, image.version, image.image_version_id) == ("NVIDIA Riva", "2.19.0", 72)
    (call,) = api.calls
    assert call.path == "/myaccount/api/v1/gpu/gpu_service/image/"
    assert call.query == {"category": "notebook", "location": "Delhi", "apikey": api.API_KEY}


def test_find_riva_exact_version(client: TirClient, api: Any, image_catalog: Any) -> None:
    api.reply("GET", "gpu_service/image/", image_catalog, scoped=False)
    assert client.images.find_riva("2.9.0").image_version_id == 70


def test_missing_version_lists_offered(client: TirClient, api: Any, image_catalog: Any) -> None:
    api.reply("GET", "gpu_service/image/", image_catalog, scoped=False)
    with pytest.raises(ImageNotFound) as info:
        client.images.find_riva("3.0")
    assert "NVIDIA Riva 2.14.0" in info.value.available


def test_no_matching_name(client: TirClient, api: Any, image_catalog: Any) -> None:
    api.reply("GET", "gpu_service/image/", image_catalog, scoped=False)
    with pytest.raises(ImageNotFound, match="Ubuntu"):
        client.images.resolve("diffusers")


def test_list_passes_jupyterlab_flag_and_find_is_case_insensitive(
    client: TirClient, api: Any, image_catalog: Any
) -> None:
    api.reply("GET", "gpu_service/image/", image_catalog, scoped=False)
    api.reply("GET", "gpu_service/image/", image_catalog, scoped=False)
    assert len(client.images.list(is_jupyterlab_enabled=False)) == 2
    assert api.calls[0].query["is_jupyterlab_enabled"] == "false"
    found = client.images.find("nvidia riva")
    assert found is not None and found.image_id == 7
