"""Hostile model file names through real `up` runs: the name reaches the node's shell only as
data. If any part of it ran, a PWNED-* file would appear on the node's disk, in this
machine's temp folder or in the working folders; none does, and the stack converges."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.integration.harness import KINDS, Deployment, triton_index
from riva_tir.emulator.riva_tools import make_riva_archive

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

# Each would create a PWNED-* file where it ran: in the node's home (its disk), or the
# current folder of whatever ran it.
NAMES = [
    "m $(touch PWNED-subst) `touch PWNED-tick` ;touch PWNED-semi; 'q\"uote && touch PWNED-and.riva",
    "new\nline $IFS${IFS}touch${IFS}PWNED-ifs | touch PWNED-pipe ünï 模型.riva",
]


def _pwned(trees: list[Path], folders: list[Path]) -> list[str]:
    """PWNED-* files anywhere in `trees`, or directly in `folders`."""
    found = [p for root in trees for p in root.rglob("PWNED*")]
    found += [p for folder in folders for p in folder.glob("PWNED*")]
    return sorted(str(p) for p in found)


def test_hostile_model_file_names_stay_data(deployment: Deployment, tmp_path: Path) -> None:
    dep = deployment
    folders = [Path(tempfile.gettempdir()), Path.cwd(), Path(os.path.expanduser("~"))]
    for seed, name in enumerate(NAMES):
        model = tmp_path / "models" / name
        model.parent.mkdir(exist_ok=True)
        make_riva_archive(model, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 18, seed=seed)
        dep.set("riva-tir:model.file", str(model))
        dep.stack.up()
        out = dep.outputs()
        disk = dep.emulator.state.machines.disk_path(out["node_id"])
        # The file arrived under its own name, as the same bytes.
        arrived = [p for p in disk.rglob("*.riva") if p.name == name]
        assert arrived and arrived[0].read_bytes() == model.read_bytes()
        assert _pwned([disk, tmp_path], folders) == [], name
        index = triton_index(out["triton_grpc"])
        assert {m["state"] for m in index["models"]} == {"READY"}
        dep.stack.preview(expect_no_changes=True)
    dep.stack.destroy()
    assert dep.counts() == dict.fromkeys(KINDS, 0)
