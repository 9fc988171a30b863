"""The command plugin's own Go unit tests (diff rules, env quoting, streaming, SFTP copy)
run as part of the suite, so CI checks the Go code it builds."""
from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.engine


def test_go_unit_tests_pass() -> None:
    # The flags engine/build.sh builds the plugin with: the packages set-up compiled are
    # reused from Go's build cache, so a cold machine compiles only the tests here.
    run = subprocess.run(["go", "test", "-trimpath", "-tags", "osusergo,grpcnotrace", "./..."],
                         cwd=ROOT / "engine" / "command",
                         env={**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=readonly", "CGO_ENABLED": "0"},
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "FAIL" not in run.stdout
    assert "ok  \trivatir.local/engine/command/remote" in run.stdout
