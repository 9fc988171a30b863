"""`scripts/cost`: a stack's monthly estimate (docs/cost.md), from where it is known.

    scripts/cost --stack prod              the configured stack against the deployed one (a preview)
    scripts/cost --stack prod --deployed   what the stack's state records
    scripts/cost ... --json | --markdown
    scripts/cost --from-output up.txt      the estimate a preview or up printed, as Markdown
                                           (the CI job summary and pull request comment)

The figures are the StackCost resource's (riva_tir/providers/cost.py): a preview prices the
configured stack exactly as `pulumi preview` does; the deployed figures are read from state
without calling TIR.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from riva_tir.cost import GST_NOTE, Line, markdown, render, totals

COST_TYPE = "pulumi-python:dynamic/tir:StackCost"
SENTENCE = re.compile(r"Monthly estimate (increases|decreases|unchanged|changes)\b.*")


class NoEstimate(Exception):
    """The stack (or the output) holds no estimate."""


def _pulumi(*args: str) -> str:
    result = subprocess.run(["pulumi", *args, "--non-interactive"], capture_output=True, text=True,
                            env=os.environ.copy())
    if result.returncode != 0 and not result.stdout.lstrip().startswith("{"):
        raise NoEstimate(f"pulumi {args[0]} failed:\n{result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def _lines(state: Mapping[str, Any] | None) -> list[Line] | None:
    """The estimate a StackCost state (or checked inputs) records; None: none recorded."""
    raw = (state or {}).get("lines")
    return [Line.model_validate(line) for line in raw] if raw else None


def _cost_states(resources: list[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    return (r for r in resources if r.get("type") == COST_TYPE)


def deployed(stack: str) -> list[Line]:
    """From `pulumi stack export`: no TIR call, no program run."""
    export = json.loads(_pulumi("stack", "export", "--stack", stack))
    for resource in _cost_states((export.get("deployment") or {}).get("resources") or []):
        lines = _lines(resource.get("outputs")) or _lines(resource.get("inputs"))
        if lines:
            return lines
    raise NoEstimate(f"stack {stack} records no estimate: it is not deployed, or was last deployed by a "
                     "riva-tir without cost estimates (its next `pulumi up` records one)")


def configured(stack: str) -> tuple[list[Line], list[Line] | None]:
    """From `pulumi preview --json`: the program's estimate of the configured stack, and
    the deployed one it is compared with (`--show-sames`: a stack without changes has one too)."""
    preview = json.loads(_pulumi("preview", "--json", "--show-sames", "--stack", stack))
    for step in preview.get("steps") or []:
        new, old = step.get("newState") or {}, step.get("oldState") or {}
        if (new.get("type") or old.get("type")) == COST_TYPE:
            lines = _lines(new.get("inputs")) or _lines(new.get("outputs"))
            if lines:
                return lines, _lines(old.get("inputs"))
    problems = [d.get("message", "") for d in preview.get("diagnostics") or [] if d.get("severity") == "error"]
    raise NoEstimate(f"the preview of stack {stack} priced nothing" + (":\n" + "\n".join(problems) if problems else ""))


def from_output(text: str) -> str:
    """The estimate a preview or up printed, as Markdown: its headline, then the table."""
    lines = text.splitlines()
    # The headline followed by the table's header (status lines repeat the headline alone).
    start = next((i for i, line in enumerate(lines[:-1]) if SENTENCE.search(line)
                  and lines[i + 1].split()[:1] == ["resource"]), None)
    if start is None:
        raise NoEstimate("the output holds no monthly estimate (the program failed before pricing the stack)")
    headline = SENTENCE.search(lines[start])
    assert headline is not None
    indent = len(lines[start + 1]) - len(lines[start + 1].lstrip())
    table = []
    for line in lines[start + 1:]:
        table.append(line[indent:].rstrip())
        if GST_NOTE in line:
            break
    return "\n".join([f"**{headline.group(0)}** ({GST_NOTE})", "", "```text", *table, "```"])


def as_json(lines: list[Line], before: list[Line] | None) -> str:
    new = totals(lines)
    return json.dumps({
        "currency": new.currency, "gst": "excluded",
        "monthly": {"min": new.min, "max": new.max},
        "deployed_monthly": ({"min": totals(before).min, "max": totals(before).max} if before is not None else None),
        "resources": [{**line.model_dump(), "monthly_min": round(line.monthly_min, 2),
                       "monthly_max": round(line.monthly_max, 2)} for line in lines],
        "unpriced": new.unpriced,
    }, indent=2, ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/cost", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="the stack (after pulumi login and PULUMI_CONFIG_PASSPHRASE)")
    parser.add_argument("--deployed", action="store_true", help="what the stack's state records (no TIR call)")
    parser.add_argument("--from-output", type=Path, metavar="FILE", help="a preview or up output (CI)")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true")
    form.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.from_output:
            print(from_output(args.from_output.read_text(encoding="utf-8", errors="replace")))
            return 0
        if not args.stack:
            parser.error("give --stack <stack> (or --from-output FILE)")
        lines, before = (deployed(args.stack), None) if args.deployed else configured(args.stack)
    except NoEstimate as exc:
        print(f"scripts/cost: {exc}", file=sys.stderr)
        return 1
    print(as_json(lines, before) if args.json else markdown(lines, before) if args.markdown else render(lines, before))
    return 0


if __name__ == "__main__":
    sys.exit(main())
