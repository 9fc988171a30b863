"""Node image catalog models (``gpu_service/image/``)."""

from __future__ import annotations

from pydantic import Field

from riva_tir.tir._models import TirModel


class ImageVersion(TirModel):
    image_version_id: int
    version: str = ""


class Image(TirModel):
    image_id: int
    name: str = ""
    versions: list[ImageVersion] = Field(default_factory=list)


class ResolvedImage(TirModel):
    """An image version picked by name/version: what ``NodeSpec.image_version_id`` needs."""

    image_id: int
    image_name: str
    image_version_id: int
    version: str
