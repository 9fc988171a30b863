"""A sample of the day-2 change matrix (tests/day2/changes.py) on every run: each change's
preview lists exactly what its `up` does, and that is what the change should do."""
from __future__ import annotations

import pytest

from tests.day2.changes import SAMPLE, render, run

pytestmark = [pytest.mark.engine, pytest.mark.emulator]


def test_sampled_changes_preview_what_up_does() -> None:
    rows = run(list(SAMPLE))
    assert [r.name for r in rows] == list(SAMPLE)
    assert all(r.ok for r in rows), render(rows)
