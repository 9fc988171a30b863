"""Shared fixtures (the project's engine environment for real Pulumi runs, a deployed stack)
and the rule that every test carries the markers of its folder's kind."""
from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pulumi import automation as auto

from riva_tir.providers.host import PROVIDER_THREADS

if TYPE_CHECKING:
    from tests.integration.harness import Deployment

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"

# The engine stops its language host with SIGINT and kills it 5 s later. A run started
# where SIGINT is ignored (a background job of a non-interactive shell, as `nohup cmd &`),
# which every child inherits, waited those 5 s in each engine run: a preview took 7 s
# instead of 2 (docs/performance.md, "How the benchmarks run"). Python's own handler is
# reset to the default in the children it starts.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# The kind markers (pyproject.toml) a test carries, by its folder under tests/: (required,
# also allowed). `-m "not engine"` and the like select by kind, so a file must not forget one.
ENGINE_SUITE = (frozenset({"engine"}), frozenset({"emulator"}))  # emulator: where it starts one
FOLDER_MARKERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "unit": (frozenset(), frozenset()),
    "emulator": (frozenset({"emulator"}), frozenset()),
    "contract": (frozenset({"emulator"}), frozenset()),
    "sdk": (frozenset({"emulator"}), frozenset()),
    "engine": ENGINE_SUITE,
    "team": ENGINE_SUITE,
    "bench": (frozenset({"engine", "emulator"}), frozenset()),
    "integration": (frozenset({"engine", "emulator"}), frozenset()),
    "day2": (frozenset({"engine", "emulator"}), frozenset()),
    "reliability": (frozenset({"engine", "emulator"}), frozenset()),
    "live": (frozenset({"live"}), frozenset()),
}
KIND_MARKERS = frozenset({"emulator", "engine", "live"})


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


@functools.cache
def pulumi_command() -> auto.PulumiCommand:
    """The CLI scripts/setup chose: the project's build, else a compatible one on PATH. One
    per worker: making one runs `pulumi version`."""
    tools = ROOT / ".tools"
    return auto.PulumiCommand(root=str(tools)) if (tools / "bin" / "pulumi").exists() else auto.PulumiCommand()


def workspace_options(env: dict[str, str], **kwargs: object) -> auto.LocalWorkspaceOptions:
    """Automation API options for a real engine run with the project's engine."""
    if "pulumi_command" not in kwargs:
        kwargs["pulumi_command"] = pulumi_command()
    return auto.LocalWorkspaceOptions(env_vars=env, **kwargs)  # type: ignore[arg-type]


def _system_pulumi() -> bool:
    return any((Path(p) / "pulumi").exists() for p in os.environ.get("PATH", "").split(os.pathsep))


@pytest.fixture
def pulumi_env(tmp_path: Path) -> dict[str, str]:
    backend = tmp_path / "backend"
    backend.mkdir()
    return engine_env(backend)


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    """A configured full stack against its own instant emulator; destroyed afterwards."""
    from tests.integration.harness import open_stack, running_emulator

    with running_emulator(tmp_path / "emulator") as emulator:
        dep = open_stack(tmp_path, emulator)
        yield dep
        dep.clear_faults()
        dep.stack.destroy()


# Folders by how long their tests take, longest first. xdist hands each worker a contiguous
# part of the list, so the list is dealt into one lane per worker: each starts on its share
# of the long scenarios, and the short tests fill in at the end.
RUN_ORDER = ("day2", "reliability", "integration", "team", "bench", "engine", "sdk", "emulator", "contract",
             "unit", "live")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Fail collection when a test's kind markers are not its folder's; long folders first."""
    ordered = sorted(items, key=lambda item: RUN_ORDER.index(_folder(item)) if _folder(item) in RUN_ORDER
                     else len(RUN_ORDER))
    lanes = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    items[:] = [item for lane in range(lanes) for item in ordered[lane::lanes]]
    wrong = []
    for item in items:
        folder = _folder(item)
        if folder not in FOLDER_MARKERS:
            wrong.append(f"{item.nodeid}: tests/{folder}/ has no marker rule in tests/conftest.py FOLDER_MARKERS")
            continue
        required, allowed = FOLDER_MARKERS[folder]
        kinds = {m.name for m in item.iter_markers()} & KIND_MARKERS
        if not required <= kinds <= required | allowed:
            wrong.append(f"{item.nodeid}: markers {sorted(kinds)}; tests/{folder}/ needs {sorted(required)}"
                         + (f", may add {sorted(allowed)}" if allowed else "") + " (pytestmark)")
    if wrong:
        raise pytest.UsageError("test markers do not match their folders:\n  " + "\n  ".join(wrong))


def _folder(item: pytest.Item) -> str:
    return item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
