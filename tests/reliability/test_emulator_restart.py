"""Scenario 4: the TIR API goes away and comes back (emulator restart, same data) in the
middle of `up`: the run waits through it (the client's retries) or fails cleanly; the
next `up` converges and nothing is lost."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.integration.harness import FULL_STACK, open_stack, running_emulator
from tests.reliability.matrix import phase_seen, wait_until

pytestmark = [pytest.mark.engine, pytest.mark.emulator]


def test_restart_while_node_creates_and_endpoint_deploys(tmp_path: Path) -> None:
    with running_emulator(tmp_path / "emulator") as emulator:
        dep = open_stack(tmp_path, emulator)
        try:
            dep.transitions({"node.create": 2, "endpoint.deploy": 2})
            proc = dep.cli("up", "--yes", "--skip-preview")
            addresses = (emulator.port, emulator.grpc_address)
            for phase in ("node-creating", "endpoint-deploying"):
                assert wait_until(lambda: phase_seen(dep, phase), proc), phase
                emulator.stop()
                time.sleep(1.5)
                emulator.start()
                # The stack's apiRoot and data-plane address still point at it.
                assert (emulator.port, emulator.grpc_address) == addresses
            code = proc.wait(timeout=300)
            log = (tmp_path / "pulumi-it.log").read_text()
            assert "Traceback" not in log
            if code != 0:  # failing is allowed, but cleanly: a connection error, named
                assert "error:" in log and "Connection" in log, log[-2000:]

            dep.stack.up()
            assert dep.counts() == FULL_STACK
            dep.stack.preview(expect_no_changes=True)
        finally:
            dep.stack.destroy()
        assert not any(dep.counts().values())
