"""EOS stand-in: one real MinIO server process on loopback (see `store.ObjectStore`)."""

from tir_emulator.objectstore.process import MinioFailed, MinioNotFound, find_minio_binary
from tir_emulator.objectstore.store import BucketNotFound, ObjectStore

__all__ = ["BucketNotFound", "MinioFailed", "MinioNotFound", "ObjectStore", "find_minio_binary"]
