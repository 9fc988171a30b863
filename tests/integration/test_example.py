"""examples/two-deployments as a user runs it: riva-tir built as a wheel and installed into
the example's own fresh virtualenv (with its dependencies, none of the emulator's), then
`pulumi up` of its two deployments against the emulator, and `destroy`. Nothing of this
checkout is on the program's path."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pulumi import automation as auto

from tests.conftest import ROOT, engine_env, workspace_options
from tests.integration.harness import FULL_STACK, Deployment, base_config, running_emulator
from riva_tir.emulator import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN
from riva_tir.emulator.riva_tools import make_riva_archive

pytestmark = [pytest.mark.engine, pytest.mark.emulator]


def _wheel(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(out), str(ROOT)], check=True)
    return next(out.glob("riva_tir-*.whl"))


def test_the_example_installs_from_a_wheel_and_deploys_two(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path / "dist")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names if not n.startswith("riva_tir-")} == {"riva_tir"}
    assert "riva_tir/audio/amiable.wav" in names and "riva_tir/tir/py.typed" in names

    project = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "two-deployments", project)
    venv = project / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)], check=True)
    # The package's own dependencies only: not the emulator's.
    assert subprocess.run([str(python), "-c", "import flask"], capture_output=True).returncode != 0

    backend = tmp_path / "state"
    backend.mkdir()
    env = {**engine_env(backend), "PULUMI_PYTHON_CMD": str(python)}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != str(Path(sys.executable).parent))
    make_riva_archive(project / "parakeet.riva", model="parakeet-ctc-0.6b-en-us", key="tlt_encode",
                      size_bytes=1 << 20)
    with running_emulator(tmp_path / "emulator") as emulator:
        stack = auto.create_stack("dev", work_dir=str(project), opts=workspace_options(env, secrets_provider="passphrase"))
        dep = Deployment(stack, emulator, project / "parakeet.riva", tmp_path, env)
        for key, value in {**base_config(emulator, dep.artifact), "riva-tir:model.file": "parakeet.riva"}.items():
            dep.set(key, value)
        dep.set("riva-tir:tirApiKey", DEFAULT_API_KEY, secret=True)
        dep.set("riva-tir:tirAuthToken", DEFAULT_AUTH_TOKEN, secret=True)
        try:
            out = dep.stack.up().outputs
            assert out["asr-en_names"].value.startswith("rt-dev-asr-en-")
            assert out["asr-hi_names"].value.startswith("rt-dev-asr-hi-")
            assert dep.counts() == {k: 2 * n for k, n in FULL_STACK.items()}
            dep.stack.preview(expect_no_changes=True)
        finally:
            dep.stack.destroy()
        assert dep.counts() == dict.fromkeys(FULL_STACK, 0)
