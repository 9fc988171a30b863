"""Scenario 1: `up` then `destroy` of the full stack while 5-20 % of TIR calls fail.

CI runs a small seeded sample; the full 100 runs: `scripts/reliability faults`.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.matrix import run_faults

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

CI_RUNS = 3


def test_seeded_fault_runs_converge(tmp_path: Path) -> None:
    table = run_faults(CI_RUNS, seed=1000, tmp=tmp_path)
    print(table.render())
    assert [r.failure for r in table.results] == [""] * CI_RUNS
    assert all(r.converged and r.duplicates == 0 and r.leaks == 0 for r in table.results)
    assert all(r.faults > 0 for r in table.results)  # the plan really fired in every run
