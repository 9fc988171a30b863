"""Fixture of the team tests: one instant emulator, a project folder and an artifact (`team`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.team.stacks import Team, project_dir
from riva_tir.emulator import EmulatorServer
from riva_tir.emulator.riva_tools import make_riva_archive


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Team]:
    emulator = EmulatorServer(port=0, data_dir=tmp_path / "emulator", speed="instant")
    emulator.start()
    try:
        artifact = tmp_path / "parakeet.riva"
        make_riva_archive(artifact, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 20)
        yield Team(emulator, tmp_path, project_dir(tmp_path), artifact)
    finally:
        emulator.stop()
