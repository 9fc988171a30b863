"""Recovery after an interrupted `pulumi up` (Ctrl-C, a killed CI job, a crashed machine).

A killed run leaves two things behind: the file backend's lock, held by a process that no
longer exists, and "pending creates", resources the engine started creating but never
recorded. `recover` removes the lock only when its process is gone (same host, dead
pid), then takes back what those pending creates made in TIR: each is looked up by the
name Pulumi recorded for it, finished as its create would have finished it, and written
into the stack's state. It then refreshes with the other pending creates cleared. The
next `up` creates only what the killed run had not made: nothing is duplicated or
orphaned, and a provider's create never takes over a name (docs/day2.md, "Ownership").

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

from typing import Any

from pulumi import automation as auto

from riva_tir.stack_state import PROVIDER_KEY, conceal, export, import_, is_secret, provider_of, reveal

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
    for attempt in range(2):
        try:
            done += [f"took back {what}" for what in take_back_pending_creates(stack)]
            stack.refresh(clear_pending_creates=True)
            done.append("refreshed, pending creates cleared")
            return done
        except auto.CommandError as exc:
            lock = stale_lock(str(exc))
            if lock is None or attempt:
                raise
            stack.cancel()
            done.append(f"removed the lock of a dead run ({lock.name})")
    return done


def take_back_pending_creates(stack: auto.Stack) -> list[str]:
    """Records in `stack`'s state what its pending creates made in TIR; what it took."""
    version, deployment = export(stack)
    pending, taken = [], []
    for op in deployment.get("pending_operations") or []:
        state = op.get("resource") or {}
        made = _made(state) if op.get("type") == "creating" else None
        if made is None:
            pending.append(op)
            continue
        deployment.setdefault("resources", []).append({**state, "id": made[0], "outputs": made[1]})
        taken.append(f"{str(state.get('urn', '')).rsplit('::', 1)[-1]} (id {made[0]})")
    if taken:
        deployment["pending_operations"] = pending
        import_(stack, version, deployment)
    return taken


def _made(state: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The id and outputs (secrets kept secret) of what a pending create made, if anything."""
    inputs = state.get("inputs") or {}
    provider = provider_of(inputs)
    if not hasattr(provider, "take_back"):
        return None
    found = provider.take_back({k: v for k, v in reveal(inputs).items() if k != PROVIDER_KEY})
    if found is None:
        return None
    resource_id, outputs = found
    secret = {k for k, v in inputs.items() if is_secret(v)} | set(state.get("additionalSecretOutputs") or [])
    recorded = {k: conceal(v) if k in secret else v for k, v in outputs.items()}
    return resource_id, {**recorded, PROVIDER_KEY: inputs[PROVIDER_KEY]}


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
