"""The monthly estimate on real engine runs against the emulator (docs/cost.md): every
preview and `up` prints it with its change; a plan change shows the same delta in preview
and `up`; a no-op preview asks TIR nothing more; the pull request comment and
`scripts/cost` show the same figures."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
from pulumi import automation as auto

from riva_tir import cost, cost_report
from tests.conftest import ROOT
from tests.integration.harness import Deployment
from tests.team.test_workflows import render_comment

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

# The local stack's plans in the emulator's catalog: an L4 node and Triton (95/h), the Riva
# API on C3.4 (6/h), and the repository's EOS slab (625 a month).
FIRST = "Monthly estimate increases by ₹143,705 to ₹143,705"
# The Riva API on C3.8 (12/h): 730 h x 6 more.
BIGGER_API = "Monthly estimate increases by ₹4,380 to ₹148,085"


def _tir_calls(dep: Deployment) -> list[str]:
    return [f"{r['method']} {r['path'].split('?')[0]}" for r in dep.control.requests()]


def test_estimate_in_preview_and_up(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    dep = deployment
    assert FIRST in dep.stack.preview().stdout
    assert FIRST in dep.stack.up().stdout

    # A no-op preview: no write, and no catalog read of the estimate's own; the one call
    # is the access check every preview makes (riva_tir/providers/base.py).
    dep.control.clear_requests()
    noop = dep.stack.preview(expect_no_changes=True)
    assert "Monthly estimate unchanged at ₹143,705" in noop.stdout
    assert [call.rsplit("/", 2)[-2] for call in _tir_calls(dep)] == ["notebooks"], _tir_calls(dep)

    # A plan change: the same delta in preview and up; its catalog read is the one the
    # endpoint's own check makes (shared).
    dep.set("riva-tir:rivaApi.plan", "CPU-C3-8-16GB-0")
    dep.control.clear_requests()
    preview = dep.stack.preview(diff=True)
    # With --diff the engine writes diagnostics to stderr; the workflow reads both (2>&1).
    output = preview.stdout + preview.stderr
    assert BIGGER_API in output
    assert sum("gpu_service/sku/" in call for call in _tir_calls(dep)) == 1, _tir_calls(dep)
    changed = dep.stack.up()
    assert BIGGER_API in changed.stdout
    assert {k: v for k, v in changed.summary.resource_changes.items() if k != "same"} == \
        {k: v for k, v in preview.change_summary.items() if k != "same" and v}
    again = dep.stack.preview(expect_no_changes=True)
    assert "Monthly estimate unchanged at ₹148,085" in again.stdout

    # The pull request comment leads with the estimate, above the diff (preview.yml).
    markdown = cost_report.from_output(output)
    assert markdown.startswith(f"**{BIGGER_API}** (excluding GST)\n\n```text\nresource ")
    assert "riva-api    CPU-C3-8-16GB-0" in markdown and "+₹4,380" in markdown
    body = render_comment("dev", "success", markdown, output)
    marker, headline = body.splitlines()[:2]
    assert marker == "<!-- riva-tir preview: dev -->" and headline == f"**{BIGGER_API}** (excluding GST)"
    assert body.index(BIGGER_API) < body.index("```diff") < body.index("riva-cost")

    # scripts/cost: the deployed figures from state; the configured ones from a preview.
    deployed = subprocess.run([str(ROOT / "scripts" / "cost"), "--stack", dep.stack.name, "--deployed", "--json"],
                              env={**os.environ, **dep.env}, capture_output=True, text=True, timeout=300)
    assert deployed.returncode == 0, deployed.stderr
    figures = json.loads(deployed.stdout)
    assert figures["monthly"] == {"min": 148085.0, "max": 148085.0} and figures["currency"] == "INR"
    assert {r["resource"]: r["unit_price"] for r in figures["resources"]} == {
        "node": 95.0, "triton": 95.0, "riva-api": 12.0, "repository": 625.0}
    dep.set("riva-tir:triton.replicas", 3)
    monkeypatch.chdir(dep.stack.workspace.work_dir)
    for key, value in dep.env.items():
        monkeypatch.setenv(key, value)
    lines, before = cost_report.configured(dep.stack.name)
    assert before is not None
    assert cost.render(lines, before).splitlines()[0] == \
        "Monthly estimate increases by ₹138,700 to ₹286,785"



# Triton on the L4's 30-day term in the emulator's catalog: ₹54,720 for the term
# (95 x 24 x 30 x 0.8), ₹55,480 a month (x 730 / 720) against ₹69,350 by the hour.
COMMITTED_TRITON = "Monthly estimate decreases by ₹13,870 to ₹129,835"


def test_committed_plan_in_preview_and_up(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    dep = deployment
    assert FIRST in dep.stack.up().stdout

    # A term the catalog does not offer fails the preview, naming the key and the terms it has.
    dep.set("riva-tir:triton.committedDays", 45)
    refused = dep.stack.preview
    with pytest.raises(auto.CommandError) as failed:
        refused()
    assert "riva-tir:triton.committedDays: 45 days is not a term TIR's catalog offers for plan " \
           "GPU-L4-8-48GB-1 (it offers: 30)" in str(failed.value)

    # The 30-day term: the same figures and delta in preview and up, and TIR gets the term.
    dep.set("riva-tir:triton.committedDays", 30)
    preview = dep.stack.preview(diff=True)
    output = preview.stdout + preview.stderr
    assert COMMITTED_TRITON in output
    triton_row = next(line for line in output.splitlines() if "triton " in line and "GPU-L4" in line)
    assert "₹54,720/30 d" in triton_row and "30-day term" in triton_row and "₹55,480" in triton_row \
        and "−₹13,870" in triton_row, triton_row
    changed = dep.stack.up()
    assert COMMITTED_TRITON in changed.stdout and triton_row.strip() in changed.stdout
    triton = next(e for e in dep.inventory()["endpoints"] if e["name"].endswith("-triton"))
    assert triton["sku_details"]["plan"]["committed_days"] == 30
    assert (triton["committed_instance_policy"], triton["committed_replicas"]) == ("convert_to_hourly_billing", 1)
    assert "Monthly estimate unchanged at ₹129,835" in dep.stack.preview(expect_no_changes=True).stdout

    # scripts/cost shows the term too (text and JSON).
    monkeypatch.chdir(dep.stack.workspace.work_dir)
    for key, value in dep.env.items():
        monkeypatch.setenv(key, value)
    figures = json.loads(cost_report.as_json(cost_report.deployed(dep.stack.name), None))
    committed = next(r for r in figures["resources"] if r["resource"] == "triton")
    assert (committed["committed_days"], committed["unit_price"], committed["monthly_max"]) == (30, 54720.0, 55480.0)
    assert figures["monthly"] == {"min": 129835.0, "max": 129835.0}
    assert "₹54,720/30 d" in cost.render(*cost_report.configured(dep.stack.name))
