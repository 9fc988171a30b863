"""`scripts/doctor` against the emulator: the right verdict for riva-tir's defaults and for
each alternative the emulator plays (riva_tir/emulator/alternatives.py), the pasted lines making
`up` work, and a probe node that never outlives the doctor."""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time

import pytest
from pulumi import automation as auto

from riva_tir import health
from riva_tir.ingress import SERVING, health_status
from tests.conftest import ROOT
from tests.integration.harness import Deployment
from riva_tir.tir.endpoints import GrpcTarget
from riva_tir.emulator import DEFAULT_AUTH_TOKEN

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

# Each unknown, the alternative the emulator plays, and the line the doctor must print.
ALTERNATIVES = {"ssh_host_field": "public_ip", "ssh_port_field": "port_no", "ssh_user_field": "",
                "login_user": "jovyan", "custom_container_grpc_port": 9000, "project_header": "p-number",
                "status_names": {"running": "active"}}
# What a probe node shows (before any `up`), then what the stack's endpoints show.
PROBED = ["riva-tir:tir.sshFields.host public_ip", "riva-tir:tir.sshFields.port port_no",
          "riva-tir:node.sshUser jovyan", "riva-tir:tir.statusAliases.active running"]
PASTE = [*PROBED, "riva-tir:tir.ingress.projectHeader p-number", "riva-tir:rivaApi.grpcPort 9000"]


def _doctor(dep: Deployment, *args: str) -> subprocess.CompletedProcess[str]:
    """The doctor as a user runs it, in the stack's project folder."""
    return subprocess.run([sys.executable, "-m", "riva_tir.doctor", "--stack", dep.stack.name, *args],
                          cwd=dep.stack.workspace.work_dir, env={**os.environ, **dep.env, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=600)


def _rows(output: str) -> dict[str, str]:
    """check -> result, from the doctor's table."""
    rows = {}
    for line in output.splitlines():
        for result in ("confirmed", "refuted", "unknown"):
            if f"  {result}  " in line:
                rows[line.split(f"  {result}  ")[0].strip()] = result
    return rows


def _pasted(output: str) -> list[str]:
    return [line.split("paste: pulumi config set --path ", 1)[1] for line in output.splitlines()
            if "paste: pulumi config set --path " in line]


def _paste(dep: Deployment, output: str) -> None:
    """Run each `paste:` line the doctor printed, exactly as printed."""
    for line in output.splitlines():
        if "paste: pulumi config set" in line:
            command = shlex.split(line.split("paste: ", 1)[1])
            subprocess.run([*command, "--stack", dep.stack.name], cwd=dep.stack.workspace.work_dir,
                           env={**os.environ, **dep.env}, check=True, capture_output=True)


def test_the_defaults_are_confirmed(deployment: Deployment) -> None:
    dep = deployment
    assert dep.stack.up().summary.result == "succeeded"
    doctor = _doctor(dep)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    rows = _rows(doctor.stdout)
    for check in ("credentials", "plan node.plan", "plan triton.plan", "node image", "triton.image",
                  "gRPC ingress TLS", "ingress project header", "rivaApi.grpcPort", "tir.sshFields", "node.sshUser",
                  "node status", "endpoint status"):
        assert rows.get(check) == "confirmed", (check, doctor.stdout)
    assert "ssh_host" in doctor.stdout and "paste:" not in doctor.stdout
    # Read-only: the stack still previews empty.
    assert not {k: v for k, v in dep.stack.preview().change_summary.items() if k != "same" and v}


def test_each_alternative_is_refuted_and_its_pasted_line_makes_up_work(deployment: Deployment) -> None:
    """A user's first contact: `up` stops, the doctor says which default is wrong and what to
    paste, the user pastes it, and `up` goes further, until it works."""
    dep = deployment
    dep.control.alternatives(**ALTERNATIVES)
    # Endpoint readiness waits for the ingress: short timeouts keep each refuted wait quick.
    dep.set("riva-tir:timeoutsMinutes.endpoint", 1)
    # First the probe (README's walk-through): SSH fields, user and the status names.
    probe = _doctor(dep, "--probe-node", "--yes")
    assert probe.returncode == 1, probe.stdout + probe.stderr
    pasted = _pasted(probe.stdout)
    assert sorted(pasted) == sorted(PROBED), probe.stdout
    assert dep.counts() == dict.fromkeys(dep.counts(), 0)  # the probe left nothing
    _paste(dep, probe.stdout)
    failures: list[str] = []
    for _ in range(len(PASTE)):
        try:
            up = dep.stack.up()
            break
        except auto.CommandError as exc:
            failures.append(str(exc))
        doctor = _doctor(dep)
        assert doctor.returncode == 1, doctor.stdout + doctor.stderr + failures[-1][-3000:]
        lines = _pasted(doctor.stdout)
        assert lines, doctor.stdout  # every failed `up` has a refuted default the doctor names
        pasted += lines
        _paste(dep, doctor.stdout)
    else:
        pytest.fail(f"`up` still fails after pasting {pasted}: {failures[-1][-2000:]}")
    assert up.summary.result == "succeeded"
    assert sorted(pasted) == sorted(PASTE)

    doctor = _doctor(dep)
    assert doctor.returncode == 0 and "refuted" not in _rows(doctor.stdout).values(), doctor.stdout + doctor.stderr
    rows = _rows(doctor.stdout)
    for check in ("ingress project header", "rivaApi.grpcPort", "tir.sshFields", "node.sshUser", "node status",
                  "endpoint status"):
        assert rows[check] == "confirmed", (check, doctor.stdout)
    outputs = dep.outputs()
    riva = GrpcTarget.model_validate(outputs["riva_grpc"])
    assert riva.metadata["e2e-project"] == "p-1"
    assert health_status(riva, DEFAULT_AUTH_TOKEN) == SERVING
    checks = health.verify(outputs, DEFAULT_AUTH_TOKEN)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert not {k: v for k, v in dep.stack.preview().change_summary.items() if k != "same" and v}


def test_a_probe_node_never_outlives_the_doctor(deployment: Deployment) -> None:
    dep = deployment
    assert "--yes" in _doctor(dep, "--probe-node").stderr  # a billed node needs confirming
    probe = _doctor(dep, "--probe-node", "--yes")
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert _rows(probe.stdout)["tir.sshFields"] == "confirmed" and "nothing left" in probe.stdout
    assert dep.counts() == dict.fromkeys(dep.counts(), 0)

    # Killed outright while its node starts: the next doctor run deletes what it left.
    dep.transitions({"node.create": 30})
    for sig in (signal.SIGTERM, signal.SIGKILL):
        proc = subprocess.Popen([sys.executable, "-m", "riva_tir.doctor", "--stack", dep.stack.name,
                                 "--probe-node", "--yes"], cwd=dep.stack.workspace.work_dir,
                                env={**os.environ, **dep.env, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 120
        while not dep.counts()["nodes"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert dep.counts()["nodes"] == 1
        # Before the first `up` the probe draws its own suffix (no other stack's doctor has it).
        assert re.fullmatch(r"rt-it-[a-z0-9]{5}-doctor", dep.inventory()["nodes"][0]["name"]), dep.inventory()
        proc.send_signal(sig)
        proc.wait(timeout=120)
        if sig == signal.SIGTERM:  # unwinds like Ctrl-C: the probe deletes its node and key
            assert dep.counts() == dict.fromkeys(dep.counts(), 0), proc.stdout.read() if proc.stdout else ""
    assert dep.counts()["nodes"] == 1  # SIGKILL left it
    dep.transitions("instant")
    after = _doctor(dep)
    assert _rows(after.stdout)["earlier probe cleaned up"] == "confirmed", after.stdout
    assert dep.counts() == dict.fromkeys(dep.counts(), 0)
