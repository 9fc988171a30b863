"""scripts/local-stack.sh: the local stack's scripts check its state for a migration once per
state and per migration rules, not on every `scripts/pulumi-local` command."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.engine


def _select(root: Path) -> None:
    """`select_local_stack` as the scripts run it, with the local stack's state (and the
    migration rules it hashes) under `root`; `python` logs each run to `root/runs`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    subprocess.run(["bash", "-c", 'set -euo pipefail; source scripts/env.sh; RIVA_TIR_ROOT="$1"; '
                    'PATH="$1/bin:$PATH"; source scripts/local-stack.sh; select_local_stack', "-", str(root)],
                   cwd=ROOT, env=env, check=True, capture_output=True, text=True)


def _migrations(root: Path) -> int:
    runs = root / "runs"
    return sum("riva_tir.migrate" in line for line in runs.read_text().splitlines()) if runs.exists() else 0


def test_migration_check_runs_once_per_state_and_rules(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    python = tmp_path / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$*" >> {tmp_path}/runs\nexec {ROOT}/.venv/bin/python "$@"\n')
    python.chmod(0o755)
    (tmp_path / "riva_tir").mkdir()
    rules = tmp_path / "riva_tir" / "migrate.py"
    shutil.copy(ROOT / "riva_tir" / "migrate.py", rules)

    _select(tmp_path)
    state = tmp_path / ".state" / ".pulumi" / "stacks" / "riva-tir" / "local.json"
    assert state.exists() and _migrations(tmp_path) == 1
    _select(tmp_path)
    assert _migrations(tmp_path) == 1  # nothing changed: no second export

    state.write_text(state.read_text() + "\n")  # the state written again
    _select(tmp_path)
    assert _migrations(tmp_path) == 2
    rules.write_text(rules.read_text() + "\n# a later riva-tir's rules\n")
    _select(tmp_path)
    assert _migrations(tmp_path) == 3
    _select(tmp_path)
    assert _migrations(tmp_path) == 3
