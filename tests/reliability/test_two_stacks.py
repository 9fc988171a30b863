"""Scenario 10: two stacks of one project, deployed at once into one TIR project, never
touch each other's resources."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.integration.harness import FULL_STACK, open_stack, running_emulator

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

EMPTY = dict.fromkeys(FULL_STACK, 0)


def test_two_stacks_at_once(tmp_path: Path) -> None:
    with running_emulator(tmp_path / "emulator") as emulator:
        alpha, beta = open_stack(tmp_path, emulator, "alpha"), open_stack(tmp_path, emulator, "beta")
        try:
            with ThreadPoolExecutor(2) as pool:
                ups = [pool.submit(s.stack.up) for s in (alpha, beta)]
                outs = [{k: v.value for k, v in f.result().outputs.items()} for f in ups]
            assert alpha.counts("rt-alpha-") == FULL_STACK and alpha.counts("rt-beta-") == FULL_STACK
            assert alpha.counts() == {k: 2 * n for k, n in FULL_STACK.items()}
            assert outs[0]["node_id"] != outs[1]["node_id"]

            # Drift refresh of one sees nothing of the other; destroying one leaves the other whole.
            assert "update" not in dict(alpha.stack.refresh().summary.resource_changes or {})
            alpha.stack.destroy()
            assert alpha.counts("rt-alpha-") == EMPTY and alpha.counts("rt-beta-") == FULL_STACK
            beta.stack.preview(expect_no_changes=True)
        finally:
            alpha.stack.destroy()
            beta.stack.destroy()
        assert beta.counts() == EMPTY
