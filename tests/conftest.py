"""Shared fixtures: the project's engine environment for real Pulumi runs."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from pulumi import automation as auto

from components.providers.host import PROVIDER_THREADS

ROOT = Path(__file__).resolve().parents[1]


def engine_env(backend_dir: Path, passphrase: str = "test-passphrase") -> dict[str, str]:
    """Environment for a real engine run with a throwaway file backend.

    Mirrors scripts/env.sh: the project's engine first on PATH, the project's PULUMI_HOME
    (where set-up installed the command plugin), this interpreter for the program and as
    many steps at once as the provider host serves.
    """
    bin_dir = ROOT / ".tools" / "bin"
    if not (bin_dir / "pulumi").exists() and not _system_pulumi():
        raise RuntimeError("no Pulumi engine: run scripts/setup first (scripts/test does)")
    return {
        "PATH": f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PULUMI_HOME": str(ROOT / ".tools" / "pulumi-home"),
        "PULUMI_BACKEND_URL": backend_dir.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": sys.executable,
        "PULUMI_PARALLEL": str(PROVIDER_THREADS),
    }


def pulumi_command() -> auto.PulumiCommand:
    """The CLI scripts/setup chose: the project's build, else a compatible one on PATH."""
    tools = ROOT / ".tools"
    return auto.PulumiCommand(root=str(tools)) if (tools / "bin" / "pulumi").exists() else auto.PulumiCommand()


def workspace_options(env: dict[str, str], **kwargs: object) -> auto.LocalWorkspaceOptions:
    """Automation API options for a real engine run with the project's engine."""
    return auto.LocalWorkspaceOptions(env_vars=env, pulumi_command=pulumi_command(), **kwargs)  # type: ignore[arg-type]


def _system_pulumi() -> bool:
    return any((Path(p) / "pulumi").exists() for p in os.environ.get("PATH", "").split(os.pathsep))


@pytest.fixture
def pulumi_env(tmp_path: Path) -> dict[str, str]:
    backend = tmp_path / "backend"
    backend.mkdir()
    return engine_env(backend)
