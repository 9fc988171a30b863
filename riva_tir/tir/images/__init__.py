"""Images: models. The client is `tir.images.client`,
imported by `TirClient` only, so code that only validates does not load the HTTP stack."""
from riva_tir.tir.images.models import Image, ImageVersion, ResolvedImage

__all__ = ["Image", "ImageVersion", "ResolvedImage"]
