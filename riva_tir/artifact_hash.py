"""sha256 of local model files, cached by file identity.

Every `pulumi preview`/`up` needs the hash of a possibly multi-GB model to decide whether
to re-upload it. Re-hashing an unchanged file is the slowest part of a no-op run, so the
hash is kept in a cache keyed by (path, device, inode, size, mtime_ns, ctime_ns): any
write, truncate, replace or touch changes one of those, so a stale hash is never used.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

CHUNK = 8 << 20


def _identity(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}|{st.st_dev}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}"


def sha256_file(path: Path, cache_dir: Path | None) -> str:
    """The file's sha256, from the cache when the file is unchanged since it was hashed."""
    identity = _identity(path)
    entry = None
    if cache_dir is not None:
        entry = cache_dir / (hashlib.sha256(identity.encode()).hexdigest() + ".json")
        try:
            cached = json.loads(entry.read_text())
            if cached.get("identity") == identity:
                return str(cached["sha256"])
        except (OSError, ValueError, KeyError):
            pass
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    value = digest.hexdigest()
    if entry is not None and _identity(path) == identity:  # unchanged while we read it
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"identity": identity, "sha256": value}))
        tmp.replace(entry)
    return value
