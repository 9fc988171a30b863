"""Engine runs that the suite and the benchmarks start can be stopped by the engine's
SIGINT, even when the suite itself was started with SIGINT ignored (tests/conftest.py)."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

CHILD = "import signal; print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)"


def _child_ignores_sigint(import_conftest: bool) -> bool:
    parent = "\n".join([
        "import signal, subprocess, sys",
        "signal.signal(signal.SIGINT, signal.SIG_IGN)",  # as in a background job
        "import tests.conftest" if import_conftest else "",
        f"print(subprocess.run([sys.executable, '-c', {CHILD!r}], capture_output=True, text=True).stdout)",
    ])
    out = subprocess.run([sys.executable, "-c", parent], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip() == "True"


def test_children_of_the_suite_take_sigint_even_if_it_was_ignored() -> None:
    assert _child_ignores_sigint(import_conftest=False)  # what a background job's children inherit
    assert not _child_ignores_sigint(import_conftest=True)
