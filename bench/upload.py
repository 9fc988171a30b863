"""Benchmark 4: the artifact upload (riva_tir/providers/artifact.py) vs OpenSSH's `sftp`
of the same file to the same emulated node's SSH server on loopback, and the cost of an
unchanged artifact on a later `up` (the program's cached hash) vs `sha256sum`.

Each side runs as its own child process (the upload as the engine's provider process
would run it), so its peak RSS is its own and not this process's, which hosts the node's
SSH server. Each size is uploaded several times by each side, the two taking turns to go
first, and the medians are compared: a single sample of a multi-second copy on a shared
machine moved the 4 GiB ratio from 1.3x to 0.85x between runs (bench/results.md).
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from riva_tir.artifact_hash import sha256_file
from riva_tir.providers.host_keys import pin
from riva_tir.emulator.alternatives import Alternatives
from riva_tir.emulator.machines import MachineHost

SIZES = (1 << 30, 4 << 30)
QUICK_SIZES = (8 << 20, 32 << 20)
REPEATS = 3
QUICK_REPEATS = 2
BLOCK = 64 << 20
NODE_ID = 1


def _file(folder: Path, size: int) -> Path:
    """Incompressible test artifact (a random block repeated), kept between runs."""
    path = folder / f"upload-{size >> 20}MiB.riva"
    if path.exists() and path.stat().st_size == size:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    block = os.urandom(BLOCK)
    with path.open("wb") as f:
        for offset in range(0, size, BLOCK):
            f.write(block[: min(BLOCK, size - offset)])
    return path


def _measured(argv: list[str], log: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one command, run under bench/rusage.py."""
    start = time.perf_counter()
    with log.open("wb") as err:
        done = subprocess.run([sys.executable, "-m", "bench.rusage", *argv], stdout=subprocess.PIPE, stderr=err)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {log.read_text(errors='replace')[-2000:]}")
    return seconds, int(done.stdout.split()[-1])


def _keys(folder: Path) -> tuple[Path, str]:
    key = Ed25519PrivateKey.generate()
    private = folder / "id_ed25519"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                          serialization.NoEncryption()))
    private.chmod(0o600)
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return private, public


def run(out: Path, quick: bool) -> dict[str, Any]:
    work = out / "upload"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    private, public = _keys(work)
    host = MachineHost(work / "machines")
    host.start()
    try:
        port = host.power_on(NODE_ID, [public])
        disk = host.disk_path(NODE_ID)
        rows = [_one(out / "artifacts", size, work, private, port, disk, QUICK_REPEATS if quick else REPEATS)
                for size in (QUICK_SIZES if quick else SIZES)]
    finally:
        host.stop()
        shutil.rmtree(work, ignore_errors=True)
    return {"sizes": rows}


def _one(artifacts: Path, size: int, work: Path, private: Path, port: int, disk: Path,
         repeats: int) -> dict[str, Any]:
    local = _file(artifacts, size)
    cache = work / "hash-cache"
    start = time.perf_counter()
    sha = sha256_file(local, cache)  # first `up`: the program hashes the file (cache cold)
    first_hash = time.perf_counter() - start
    start = time.perf_counter()
    sha256_file(local, cache)  # every later `up`: the unchanged file's hash from the cache
    cached_hash = time.perf_counter() - start
    coreutils, _ = _measured(["sha256sum", str(local)], work / "sha256sum.log")

    # The host key pinned as the node's create pins it; the upload verifies it, as in a stack.
    props = {"node_id": NODE_ID, "ssh_host": "127.0.0.1", "ssh_port": port, "ssh_user": host_user(),
             "ssh_private_key": private.read_text(), "ssh_host_key": pin(f"bench node {NODE_ID}", "127.0.0.1", port, None),
             "source": {"file": str(local)}, "sha256": sha}
    spec = work / "props.json"
    spec.write_text(json.dumps(props))
    spec.chmod(0o600)
    batch = work / "sftp.batch"
    batch.write_text(f"put {local} raw.riva\n")
    sides = {"product": lambda: _product(spec, work, disk), "raw": lambda: _sftp(batch, private, port, disk, size, work)}
    samples: dict[str, list[tuple[float, int]]] = {"product": [], "raw": []}
    for turn in range(repeats):
        for side in (("product", "raw") if turn % 2 == 0 else ("raw", "product")):
            samples[side].append(sides[side]())
    row: dict[str, Any] = {"bytes": size, "first_hash_s": first_hash, "cached_hash_s": cached_hash,
                           "sha256sum_s": coreutils}
    for side, taken in samples.items():
        row[f"{side}_s"] = statistics.median(seconds for seconds, _ in taken)
        row[f"{side}_samples_s"] = [seconds for seconds, _ in taken]
        row[f"{side}_rss"] = max(rss for _, rss in taken)
    return row


def _product(spec: Path, work: Path, disk: Path) -> tuple[float, int]:
    measured = _measured([sys.executable, "-m", "bench.upload_child", str(spec)], work / "upload.log")
    shutil.rmtree(disk / "riva-tir", ignore_errors=True)
    return measured


def _sftp(batch: Path, private: Path, port: int, disk: Path, size: int, work: Path) -> tuple[float, int]:
    measured = _measured([
        "sftp", "-q", "-b", str(batch), "-i", str(private), "-P", str(port),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
        f"{host_user()}@127.0.0.1"], work / "sftp.log")
    if (disk / "raw.riva").stat().st_size != size:
        raise RuntimeError("sftp did not transfer the whole file")
    (disk / "raw.riva").unlink()
    return measured


def host_user() -> str:
    return Alternatives().login_user
