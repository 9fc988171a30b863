"""EOS stand-in: one real MinIO server process on loopback (see `store.ObjectStore`)."""

from riva_tir.emulator.objectstore.process import MinioFailed, MinioNotFound, find_minio_binary
from riva_tir.emulator.objectstore.store import BucketNotFound, ObjectStore

__all__ = ["BucketNotFound", "MinioFailed", "MinioNotFound", "ObjectStore", "find_minio_binary"]
