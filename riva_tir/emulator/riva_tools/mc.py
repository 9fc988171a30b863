"""`mc`: the MinIO client subset used to move model repositories into EOS buckets.

ASSUMPTION: TIR documents EOS as S3-compatible and "MinIO clients work" (docs/tir.md §6; the
SDK itself uploads with MinIO), so `mc` is the tool a node user reaches for. Supported:
`alias set|rm|ls`, `mirror [--overwrite] [--remove] DIR TARGET`, `cp [--recursive] SRC TARGET`
(either direction), `ls [--recursive] TARGET`, `rm [--recursive --force] TARGET`. It speaks
real S3 through boto3; files above 64 MiB go up as multipart uploads via boto3's transfer
manager, streaming from disk. `cp --recursive DIR/` copies the directory's contents, without
the trailing slash the directory itself (rsync-like). Secrets are never printed.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from riva_tir.emulator.riva_tools.cli import USAGE_EXIT, ToolError, run_tool
from riva_tir.emulator.riva_tools.mc_config import (
    RemotePath,
    aliases,
    remove_alias,
    resolve,
    set_alias,
)

if TYPE_CHECKING:  # stubs only (boto3-stubs[s3]); nothing extra is imported at run time
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ListObjectsV2RequestPaginateTypeDef, ObjectTypeDef

TRANSFER = TransferConfig(multipart_threshold=64 << 20, multipart_chunksize=64 << 20,
                          max_concurrency=4)
T = TypeVar("T")


def _s3(action: str, call: Callable[[], T]) -> T:
    """Run one S3 call, turning client errors into mc-style messages."""
    try:
        return call()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        detail = error.get("Message") or error.get("Code")
        raise ToolError(f"Unable to {action}. {detail}") from None
    except BotoCoreError as exc:
        raise ToolError(f"Unable to {action}. {exc}") from None


def _remote(target: str, need_bucket: bool = True) -> RemotePath:
    remote = resolve(target)
    if remote is None:
        raise ToolError(f"`{target}` is not an alias path; configured aliases: "
                        f"{', '.join(sorted(aliases())) or 'none'} (use `mc alias set`)")
    if need_bucket and not remote.bucket:
        raise ToolError(f"`{target}` names no bucket")
    return remote


def _join(prefix: str, rel: str) -> str:
    return f"{prefix.rstrip('/')}/{rel}" if prefix.strip("/") else rel


def _local_files(root: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path, path.relative_to(root).as_posix()


def _remote_objects(client: S3Client, remote: RemotePath,
                    prefix: str) -> dict[str, ObjectTypeDef]:
    found: dict[str, ObjectTypeDef] = {}

    def collect() -> None:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=remote.bucket,
                                                                     Prefix=prefix):
            for obj in page.get("Contents", []):
                found[obj["Key"]] = obj

    _s3(f"list `{remote}`", collect)
    return found


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _same(path: Path, obj: ObjectTypeDef) -> bool:
    if path.stat().st_size != obj["Size"]:
        return False
    etag = str(obj.get("ETag", "")).strip('"')
    return "-" in etag or etag == _md5(path)  # multipart ETags are not an MD5: size decides


def _upload(client: S3Client, path: Path, remote: RemotePath, key: str) -> None:
    print(f"`{path}` -> `{remote.alias.name}/{remote.bucket}/{key}`", flush=True)
    _s3(f"upload `{path}`", lambda: client.upload_file(str(path), remote.bucket, key,
                                                       Config=TRANSFER))


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    return f"{size}B"


def cmd_mirror(args: argparse.Namespace) -> int:
    source = Path(args.source)
    if not source.is_dir():
        raise ToolError(f"Unable to mirror: `{source}` is not a local directory")
    remote = _remote(args.target)
    client = remote.alias.client()
    existing = _remote_objects(client, remote, _join(remote.prefix, ""))
    wanted: set[str] = set()
    total = 0
    conflicts: list[str] = []
    for path, rel in _local_files(source):
        key = _join(remote.prefix, rel)
        wanted.add(key)
        obj = existing.get(key)
        if obj is not None and _same(path, obj):
            continue
        if obj is not None and not args.overwrite:
            conflicts.append(key)
            continue
        _upload(client, path, remote, key)
        total += path.stat().st_size
    if args.remove:
        for key in sorted(set(existing) - wanted):
            print(f"Removed `{remote.alias.name}/{remote.bucket}/{key}`.")
            _s3(f"remove `{key}`", partial(client.delete_object, Bucket=remote.bucket, Key=key))
    print(f"Total: {_human(total)} transferred")
    if conflicts:
        raise ToolError(f"Failed to copy `{conflicts[0]}`: target differs and --overwrite "
                        f"was not given ({len(conflicts)} object(s) skipped)")
    return 0


def cmd_cp(args: argparse.Namespace) -> int:
    remote_src = resolve(args.source)
    if remote_src is None:
        source = Path(args.source)
        remote = _remote(args.target)
        client = remote.alias.client()
        if source.is_file():
            key = remote.prefix if remote.prefix and not remote.prefix.endswith("/") \
                else _join(remote.prefix, source.name)
            _upload(client, source, remote, key)
            return 0
        if not source.is_dir():
            raise ToolError(f"Unable to stat `{source}`: no such file or directory")
        if not args.recursive:
            raise ToolError(f"`{source}` is a folder; use --recursive")
        base = remote.prefix if args.source.endswith("/") else _join(remote.prefix, source.name)
        for path, rel in _local_files(source):
            _upload(client, path, remote, _join(base, rel))
        return 0
    client = remote_src.alias.client()
    target = Path(args.target)
    if not args.recursive:
        dest = target / Path(remote_src.prefix).name if target.is_dir() else target
        print(f"`{remote_src}` -> `{dest}`")
        _s3(f"download `{remote_src}`", lambda: client.download_file(
            remote_src.bucket, remote_src.prefix, str(dest), Config=TRANSFER))
        return 0
    prefix = _join(remote_src.prefix, "")
    for key in sorted(_remote_objects(client, remote_src, prefix)):
        dest = target / key[len(prefix):]
        dest.parent.mkdir(parents=True, exist_ok=True)
        print(f"`{remote_src.alias.name}/{remote_src.bucket}/{key}` -> `{dest}`")
        _s3(f"download `{key}`", partial(client.download_file, remote_src.bucket, key, str(dest),
                                         Config=TRANSFER))
    return 0


def _stamp(when: datetime | None) -> str:
    return f"[{when:%Y-%m-%d %H:%M:%S} UTC]" if when else "[" + " " * 23 + "]"


def cmd_ls(args: argparse.Namespace) -> int:
    remote = _remote(args.target, need_bucket=False)
    client = remote.alias.client()
    if not remote.bucket:
        for bucket in _s3("list buckets", client.list_buckets).get("Buckets", []):
            print(f"{_stamp(bucket.get('CreationDate'))}      0B {bucket['Name']}/")
        return 0
    prefix = remote.prefix
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    params: ListObjectsV2RequestPaginateTypeDef = {"Bucket": remote.bucket, "Prefix": prefix}
    if not args.recursive:
        params["Delimiter"] = "/"
    pages = _s3(f"list `{remote}`",
                lambda: list(client.get_paginator("list_objects_v2").paginate(**params)))
    for page in pages:
        for common in page.get("CommonPrefixes", []):
            print(f"{_stamp(None)}      0B {common['Prefix'][len(prefix):]}")
        for obj in page.get("Contents", []):
            print(f"{_stamp(obj['LastModified'])} {_human(obj['Size']):>7} STANDARD "
                  f"{obj['Key'][len(prefix):]}")
    return 0


def cmd_rm(args: argparse.Namespace) -> int:
    remote = _remote(args.target)
    client = remote.alias.client()
    if not args.recursive:
        _s3(f"remove `{remote}`", lambda: client.delete_object(Bucket=remote.bucket,
                                                               Key=remote.prefix))
        print(f"Removed `{remote}`.")
        return 0
    if not args.force:
        raise ToolError("Removal requires --force flag. This operation is *IRREVERSIBLE*. "
                        "Please review carefully before performing this *DANGEROUS* operation.")
    for key in sorted(_remote_objects(client, remote, remote.prefix)):
        _s3(f"remove `{key}`", partial(client.delete_object, Bucket=remote.bucket, Key=key))
        print(f"Removed `{remote.alias.name}/{remote.bucket}/{key}`.")
    return 0


def cmd_alias(args: argparse.Namespace) -> int:
    if args.action == "set":
        if len(args.values) != 4:
            raise ToolError("usage: mc alias set ALIAS URL ACCESSKEY SECRETKEY", USAGE_EXIT)
        name, url, access, secret = args.values
        set_alias(name, url, access, secret)
        print(f"Added `{name}` successfully.")
    elif args.action == "rm":
        if len(args.values) != 1:
            raise ToolError("usage: mc alias rm ALIAS", USAGE_EXIT)
        remove_alias(args.values[0])
        print(f"Removed `{args.values[0]}` successfully.")
    else:
        for name, alias in sorted(aliases().items()):
            print(f"{name}\n  URL       : {alias.url}\n  AccessKey : {alias.access_key}\n"
                  "  SecretKey : ********\n  API       : s3v4\n  Path      : auto\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mc", description="MinIO client (emulated subset)")
    sub = parser.add_subparsers(dest="command", required=True)
    alias = sub.add_parser("alias")
    alias.add_argument("action", choices=["set", "rm", "ls", "list"])
    alias.add_argument("values", nargs="*")
    alias.set_defaults(run=cmd_alias)
    mirror = sub.add_parser("mirror")
    mirror.add_argument("--overwrite", action="store_true")
    mirror.add_argument("--remove", action="store_true")
    mirror.add_argument("source")
    mirror.add_argument("target")
    mirror.set_defaults(run=cmd_mirror)
    cp = sub.add_parser("cp")
    cp.add_argument("--recursive", "-r", action="store_true")
    cp.add_argument("source")
    cp.add_argument("target")
    cp.set_defaults(run=cmd_cp)
    ls = sub.add_parser("ls")
    ls.add_argument("--recursive", "-r", action="store_true")
    ls.add_argument("target")
    ls.set_defaults(run=cmd_ls)
    rm = sub.add_parser("rm")
    rm.add_argument("--recursive", "-r", action="store_true")
    rm.add_argument("--force", action="store_true")
    rm.add_argument("target")
    rm.set_defaults(run=cmd_rm)
    return parser


def main(args: list[str]) -> int:
    try:
        parsed = _parser().parse_args(args)
    except SystemExit as exc:  # argparse printed the usage error already
        return int(exc.code or 0)
    code: int = parsed.run(parsed)
    return code


def entrypoint() -> int:
    return run_tool("mc", main, label="<ERROR>")
