"""Every benchmark runs, so none can rot unseen: `python -m bench --quick --only <part>` (small
files, short delays, fewer deployments) as README "Benchmarks" documents it, one part per test
so that the parts run side by side, each into a folder of its own. Their figures are not
judged here (the suite's other workers share the machine): the committed bench/results.md
comes from a full run on an idle one."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import upload
from bench.__main__ import PARTS
from tests.conftest import ROOT

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

# The rows of the table each part writes.
ROWS = {"full": ("1 no-op preview", "2 no-op up", "3 API calls: refresh", "5 end-to-end up"),
        "upload": ("4 upload",), "scale": ("6 scale N=2",)}


def test_the_parts_are_all_tested() -> None:
    assert set(ROWS) == set(PARTS)


@pytest.mark.parametrize("part", PARTS)
def test_every_benchmark_runs_quick(tmp_path: Path, part: str) -> None:
    run = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", part, "--out", str(tmp_path)],
                         cwd=ROOT,
                         env={**os.environ, "PATH": f"{ROOT / '.tools' / 'bin'}{os.pathsep}{os.environ['PATH']}"},
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results) == {part}
    table = (tmp_path / "results.md").read_text()
    for row in ROWS[part]:
        assert f"| {row}" in table, row
    if part == "full":
        # The second floor carries the deployed resources' properties: the node's plan, and
        # a secret input only as a placeholder.
        graph = json.loads((tmp_path / "run" / "floor-graph.json").read_text())
        node = next(item["properties"] for item in graph if item["name"].endswith("-node"))
        assert node["plan"] and node["credentials"] == "[secret]" and "node_id" in node, node
        assert results["full"]["property_floor_s"] > 0 and "with riva-tir's properties" in table
    if part == "upload":
        rows = results["upload"]["sizes"]
        assert all(r["product_s"] > 0 and r["raw_s"] > 0 for r in rows)
        assert all(len(r["product_samples_s"]) == len(r["raw_samples_s"]) == upload.QUICK_REPEATS for r in rows)
    if part == "scale":
        assert [r["n"] for r in results["scale"]["rows"]] == [1, 2]
        assert all(r["property_floor_preview_s"] > 0 for r in results["scale"]["rows"])
