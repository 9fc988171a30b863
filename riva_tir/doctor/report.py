"""The doctor's table: one finding a row, the lines to paste, and whether it fails."""
from __future__ import annotations

import json
import shlex
import sys
from dataclasses import dataclass, field
from typing import Any, Literal, TextIO

from riva_tir import NAMESPACE
from riva_tir.config import StackConfig


Result = Literal["confirmed", "refuted", "unknown"]


@dataclass(frozen=True)
class Finding:
    check: str
    result: Result
    evidence: str
    fix: str = ""  # the stack config lines to paste, one per line (refuted only)
    blocking: bool = True  # a refuted blocking check fails the doctor


@dataclass(frozen=True)
class StackSecrets:
    api_key: str
    auth_token: str
    ssh_private_key: str | None = None


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    record: dict[str, Any] | None = None  # a node record, masked
    probe_cost: str = ""

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    @property
    def failed(self) -> bool:
        return any(f.result == "refuted" and f.blocking for f in self.findings)


def reads_as_running(raw: object, config: StackConfig) -> bool:
    """Whether riva-tir's client reads this wire status as running: lowercase, then the
    stack's `tir.statusAliases` (riva_tir/tir/_models.py)."""
    seen = str(raw or "").strip().lower()
    return config.tir.status_aliases.get(seen, seen) == "running"


def running_status(check: str, raw: object, config: StackConfig, what: str, because: str) -> Finding:
    """A resource that evidently runs must show a status riva-tir reads as running."""
    seen = str(raw or "").strip().lower()
    if reads_as_running(raw, config):
        return Finding(check, "confirmed", f"{what} shows {raw!r} while {because}")
    return Finding(check, "refuted", f"{what} shows {raw!r} while {because}: riva-tir waits for 'running'",
                   f"pulumi config set --path {shlex.quote(f'{NAMESPACE}:tir.statusAliases.{seen}')} running")


def render(report: Report, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    width = max((len(f.check) for f in report.findings), default=10)
    print(f"{'check':<{width}}  {'result':<9}  evidence", file=out)
    for f in report.findings:
        print(f"{f.check:<{width}}  {f.result:<9}  {f.evidence}", file=out)
        for line in f.fix.splitlines() if f.result != "confirmed" else []:
            print(f"{'':<{width}}  {'':<9}  paste: {line}", file=out)
    if report.record is not None:
        print("\nnode record (secrets masked):", file=out)
        for name, value in report.record.items():
            print(f"  {name}: {json.dumps(value)}", file=out)
    if report.probe_cost:
        print(f"\n{report.probe_cost}", file=out)
    verdict = "refuted defaults: paste the lines above, then run the doctor again" if report.failed \
        else "no refuted default"
    print(f"\n{verdict}", file=out)

