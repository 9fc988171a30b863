"""The GitHub Actions workflows are valid (actionlint, built by scripts/setup) and run
only commands the README documents (its "Team operation" section lists them verbatim)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.engine  # actionlint, built by scripts/setup

WORKFLOWS = ROOT / ".github" / "workflows"
COMMENT_SCRIPT = ROOT / ".github" / "scripts" / "preview-comment.js"
ACTIONLINT = ROOT / ".tools" / "bin" / "actionlint"


def _lint(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    if not ACTIONLINT.exists():
        raise RuntimeError("no actionlint: run scripts/setup first (scripts/test does)")
    return subprocess.run([str(ACTIONLINT), "-no-color", "-oneline", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


def _run_lines(workflow: Path) -> list[str]:
    data: dict[str, Any] = yaml.safe_load(workflow.read_text())
    steps = [s for job in data["jobs"].values() for s in job.get("steps", [])]
    return [line.strip() for s in steps if "run" in s for line in s["run"].splitlines() if line.strip()]


def test_workflows_pass_actionlint() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} == {"test.yml", "preview.yml", "deploy.yml", "up.yml"}
    result = _lint(*map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow() -> None:
    broken = (WORKFLOWS / "up.yml").read_text().replace("inputs.stack }}", "inputs.stak }}")
    result = _lint("-", stdin=broken)
    assert result.returncode == 1
    assert 'property "stak" is not defined' in result.stdout


@pytest.mark.parametrize("name", ["test.yml", "preview.yml", "up.yml"])
def test_workflow_commands_are_documented(name: str) -> None:
    readme = (ROOT / "README.md").read_text()
    lines = _run_lines(WORKFLOWS / name)
    assert lines
    assert [line for line in lines if line not in readme] == []


def test_prod_waits_for_dev_and_its_environment() -> None:
    deploy = yaml.safe_load((WORKFLOWS / "deploy.yml").read_text())
    up = yaml.safe_load((WORKFLOWS / "up.yml").read_text())
    assert deploy["jobs"]["prod"]["needs"] == "dev"
    assert deploy["jobs"]["prod"]["with"]["stack"] == "prod"
    # The approval gate: the job runs in the stack's GitHub Environment.
    assert up["jobs"]["up"]["environment"] == "${{ inputs.stack }}"
    preview = yaml.safe_load((WORKFLOWS / "preview.yml").read_text())
    assert preview["jobs"]["preview"]["strategy"]["matrix"]["stack"] == ["dev", "prod"]


def render_comment(stack: str, outcome: str, cost: str, preview: str) -> str:
    """The pull request comment as preview.yml's script builds it, rendered by node (which
    GitHub's runners and github-script run)."""
    script = ("const { commentBody } = require(process.argv[1]);"
              "const [stack, outcome, cost, preview] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "process.stdout.write(commentBody(stack, outcome, cost, preview));")
    result = subprocess.run(["node", "-e", script, str(COMMENT_SCRIPT)], input=json.dumps([stack, outcome, cost, preview]),
                            capture_output=True, text=True, timeout=60, check=True)
    return result.stdout


def test_the_comment_starts_with_the_cost_line_above_the_diff() -> None:
    cost = "**Monthly estimate increases by ₹4,380 to ₹148,085** (excluding GST)\n\n```text\nresource ...\n```"
    body = render_comment("prod", "failure", cost, "~ riva-cost update\n")
    assert body.splitlines()[:2] == ["<!-- riva-tir preview: prod -->",
                                     "**Monthly estimate increases by ₹4,380 to ₹148,085** (excluding GST)"]
    assert body.index("Monthly estimate") < body.index("### ❌ `pulumi preview` of stack `prod`") < body.index("```diff")
    # A preview that failed before pricing says so instead.
    assert "No monthly estimate" in render_comment("dev", "failure", "", "error: invalid stack config").splitlines()[1]


def test_preview_and_up_jobs_carry_the_estimate() -> None:
    preview = yaml.safe_load((WORKFLOWS / "preview.yml").read_text())["jobs"]["preview"]["steps"]
    names = [step.get("name") for step in preview]
    cost, comment = preview[names.index("Monthly estimate")], preview[names.index("Post the diff on the pull request")]
    assert names.index("Monthly estimate") < names.index("Post the diff on the pull request")
    # Also when the preview failed (a budget violation is a failed preview).
    assert cost["if"] == comment["if"] == "always() && steps.preview.outcome != 'skipped'"
    assert "scripts/cost --from-output preview.txt > cost.md" in cost["run"]
    assert 'require("./.github/scripts/preview-comment.js")' in comment["with"]["script"]
    assert 'read("cost.md")' in comment["with"]["script"]
    up = "\n".join(_run_lines(WORKFLOWS / "up.yml"))
    assert "| tee up.txt" in up and 'scripts/cost --from-output up.txt >> "$GITHUB_STEP_SUMMARY"' in up
