"""`mc` aliases: `~/.mc/config.json` (0600, same shape as the real MinIO client) and
`MC_HOST_<alias>=http(s)://ACCESS:SECRET@host:port` environment overrides.

Secrets are read and written here only; nothing in this module prints them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from riva_tir.emulator.riva_tools.cli import USAGE_EXIT, ToolError

if TYPE_CHECKING:  # stubs only (boto3-stubs[s3]); nothing extra is imported at run time
    from mypy_boto3_s3 import S3Client


@dataclass(frozen=True)
class Alias:
    name: str
    url: str
    access_key: str
    secret_key: str

    def __repr__(self) -> str:
        return f"Alias(name={self.name!r}, url={self.url!r}, access_key={self.access_key!r})"

    def client(self) -> S3Client:
        """A boto3 S3 client for this alias (path-style, as MinIO expects by default)."""
        import boto3  # lazily: `mc alias ...` runs without paying boto3's import time
        from botocore.config import Config

        client: S3Client = boto3.client(
            "s3", endpoint_url=self.url, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                          retries={"max_attempts": 3, "mode": "standard"}),
        )
        return client


@dataclass(frozen=True)
class RemotePath:
    alias: Alias
    bucket: str
    prefix: str

    def __str__(self) -> str:
        return "/".join(p for p in (self.alias.name, self.bucket, self.prefix) if p)


_MC_HOST = re.compile(r"^(https?://)(.*?):(.*?)@(.*?)$")


def config_path() -> Path:
    """mc's config file: under $MC_CONFIG_DIR when set (mc's --config-dir), else ~/.mc."""
    configured = os.environ.get("MC_CONFIG_DIR")
    return (Path(configured) if configured else Path.home() / ".mc") / "config.json"


def _load() -> dict[str, object]:
    path = config_path()
    if not path.is_file():
        return {"version": "10", "aliases": {}}
    data = json.loads(path.read_text())
    return data if isinstance(data, dict) else {"version": "10", "aliases": {}}


def _save(data: dict[str, object]) -> None:
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    os.replace(tmp, path)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ToolError(f"Invalid URL '{url}'. URL must be of the form http(s)://host[:port]",
                        USAGE_EXIT)


def set_alias(name: str, url: str, access_key: str, secret_key: str) -> None:
    _check_url(url)
    data = _load()
    aliases = data.setdefault("aliases", {})
    if not isinstance(aliases, dict):
        aliases = data["aliases"] = {}
    aliases[name] = {"url": url.rstrip("/"), "accessKey": access_key, "secretKey": secret_key,
                     "api": "s3v4", "path": "auto"}
    _save(data)


def remove_alias(name: str) -> None:
    data = _load()
    aliases = data.get("aliases")
    if not isinstance(aliases, dict) or name not in aliases:
        raise ToolError(f"No such alias `{name}` found.")
    del aliases[name]
    _save(data)


def aliases() -> dict[str, Alias]:
    """Configured aliases; MC_HOST_<name> environment entries win over the file."""
    found: dict[str, Alias] = {}
    stored = _load().get("aliases")
    for name, entry in (stored.items() if isinstance(stored, dict) else []):
        if isinstance(entry, dict) and {"url", "accessKey", "secretKey"} <= entry.keys():
            found[name] = Alias(name, entry["url"], entry["accessKey"], entry["secretKey"])
    for var, value in os.environ.items():
        if var.startswith("MC_HOST_") and len(var) > 8:
            # As mc parses it: scheme://ACCESS:SECRET@host, the keys taken literally (no
            # URL decoding), the access key up to the first ':', the secret up to the next '@'.
            match = _MC_HOST.match(value)
            if match:
                scheme, access, secret, host = match.groups()
                found[var[8:]] = Alias(var[8:], f"{scheme}{host.rstrip('/')}", access, secret)
    return found


def resolve(target: str) -> RemotePath | None:
    """`ALIAS/BUCKET/PREFIX` → RemotePath when ALIAS is configured, else None (local path)."""
    head, _sep, rest = target.partition("/")
    alias = aliases().get(head)
    if alias is None:
        return None
    bucket, _sep, prefix = rest.partition("/")
    return RemotePath(alias, bucket, prefix)
