"""scripts/setup is idempotent: once everything is built, a second run builds nothing."""
from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.engine

BUILT = [".tools/bin/pulumi", ".tools/bin/pulumi-language-python", ".tools/bin/pulumi-language-python-base",
         ".tools/bin/minio", ".tools/bin/actionlint", ".tools/plugins/pulumi-resource-command",
         ".tools/policy-venv/bin/python"]


def _setup() -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    run = subprocess.run([str(ROOT / "scripts" / "setup")], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    return run.stdout + run.stderr


def test_second_setup_builds_nothing() -> None:
    _setup()
    before = {p: (ROOT / p).stat() for p in BUILT if (ROOT / p).exists()}
    out = _setup()
    assert "building" not in out
    assert "installing" not in out
    assert "riva-tir: ready" in out
    after = {p: (ROOT / p).stat() for p in before}
    assert {p: (s.st_ino, s.st_mtime_ns) for p, s in before.items()} == \
        {p: (s.st_ino, s.st_mtime_ns) for p, s in after.items()}
    assert set(before) == set(BUILT)
