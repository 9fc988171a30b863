"""Scenario 3: `pulumi up` killed (SIGINT, SIGKILL) while the node is creating, the model
uploading, the conversion running or an endpoint deploying; `recover`, then `up`
adopts what the killed run made: no duplicate, no orphan.

CI runs four seeded points (every phase, both signals); the full count:
`scripts/reliability interrupts`.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.matrix import PHASES, interrupt_points, run_interrupts

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

CI_POINTS = 4


def test_sample_covers_every_phase_and_signal() -> None:
    points = interrupt_points(CI_POINTS, seed=0)
    assert {p.phase for p in points} == set(PHASES)
    assert len({p.sig for p in points}) == 2


def test_interrupted_runs_recover_without_duplicates_or_orphans(tmp_path: Path) -> None:
    table = run_interrupts(CI_POINTS, seed=0, tmp=tmp_path)
    print(table.render())
    assert [r.failure for r in table.results] == [""] * CI_POINTS
    assert sum(r.duplicates + r.leaks for r in table.results) == 0
