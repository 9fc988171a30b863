"""What others on a node could see: every command line of the run while it goes (the
emulated nodes' processes are ordinary processes here, children of the test's emulator, so
this is the node's process list), and the bytes left on a node's disk afterwards."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def descendants(root: int) -> dict[int, str]:
    """Every live process below `root`, by pid, with its command line."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return {pid: _cmdline(pid) for pid in found}


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _command_lines() -> set[str]:
    """The command lines of this process's descendants: the emulated nodes' processes, the
    engine and its plugins. Other tests' processes (the suite runs on several workers)
    are not this run's."""
    return {line for line in descendants(os.getpid()).values() if line}


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
