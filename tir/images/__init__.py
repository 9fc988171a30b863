from tir.images.client import ImagesClient, resolve_image
from tir.images.models import Image, ImageVersion, ResolvedImage

__all__ = ["Image", "ImageVersion", "ImagesClient", "ResolvedImage", "resolve_image"]
