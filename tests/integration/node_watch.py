"""What others on a node could see: every command line on this machine while a run goes
(the emulated nodes' processes are ordinary processes here, so this is the node's process
list), and the bytes left on a node's disk afterwards."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _command_lines() -> set[str]:
    lines = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            raw = cmdline.read_bytes()
        except OSError:  # the process ended meanwhile
            continue
        if raw:
            lines.add(raw.replace(b"\0", b" ").decode(errors="replace"))
    return lines


@contextmanager
def process_list() -> Iterator[set[str]]:
    """Collects every distinct command line seen (polled every few ms) until the block ends."""
    seen: set[str] = set()
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            seen.update(_command_lines())
            done.wait(0.005)

    watcher = threading.Thread(target=poll, name="process-list", daemon=True)
    watcher.start()
    try:
        yield seen
    finally:
        done.set()
        watcher.join()


def disk_bytes(disk: Path) -> bytes:
    """Everything under a node's disk (names and contents), to search for secrets."""
    parts = []
    for path in sorted(disk.rglob("*")):
        parts.append(str(path).encode())
        if path.is_file() and not path.is_symlink():
            parts.append(path.read_bytes())
    return b"\n".join(parts)


def leaked(secrets: dict[str, str], text: str | bytes) -> list[str]:
    """Names of the secrets that appear in `text`."""
    data = text.encode() if isinstance(text, str) else text
    return sorted(name for name, value in secrets.items() if value.encode() in data)
