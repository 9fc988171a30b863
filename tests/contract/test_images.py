"""Images: the Riva node image and explicit name/version resolution."""

from __future__ import annotations

import pytest

from tests.contract.harness import RIVA_VERSION, Contract
from riva_tir.tir import ImageNotFound

pytestmark = pytest.mark.emulator


def test_find_riva_by_version_and_newest(contract: Contract) -> None:
    images = contract.client.images
    riva = images.find_riva(RIVA_VERSION)
    assert riva.version == RIVA_VERSION and "riva" in riva.image_name.lower()
    listed = images.find(riva.image_name)
    assert listed is not None and listed.image_id == riva.image_id
    assert riva.image_version_id in {v.image_version_id for v in listed.versions}
    older = images.find_riva("2.17.0")
    assert older.image_version_id != riva.image_version_id
    assert images.find_riva().version == RIVA_VERSION  # newest by default


def test_resolve_other_images_and_misses(contract: Contract) -> None:
    images = contract.client.images
    ubuntu = images.resolve("ubuntu", "22.04")
    assert ubuntu.image_name == "Ubuntu" and ubuntu.version == "22.04"
    assert images.find("no such image") is None
    with pytest.raises(ImageNotFound) as caught:
        images.find_riva("9.9.9")
    assert f"NVIDIA Riva {RIVA_VERSION}" in caught.value.available
    assert len(images.list(is_jupyterlab_enabled=True)) >= 4
