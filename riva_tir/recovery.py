"""Recovery after an interrupted `pulumi up` (Ctrl-C, a killed CI job, a crashed machine).

A killed run leaves two things behind: the file backend's lock, held by a process that no
longer exists, and "pending creates", resources the engine started creating but never
recorded. `recover` removes the lock only when its process is gone (same host, dead
pid), then refreshes with the pending creates cleared. The next `up` creates those
resources again, and every provider's create first looks up its deterministic TIR name
and adopts what the killed run made, so nothing is duplicated or orphaned.

    python -m riva_tir.recovery --stack local     # what `scripts/pulumi-local recover` runs
"""
from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sys
from pathlib import Path
from urllib.parse import urlparse

from pulumi import automation as auto

_LOCK_RE = re.compile(r"(file://\S+?\.json)")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_lock(message: str) -> Path | None:
    """The lock file named in a "stack is currently locked" error, if its process is dead
    on this host; None when it may still be running (or lives on another host)."""
    match = _LOCK_RE.search(message)
    if match is None:
        return None
    path = Path(urlparse(match.group(1)).path)
    try:
        lock = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if lock.get("hostname") != socket.gethostname() or _pid_alive(int(lock.get("pid", 0))):
        return None
    return path


def recover(stack: auto.Stack) -> list[str]:
    """Make `stack` ready for the next `up` after an interrupted one; returns what it did."""
    done: list[str] = []
    for _ in range(2):
        try:
            stack.refresh(clear_pending_creates=True)
            done.append("refreshed, pending creates cleared")
            return done
        except auto.CommandError as exc:
            lock = stale_lock(str(exc))
            if lock is None or done:
                raise
            stack.cancel()
            done.append(f"removed the lock of a dead run ({lock.name})")
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--cwd", default=".", help="the Pulumi project folder")
    args = parser.parse_args(argv)
    stack = auto.select_stack(args.stack, work_dir=args.cwd)
    for step in recover(stack):
        print(step)
    return 0


if __name__ == "__main__":
    sys.exit(main())
