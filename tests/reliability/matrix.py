"""The long reliability matrices (README "Reliability"), as seeded runs of the real engine
against the emulator:

- `faults`: `up` then `destroy` of the full stack while 5-20 % of TIR calls fail
  (429 with Retry-After, 500/502/503, dropped connections, slow responses).
- `interrupts`: `pulumi up` killed (SIGINT or SIGKILL) while the node is creating, the
  model uploading, the conversion running or an endpoint deploying; then the documented
  recovery (`recover`) and `up` again, which must adopt what the killed run made.

    python -m tests.reliability.matrix faults --runs 100 --seed 0
    python -m tests.reliability.matrix interrupts --runs 24 --seed 0

The pytest tests run a small seeded sample of each (test_transient_faults.py,
test_interrupted_runs.py); this prints the table of a full count.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pulumi import automation as auto

from riva_tir.recovery import recover

from tests.integration.harness import FULL_STACK, Deployment, open_stack, running_emulator

API = "^/myaccount/api/v1/gpu/"
EMPTY = dict.fromkeys(FULL_STACK, 0)


@dataclass
class RunResult:
    """One seeded run: did it converge, what was duplicated or left behind, and why not."""

    name: str
    converged: bool = False
    duplicates: int = 0
    leaks: int = 0
    failure: str = ""
    seconds: float = 0.0
    faults: int = 0  # injected faults that fired


@dataclass
class Table:
    title: str
    results: list[RunResult] = field(default_factory=list)

    def render(self) -> str:
        runs = len(self.results)
        lines = [self.title,
                 "| runs | converged | duplicates | leaks | faults injected | failures |",
                 "| ---: | ---: | ---: | ---: | ---: | --- |",
                 f"| {runs} | {sum(r.converged for r in self.results)} | "
                 f"{sum(r.duplicates for r in self.results)} | {sum(r.leaks for r in self.results)} | "
                 f"{sum(r.faults for r in self.results)} | "
                 f"{'; '.join(f'{r.name}: {r.failure}' for r in self.results if r.failure) or 'none'} |",
                 f"({sum(r.seconds for r in self.results):.0f} s in all)"]
        return "\n".join(lines)


def failure_text(exc: BaseException) -> str:
    """The engine's own error line of a failed run (never more than one line)."""
    text = str(exc)
    lines = [ln.strip() for ln in text.splitlines()
             if ("error:" in ln.lower() or "Exception" in ln) and "update failed" not in ln]
    return (lines[-1] if lines else text.strip().splitlines()[-1] if text.strip() else type(exc).__name__)[:300]


def excess(counts: dict[str, int], expected: dict[str, int]) -> int:
    return sum(max(0, n - expected[kind]) for kind, n in counts.items())


# -- scenario 1: transient API faults ---------------------------------------------------------

def fault_plan(seed: int) -> tuple[float, list[dict[str, object]]]:
    """5-20 % of TIR calls fail, spread over every fault kind (one draw per rule)."""
    rate = random.Random(seed).uniform(0.05, 0.20)
    kinds: list[dict[str, object]] = [
        {"fault": "rate_limit", "retry_after": 1}, {"fault": "error", "status": 500},
        {"fault": "error", "status": 502}, {"fault": "error", "status": 503},
        {"fault": "drop"}, {"fault": "latency", "latency_ms": 300}]
    each = 1 - (1 - rate) ** (1 / len(kinds))
    return rate, [{**kind, "path": API, "probability": round(each, 4)} for kind in kinds]


def _destroy_and_count(dep: Deployment, result: RunResult) -> None:
    """`destroy`, then record what it left behind; the run converged if nothing failed."""
    dep.stack.destroy()
    left = dep.counts()
    result.leaks = excess(left, EMPTY)
    if left != EMPTY:
        result.failure = result.failure or f"after destroy: {left}"
    result.converged = not result.failure


def fault_run(dep: Deployment, seed: int) -> RunResult:
    """`up` then `destroy` under a seeded fault plan."""
    rate, rules = fault_plan(seed)
    result = RunResult(f"seed {seed} ({rate:.0%})")
    started = time.monotonic()
    dep.faults(rules, seed)
    try:
        dep.stack.up()
        after_up = dep.counts()
        result.duplicates = excess(after_up, FULL_STACK)
        if after_up != FULL_STACK:
            result.failure = f"after up: {after_up}"
        _destroy_and_count(dep, result)
    except auto.CommandError as exc:
        result.failure = failure_text(exc)
    finally:
        result.faults = sum(int(rule["fired"]) for rule in dep.control.fault_plan()["rules"])
        dep.clear_faults()
        result.leaks = max(result.leaks, clean_up(dep))
        result.seconds = time.monotonic() - started
    return result


def clean_up(dep: Deployment) -> int:
    """Destroy without faults; returns how many resources even that left (then wipes them)."""
    try:
        dep.stack.destroy()
    except auto.CommandError:
        pass
    left = excess(dep.counts(), EMPTY)
    if left:
        dep.control.reset()
    return left


# -- scenario 3: interrupted runs -------------------------------------------------------------

PHASES = ("node-creating", "upload", "conversion", "endpoint-deploying")
SIGNALS = (signal.SIGINT, signal.SIGKILL)


@dataclass(frozen=True)
class InterruptPoint:
    phase: str
    sig: signal.Signals
    delay: float  # seconds after the phase is seen

    @property
    def name(self) -> str:
        return f"{self.phase}/{self.sig.name}+{self.delay:.2f}s"


def interrupt_points(count: int, seed: int) -> list[InterruptPoint]:
    """`count` seeded points cycling through the phases, the signal alternating so that
    any four consecutive points cover every phase and both signals."""
    rng = random.Random(seed)
    return [InterruptPoint(PHASES[i % len(PHASES)], SIGNALS[(i + i // len(PHASES)) % 2],
                           delay=round(rng.uniform(0.0, 0.6), 2)) for i in range(count)]


def _node_disk(dep: Deployment) -> Path | None:
    nodes = dep.inventory()["nodes"]
    return dep.emulator.data_dir / "machines" / "nodes" / str(nodes[0]["id"]) / "disk" if nodes else None


def _disk_has(dep: Deployment, pattern: str) -> bool:
    disk = _node_disk(dep)
    return disk is not None and any(disk.glob(pattern))


def phase_seen(dep: Deployment, phase: str) -> bool:
    if phase == "node-creating":
        return any(n["status"] == "creating" for n in dep.inventory()["nodes"])
    if phase == "upload":
        return _disk_has(dep, "riva-tir/models/*/*.partial")
    if phase == "conversion":
        return _disk_has(dep, "riva-tir/conversions/*")
    return any(e["status"] == "deploying" for e in dep.inventory()["endpoints"])


def wait_until(condition: Callable[[], bool], proc: subprocess.Popen[bytes], timeout: float = 120) -> bool:
    """Poll (10 ms) until `condition`, the run ends, or the deadline; True if seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if condition():
            return True
        time.sleep(0.01)
    return False


def interrupt(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Signal the run's whole process group (Ctrl-C, or a killed CI job) and wait for it;
    a run that ignores SIGINT for two minutes is killed."""
    os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    try:  # stray children of a SIGINT-ed run
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def interrupt_run(dep: Deployment, point: InterruptPoint) -> RunResult:
    """Kill `pulumi up` at `point`, recover, `up` again: one of each, then destroy to empty."""
    result = RunResult(point.name)
    started = time.monotonic()
    dep.transitions({"node.create": 1.5, "endpoint.deploy": 1.5})
    try:
        proc = dep.cli("up", "--yes", "--skip-preview")
        seen = wait_until(lambda: phase_seen(dep, point.phase), proc)
        if seen:
            time.sleep(point.delay)
        if proc.poll() is None:
            interrupt(proc, point.sig)
        if not seen:
            result.failure = f"phase {point.phase} never seen (run exited {proc.returncode})"
        dep.transitions("instant")
        recover(dep.stack)
        dep.stack.up()
        after_up = dep.counts()
        result.duplicates = excess(after_up, FULL_STACK)
        if after_up != FULL_STACK:
            result.failure = result.failure or f"after recovery up: {after_up}"
        _destroy_and_count(dep, result)
    except auto.CommandError as exc:
        result.failure = result.failure or failure_text(exc)
    finally:
        dep.transitions("instant")
        recover(dep.stack)
        result.leaks = max(result.leaks, clean_up(dep))
        result.seconds = time.monotonic() - started
    return result


# -- driver -----------------------------------------------------------------------------------

@contextmanager
def matrix_stack(tmp: Path, artifact_bytes: int = 1 << 20) -> Iterator[Deployment]:
    with running_emulator(tmp / "emulator") as emulator:
        yield open_stack(tmp, emulator, "matrix", artifact_bytes=artifact_bytes)


def run_faults(runs: int, seed: int, tmp: Path, report: Callable[[RunResult], None] = lambda r: None) -> Table:
    table = Table(f"Transient API faults: {runs} runs from seed {seed}")
    with matrix_stack(tmp) as dep:
        for n in range(runs):
            table.results.append(fault_run(dep, seed + n))
            report(table.results[-1])
    return table


def run_interrupts(runs: int, seed: int, tmp: Path, report: Callable[[RunResult], None] = lambda r: None) -> Table:
    table = Table(f"Interrupted runs: {runs} interrupt points from seed {seed}")
    # A 24 MiB model, so the upload lasts long enough to be interrupted on loopback.
    with matrix_stack(tmp, artifact_bytes=24 << 20) as dep:
        for point in interrupt_points(runs, seed):
            table.results.append(interrupt_run(dep, point))
            report(table.results[-1])
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("matrix", choices=("faults", "interrupts", "all"))
    parser.add_argument("--runs", type=int, help="runs (faults, default 100) or interrupt points (default 24)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    def report(r: RunResult) -> None:
        status = "ok" if r.converged else f"FAILED: {r.failure}"
        print(f"  {r.name}: {status} (dup {r.duplicates}, leaks {r.leaks}, {r.seconds:.0f}s)", flush=True)

    tables = []
    with tempfile.TemporaryDirectory(prefix="riva-tir-reliability-") as tmp:
        if args.matrix in ("faults", "all"):
            tables.append(run_faults(args.runs or 100, args.seed, Path(tmp) / "faults", report))
        if args.matrix in ("interrupts", "all"):
            tables.append(run_interrupts(args.runs or 24, args.seed, Path(tmp) / "interrupts", report))
    print("\n\n".join(t.render() for t in tables))
    return 0 if all(r.converged for t in tables for r in t.results) else 1


if __name__ == "__main__":
    sys.exit(main())
