"""11.6: a `pulumi up` killed with SIGKILL (its whole process group, as a CI runner kills a
job) leaves no engine plugin working, and the README's recovery, run exactly as written
and at once, lets the next `up` converge with no duplicate.

The engine starts every plugin (language host, providers) in its own process group, so
killing the run's group does not reach them: each must notice that its engine is gone.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration.harness import FULL_STACK, Deployment, use_stock_host
from tests.integration.node_watch import descendants
from tests.reliability.matrix import EMPTY, matrix_stack, phase_seen, wait_until

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

# How long a plugin may take to notice its engine is gone.
GRACE_SECONDS = 10.0


def running(pids: dict[int, str]) -> dict[int, str]:
    """Those of `pids` still alive and not zombies (a zombie does no work)."""
    alive = {}
    for pid, cmd in pids.items():
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive[pid] = cmd
    return alive


def readme_recovery() -> str:
    """The recovery commands of README "After an interrupted run", as a user copies them."""
    text = (ROOT / "README.md").read_text()
    section = text.split("**After an interrupted run**", 1)[1]
    match = re.search(r"```bash\n(.*?)```", section, re.S)
    assert match, "README: no recovery commands after 'After an interrupted run'"
    return match.group(1)


def readme_recovery_for(dep: Deployment) -> str:
    """The README's recovery with its placeholders filled in for `dep`'s stack."""
    script = readme_recovery()
    for placeholder, value in (("<stack>", dep.stack.name),
                               ("<the stack's backend>", dep.env["PULUMI_BACKEND_URL"]),
                               ("<its passphrase>", dep.env["PULUMI_CONFIG_PASSPHRASE"]),
                               ("source scripts/env.sh", f"source {ROOT}/scripts/env.sh")):
        assert placeholder in script, f"README recovery: {placeholder!r} is gone; update this test"
        script = script.replace(placeholder, value)
    return script


@pytest.mark.parametrize(("phase", "busy_plugin", "stock_host"), [
    ("upload", "riva_tir.providers.host", False),
    ("conversion", "pulumi-resource-command", False),
    ("upload", "-m pulumi.dynamic", True),  # the SDK's own provider host, as a stock Pulumi CLI runs it
])
def test_sigkill_leaves_no_plugin_working_and_readme_recovery_converges(
        tmp_path: Path, phase: str, busy_plugin: str, stock_host: bool) -> None:
    with matrix_stack(tmp_path, artifact_bytes=24 << 20) as dep:
        if stock_host:
            use_stock_host(dep)
        dep.transitions({"node.create": 1.5, "endpoint.deploy": 1.5})
        proc = dep.cli("up", "--yes", "--skip-preview")
        assert wait_until(lambda: phase_seen(dep, phase), proc), f"{phase} never seen"
        plugins = descendants(proc.pid)
        assert any(busy_plugin in cmd for cmd in plugins.values()), plugins
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        killed = time.monotonic()

        # At once, as a user or a CI retry would.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_recovery_for(dep)],
                              cwd=dep.stack.workspace.work_dir, env=env, capture_output=True, text=True,
                              timeout=600)
        while running(plugins) and time.monotonic() < killed + GRACE_SECONDS:
            time.sleep(0.1)
        left = running(plugins)
        for pid in left:  # not to the next test
            os.kill(pid, signal.SIGKILL)
        assert not left, f"still working {GRACE_SECONDS:.0f} s after the run was killed: {left}"
        assert done.returncode == 0, done.stdout + done.stderr
        assert "removed the lock of a dead run" in done.stdout, done.stdout

        dep.transitions("instant")
        dep.stack.up()
        assert dep.counts() == FULL_STACK
        dep.stack.destroy()
        assert dep.counts() == EMPTY
