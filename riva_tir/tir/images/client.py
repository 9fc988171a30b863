"""Images for nodes: list the catalog and pick one (e.g. Riva) by name and version."""

from __future__ import annotations

import builtins
import re

from riva_tir.tir._http import Transport
from riva_tir.tir._models import as_list, parse
from riva_tir.tir.errors import ImageNotFound
from riva_tir.tir.images.models import Image, ResolvedImage

# ASSUMPTION: no source shows TIR's Riva image name; match it loosely.
RIVA_NAME_HINT = "riva"


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order ("v24.10" > "v24.9"); digits compare as numbers."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|[^\d.\-_]+", version))


def resolve_image(images: builtins.list[Image], name_contains: str, version: str | None) -> ResolvedImage:
    """First image whose name contains ``name_contains`` (case-insensitive) having ``version``.

    Without a version the newest version of the first matching image wins.
    """
    needle = name_contains.lower()
    matches = [i for i in images if needle in i.name.lower()]
    if not matches:
        raise ImageNotFound(f"no image name contains {name_contains!r}", [i.name for i in images])
    for image in matches:
        versions = sorted(image.versions, key=lambda v: _version_key(v.version), reverse=True)
        chosen = next((v for v in versions if version is None or v.version == version), None)
        if chosen is not None:
            return ResolvedImage(
                image_id=image.image_id,
                image_name=image.name,
                image_version_id=chosen.image_version_id,
                version=chosen.version,
            )
    offered = [f"{i.name} {v.version}" for i in matches for v in i.versions]
    raise ImageNotFound(f"no version {version!r} of an image named like {name_contains!r}", offered)


class ImagesClient:
    """``GET gpu_service/image/``: not project-scoped.

    Callers that already know the ``image_version_id`` skip resolution and put it
    straight into ``NodeSpec`` (the explicit override).
    """

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, *, category: str = "notebook", is_jupyterlab_enabled: bool | None = None) -> builtins.list[Image]:
        params = {"category": category, "is_jupyterlab_enabled": is_jupyterlab_enabled}
        data = self._t.shared_get("gpu_service/image/", scoped=False, params=params)
        return [parse(Image, item) for item in as_list(data, "images")]

    def find(self, name: str) -> Image | None:
        """The image with exactly this name (case-insensitive), or None."""
        return next((i for i in self.list() if i.name.lower() == name.lower()), None)

    def resolve(self, name_contains: str, version: str | None = None) -> ResolvedImage:
        return resolve_image(self.list(), name_contains, version)

    def find_riva(self, version: str | None = None) -> ResolvedImage:
        """The Riva node image version (newest unless ``version`` is given)."""
        return self.resolve(RIVA_NAME_HINT, version)
