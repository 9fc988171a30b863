"""Stand-ins for NVIDIA's `.riva` (EFF) and `.rmir` files.

ASSUMPTION: the real byte formats are UNKNOWN (docs/riva.md §3). Both stand-ins are plain tar
files holding `manifest.json` first, then one payload member (plus, for RMIR, copied
assets under `assets/`). A model that needs TensorRT plugins says so in its manifest
(`trt_plugins`, file names): the stand-in's way of knowing what the real engine build
would need (docs/emulator.md, "Inside the machines"). The manifest records the format, the model kind and name and, when
encrypted, only a salted check value of the key (see keys.py); the payload is AES-CTR
encrypted with that key. Payloads stream in 1 MiB chunks so multi-GB files never sit in memory.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import tarfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from riva_tir.emulator.riva_tools.cli import ToolError
from riva_tir.emulator.riva_tools.keys import SealedKey, ctr_stream, open_sealed, seal

CHUNK = 1 << 20
EFF_FORMAT = "riva-eff"
RMIR_FORMAT = "riva-rmir"
MANIFEST = "manifest.json"


class ArchiveError(Exception):
    """The file is not a readable archive of the expected format."""


class ChunkReader(io.RawIOBase):
    """File-like view of a chunk iterator, so tarfile can stream a generated payload."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        super().__init__()
        self._chunks = iter(chunks)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        view = memoryview(target)
        while not self._buffer:
            nxt = next(self._chunks, None)
            if nxt is None:
                return 0
            self._buffer = nxt
        count = min(len(view), len(self._buffer))
        view[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count


def random_chunks(seed: int, size: int) -> Iterator[bytes]:
    """`size` pseudo-random bytes, deterministic by `seed`, in 1 MiB chunks."""
    rng = random.Random(seed)
    left = size
    while left > 0:
        step = min(CHUNK, left)
        yield rng.randbytes(step)
        left -= step


def file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def _add_json(tar: tarfile.TarFile, name: str, data: dict[str, Any]) -> None:
    raw = json.dumps(data, indent=2, sort_keys=True).encode()
    info = tarfile.TarInfo(name)
    info.size = len(raw)
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(raw))


def _add_stream(tar: tarfile.TarFile, name: str, size: int, chunks: Iterable[bytes]) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(time.time())
    tar.addfile(info, io.BufferedReader(ChunkReader(chunks), CHUNK))


def seal_payload(
    key: str | None, chunks: Iterable[bytes]
) -> tuple[dict[str, str] | None, Iterable[bytes]]:
    """Encrypt `chunks` with `key` if given; returns the manifest key block and the stream."""
    if key is None:
        return None, chunks
    sealed, cipher_key = seal(key)
    return sealed.as_manifest(), ctr_stream(chunks, cipher_key, sealed.nonce)


@dataclass
class OpenArchive:
    """An opened `.riva`/`.rmir`: its manifest and a way to stream the clear payload."""

    path: Path
    manifest: dict[str, Any]
    tar: tarfile.TarFile

    @property
    def encrypted(self) -> bool:
        return bool(self.manifest.get("encrypted"))

    def unlock(self, key: str | None) -> bytes | None:
        """Check `key` against the manifest; returns the cipher key (None if unencrypted).

        Raises KeyMismatch for a wrong key and LookupError when a key is needed but missing.
        """
        if not self.encrypted:
            return None
        if key is None:
            raise LookupError("the archive is encrypted and no key was given")
        return open_sealed(SealedKey.from_manifest(self.manifest["key"]), key)

    def trt_plugins(self) -> list[str]:
        """The plugin libraries the manifest says the model needs (plain file names)."""
        plugins = self.manifest.get("trt_plugins") or []
        if not isinstance(plugins, list) or not all(
                isinstance(p, str) and p and "/" not in p and p not in (".", "..") for p in plugins):
            raise ToolError(f"{self.path.name}: trt_plugins must be a list of file names")
        return [str(p) for p in plugins]

    def payload_size(self) -> int:
        return int(self.manifest["payload"]["size"])

    def payload(self, cipher_key: bytes | None) -> Iterator[bytes]:
        """The clear payload in chunks (decrypted with `cipher_key` from `unlock`)."""
        handle = self.tar.extractfile(str(self.manifest["payload"]["name"]))
        if handle is None:
            raise ArchiveError(f"{self.path.name}: payload member missing")
        chunks = file_chunks(handle)
        if cipher_key is None:
            return chunks
        return ctr_stream(chunks, cipher_key, str(self.manifest["key"]["nonce"]))

    def member_names(self, prefix: str) -> list[str]:
        return [m.name for m in self.tar.getmembers() if m.name.startswith(prefix) and m.isfile()]

    def read_member(self, name: str) -> bytes:
        handle = self.tar.extractfile(name)
        if handle is None:
            raise ArchiveError(f"{self.path.name}: member {name} missing")
        return handle.read()

    def close(self) -> None:
        self.tar.close()


def open_archive(path: Path, expected_format: str) -> OpenArchive:
    """Open and check the manifest; ArchiveError when it is not that kind of archive."""
    try:
        tar = tarfile.open(path, "r:")
    except (tarfile.TarError, OSError) as exc:
        raise ArchiveError(f"{path.name} is not a valid {expected_format} archive") from exc
    try:
        handle = tar.extractfile(MANIFEST)
        manifest = json.loads(handle.read()) if handle is not None else None
    except (KeyError, ValueError, tarfile.TarError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != expected_format:
        tar.close()
        raise ArchiveError(f"{path.name} is not a valid {expected_format} archive")
    return OpenArchive(path=path, manifest=manifest, tar=tar)


def make_riva_archive(
    path: Path,
    *,
    model: str = "parakeet-ctc-0.6b-en-us",
    key: str | None = "tlt_encode",
    size_bytes: int = 1 << 20,
    kind: str = "asr",
    seed: int = 0,
    trt_plugins: tuple[str, ...] = (),
) -> str:
    """Write a test `.riva` (EFF stand-in) with a pseudo-random payload; returns its sha256.
    `trt_plugins`: the plugin libraries (file names) its engine needs."""
    key_block, chunks = seal_payload(key, random_chunks(seed, size_bytes))
    manifest: dict[str, Any] = {
        "format": EFF_FORMAT,
        "format_version": 1,
        "kind": kind,
        "model": model,
        "exporter": "nemo2riva (emulated)",
        "encrypted": key is not None,
        "payload": {"name": "model_graph.onnx", "size": size_bytes},
    }
    if key_block is not None:
        manifest["key"] = key_block
    if trt_plugins:
        manifest["trt_plugins"] = list(trt_plugins)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:") as tar:
        _add_json(tar, MANIFEST, manifest)
        _add_stream(tar, "model_graph.onnx", size_bytes, chunks)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in file_chunks(handle):
            digest.update(chunk)
    return digest.hexdigest()


def write_rmir(
    path: Path,
    manifest: dict[str, Any],
    *,
    key: str | None,
    payload_size: int,
    payload: Iterable[bytes],
    assets: dict[str, Path],
) -> None:
    """Write an RMIR: manifest, the payload re-encrypted with `key`, and copied assets."""
    key_block, chunks = seal_payload(key, payload)
    full = dict(manifest, format=RMIR_FORMAT, format_version=1, encrypted=key is not None,
                payload={"name": "pipeline.bin", "size": payload_size})
    if key_block is not None:
        full["key"] = key_block
    tmp = path.with_name(path.name + ".partial")
    with tarfile.open(tmp, "w:") as tar:
        _add_json(tar, MANIFEST, full)
        _add_stream(tar, "pipeline.bin", payload_size, chunks)
        for name, source in sorted(assets.items()):
            tar.add(source, arcname=f"assets/{name}", recursive=False)
    tmp.replace(path)
