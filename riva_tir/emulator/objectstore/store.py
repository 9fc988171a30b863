"""EOS stand-in: buckets and objects on the real MinIO server, via boto3 (path-style S3).

Each bucket gets its own MinIO user whose policy allows S3 actions on that bucket only, the
way an EOS access key is tied to a bucket. The user's keys are derived from the root secret
(HMAC of the bucket name), so `create_bucket` is idempotent and needs no extra key store:
asking again returns the same pair, and a restart with the same data dir keeps them valid.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from minio.credentials.providers import StaticProvider
from minio.error import MinioAdminException
from minio.minioadmin import MinioAdmin

from riva_tir.emulator.loopback import require_loopback
from riva_tir.emulator.objectstore.process import MinioProcess

if TYPE_CHECKING:  # stubs only (boto3-stubs[s3]); nothing extra is imported at run time
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

_MISSING_BUCKET = {"NoSuchBucket", "404"}


class BucketNotFound(LookupError):
    """The bucket does not exist."""


def bucket_policy(bucket: str) -> dict[str, object]:
    """IAM policy giving full S3 access to one bucket and its objects, nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:*"],
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            }
        ],
    }


def _unless_missing(call: Callable[[str], object], name: str) -> None:
    """Run an admin removal; an already missing user/policy is fine."""
    try:
        call(name)
    except MinioAdminException as exc:
        if "not" not in str(exc).lower():  # "...does not exist" / "not found"
            raise


class ObjectStore:
    """A MinIO server process plus the bucket/object operations the emulator needs."""

    def __init__(self, data_dir: Path, port: int = 0, host: str = "127.0.0.1") -> None:
        self._host = require_loopback(host)
        self._minio = MinioProcess(Path(data_dir), host, port)
        self._s3: S3Client | None = None
        self._admin: MinioAdmin | None = None

    def __repr__(self) -> str:
        return f"ObjectStore(endpoint_url={self.endpoint_url!r})"

    # -- process -------------------------------------------------------------------------
    def start(self) -> None:
        """Spawn MinIO and wait until it takes requests."""
        self._minio.start()
        creds = self._minio.credentials
        self._s3 = self.client(creds.access_key, creds.secret_key)
        self._admin = MinioAdmin(
            endpoint=f"{self._host}:{self._minio.port}",
            credentials=StaticProvider(creds.access_key, creds.secret_key),
            secure=False,
        )

    def stop(self) -> None:
        self._s3 = None
        self._admin = None
        self._minio.stop()

    @property
    def endpoint_url(self) -> str:
        return f"http://{self._host}:{self._minio.port}"

    def client(self, access_key: str, secret_key: str) -> S3Client:
        """A boto3 S3 client for this server with the given keys (path-style addressing)."""
        client: S3Client = boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                signature_version="s3v4",
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )
        return client

    @property
    def _root(self) -> S3Client:
        if self._s3 is None:
            raise RuntimeError("ObjectStore is not started")
        return self._s3

    # -- buckets -------------------------------------------------------------------------
    def bucket_credentials(self, name: str) -> tuple[str, str]:
        """The (access_key, secret_key) pair of the bucket's own MinIO user (deterministic)."""
        root_secret = self._minio.credentials.secret_key.encode()
        digest = hmac.new(root_secret, f"bucket-user:{name}".encode(), hashlib.sha256)
        access = "eos" + digest.hexdigest()[:17]
        secret = hmac.new(root_secret, f"bucket-secret:{name}".encode(), hashlib.sha256)
        return access, secret.hexdigest()[:40]

    def create_bucket(self, name: str) -> tuple[str, str]:
        """Create the bucket (if missing) and its scoped user; return that user's keys."""
        if not self.bucket_exists(name):
            self._root.create_bucket(Bucket=name)
        access, secret = self.bucket_credentials(name)
        admin = self._admin_client()
        policy = f"eos-bucket-{name}"
        admin.policy_add(policy, policy=bucket_policy(name))
        admin.user_add(access, secret)
        try:
            admin.attach_policy([policy], user=access)
        except MinioAdminException as exc:
            # Re-attaching an already attached policy is refused; that is the state we want.
            if "already" not in str(exc).lower():
                raise
        return access, secret

    def add_key(self, name: str) -> tuple[str, str]:
        """A further key pair for the bucket, as a user makes one in the EOS console to
        rotate keys (the bucket's first pair stays until `remove_key`)."""
        access, secret = "eos" + secrets.token_hex(9)[:17], secrets.token_hex(20)
        admin = self._admin_client()
        admin.user_add(access, secret)
        admin.attach_policy([f"eos-bucket-{name}"], user=access)
        return access, secret

    def remove_key(self, access_key: str) -> None:
        """Revoke a key pair: requests signed with it are refused from now on."""
        self._admin_client().user_remove(access_key)

    def delete_bucket(self, name: str) -> None:
        """Delete every object, the bucket and its user; a missing bucket is not an error."""
        if self.bucket_exists(name):
            paginator = self._root.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=name):
                keys: list[ObjectIdentifierTypeDef] = [
                    {"Key": obj["Key"]} for obj in page.get("Contents", [])]
                if keys:
                    self._root.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
            self._root.delete_bucket(Bucket=name)
        access, _secret = self.bucket_credentials(name)
        admin = self._admin_client()
        _unless_missing(admin.user_remove, access)
        _unless_missing(admin.policy_remove, f"eos-bucket-{name}")

    def bucket_exists(self, name: str) -> bool:
        try:
            self._root.head_bucket(Bucket=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING_BUCKET:
                return False
            raise
        return True

    def list_buckets(self) -> list[str]:
        return sorted(b["Name"] for b in self._root.list_buckets().get("Buckets", []))

    # -- objects -------------------------------------------------------------------------
    def list_objects(self, bucket: str, prefix: str = "") -> list[str]:
        """All keys under `prefix` (recursive). Raises BucketNotFound for a missing bucket."""
        keys: list[str] = []
        try:
            for page in self._root.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=prefix
            ):
                keys.extend(obj["Key"] for obj in page.get("Contents", []))
        except ClientError as exc:
            self._raise_missing(exc, bucket)
            raise
        return keys

    def get_object(self, bucket: str, key: str) -> bytes:
        """The object's bytes. Raises BucketNotFound, or KeyError for a missing key."""
        try:
            body = self._root.get_object(Bucket=bucket, Key=key)["Body"]
            data: bytes = body.read()
        except ClientError as exc:
            self._raise_missing(exc, bucket)
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise KeyError(key) from None
            raise
        return data

    def download(self, bucket: str, key: str, target: Path) -> None:
        """The object streamed into `target` (models can be gigabytes). Raises BucketNotFound."""
        try:
            self._root.download_file(bucket, key, str(target))
        except ClientError as exc:
            self._raise_missing(exc, bucket)
            raise

    def put_object(self, bucket: str, key: str, data: bytes) -> None:
        try:
            self._root.put_object(Bucket=bucket, Key=key, Body=data)
        except ClientError as exc:
            self._raise_missing(exc, bucket)
            raise

    @staticmethod
    def _raise_missing(exc: ClientError, bucket: str) -> None:
        if exc.response.get("Error", {}).get("Code") == "NoSuchBucket":
            raise BucketNotFound(bucket) from None

    def _admin_client(self) -> MinioAdmin:
        if self._admin is None:
            raise RuntimeError("ObjectStore is not started")
        return self._admin
