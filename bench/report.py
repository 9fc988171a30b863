"""The table: machine info, then every benchmark as measured vs floor, ratio and target.
Printed to the terminal and written to bench/results.md."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

from bench.calls import MINIMUM, poll_schedule
from bench.stacks import Timed

Row = tuple[str, str, str, str, str, str]

# The targets (issue 21): ratio to the floor at most / speed at least.
PREVIEW_MAX = 1.2
NOOP_UP_MAX = 1.2
CALLS_MAX = {"up": 1.5, "preview": 1.5, "refresh": 1.2, "destroy": 1.5}
UPLOAD_MIN = 1.0
CRITICAL_PATH_MAX = 1.10
SCALE_UP_MAX = 1.5
SCALE_PREVIEW_MAX = 1.2


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem = next((int(line.split()[1]) >> 20 for line in _read("/proc/meminfo").splitlines()
                if line.startswith("MemTotal")), 0)
    ssh = subprocess.run(["ssh", "-V"], capture_output=True, text=True).stderr.strip()
    engine = subprocess.run(["pulumi", "version"], capture_output=True, text=True).stdout.strip()
    return [f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"cpu: {cpu}, {os.cpu_count()} cores; memory {mem} GiB; load average at start {_loads()}",
            f"os: {platform.platform()}; python {sys.version.split()[0]}; pulumi {engine}; {ssh}"]


def load_at_end() -> str:
    return f"load average at end {_loads()}"


def _loads() -> str:
    """The 1, 5 and 15 minute load averages."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _read(path: str) -> str:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _ok(met: bool) -> str:
    return "met" if met else "**missed**"


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _samples(seconds: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in seconds) + " s"


def _x(ratio: float, limit: float) -> str:
    """A ratio to two decimals, or three where two would show it at its limit on the
    wrong side (1.202 is no 1.20)."""
    shown = f"{ratio:.2f}"
    return f"{ratio:.3f}×" if shown == f"{limit:.2f}" and ratio != limit else f"{shown}×"


def _with_properties(measured: float, floor: float) -> str:
    """The floor whose resources carry riva-tir's properties, and how the run compares with it."""
    return f"; with riva-tir's properties {_s(floor)}, measured {measured / floor:.2f}× of that"


def rows(results: dict[str, Any]) -> list[Row]:
    out: list[Row] = []
    full = results.get("full")
    if full:
        calls: dict[str, Timed] = full["calls"]
        preview_writes = sum(t.writes for t in full["preview"])
        preview_reads = max(t.reads for t in full["preview"])
        ratio = full["preview_s"] / full["floor_s"]
        out.append(("1 no-op preview", _s(full["preview_s"]),
                    f"{_s(full['floor_s'])} (engine floor, {full['custom_resources']} trivial resources"
                    f"{_with_properties(full['preview_s'], full['property_floor_s'])})",
                    _x(ratio, PREVIEW_MAX), f"≤ {PREVIEW_MAX}×, 0 writes",
                    f"{_ok(ratio <= PREVIEW_MAX and preview_writes == 0)}; TIR calls: {preview_writes} writes, "
                    f"{preview_reads} reads"))
        noop_writes = max(t.writes for t in full["noop_up"])
        ratio = full["noop_up_s"] / full["floor_up_s"]
        out.append(("2 no-op up", _s(full["noop_up_s"]), f"{_s(full['floor_up_s'])} (engine floor's no-op up"
                    f"{_with_properties(full['noop_up_s'], full['property_floor_up_s'])})",
                    _x(ratio, NOOP_UP_MAX), f"≤ {NOOP_UP_MAX}×, 0 writes",
                    f"{_ok(ratio <= NOOP_UP_MAX and noop_writes == 0 and not full['noop_up_changed'])}; "
                    f"{noop_writes} writes, {max(t.reads for t in full['noop_up'])} reads"
                    + (f"; changed: {full['noop_up_changed']}" if full["noop_up_changed"] else "")))
        for op in ("up", "preview", "refresh", "destroy"):
            # "Instant" provisioning still takes the emulator's real servers a moment to start
            # (Triton: seconds): the reads that wait for that are polls, apart from the count.
            waits = sum(len(gaps) for gaps in poll_schedule(calls[op]).values())
            made, least = len(calls[op].calls) - waits, MINIMUM[op]
            ratio_text = f"{made / least:.2f}×" if least else ("1.00×" if made == 0 else "∞")
            met = made <= CALLS_MAX[op] * least
            extra = ""
            if op == "up":
                polls = len(full["delayed_up"].calls) - len(calls[op].calls)
                extra = f"; +{polls} polls with delays: " + "; ".join(
                    f"{path} waits {gaps}" for path, gaps in poll_schedule(full["delayed_up"]).items())
            waited = f" + {waits} polls while servers started" if waits else ""
            out.append((f"3 API calls: {op}", f"{made} ({calls[op].writes} writes){waited}", f"{least} (minimum)",
                        ratio_text, f"≤ {CALLS_MAX[op]}×", _ok(met) + extra))
    upload = results.get("upload")
    if upload:
        sizes = upload["sizes"]
        for row in sizes:
            mib = row["bytes"] >> 20
            ratio = row["raw_s"] / row["product_s"]
            runs = len(row["product_samples_s"])
            out.append((f"4 upload {mib} MiB", f"{_s(row['product_s'])} ({mib / row['product_s']:.0f} MiB/s; "
                                               f"median of {runs}: {_samples(row['product_samples_s'])})",
                        f"{_s(row['raw_s'])} (OpenSSH sftp, {mib / row['raw_s']:.0f} MiB/s; "
                        f"median of {runs}: {_samples(row['raw_samples_s'])})",
                        f"{ratio:.2f}× speed", f"≥ {UPLOAD_MIN}×", _ok(ratio >= UPLOAD_MIN)))
            ratio = row["cached_hash_s"] / row["sha256sum_s"]
            out.append((f"4 unchanged {mib} MiB", f"{row['cached_hash_s'] * 1000:.1f} ms (cached hash)",
                        f"{_s(row['sha256sum_s'])} (sha256sum)", f"{ratio:.4f}×", "≤ 1.2×",
                        f"{_ok(ratio <= 1.2)}; first hash (cold cache) "
                        f"{row['first_hash_s'] / row['sha256sum_s']:.2f}× sha256sum"))
        rss = [row["product_rss"] >> 20 for row in sizes]
        growth = rss[-1] / rss[0]
        out.append(("4 upload peak RSS", " → ".join(f"{r} MiB" for r in rss),
                    " → ".join(f"{row['raw_rss'] >> 20} MiB" for row in sizes) + " (sftp)",
                    f"{growth:.2f}×", "flat", _ok(growth <= 1.1)))
    if full:
        ratio = full["delayed_up"].seconds / full["critical"]
        work = ", ".join(f"{k} {v:.1f}" for k, v in full["work"].items())
        out.append(("5 end-to-end up", f"{_s(full['delayed_up'].seconds)} (the `pulumi up` run; the Automation "
                                        f"API's reads after it, {_s(full['automation_s'])}, left out)",
                    f"{_s(full['critical'])} (critical path: delays {full['delays']}, work {work})",
                    _x(ratio, CRITICAL_PATH_MAX), f"≤ {CRITICAL_PATH_MAX}×", _ok(ratio <= CRITICAL_PATH_MAX)))
    scale = results.get("scale")
    if scale:
        base = scale["rows"][0]
        for row in scale["rows"]:
            up, preview = row["up_s"] / base["up_s"], row["noop_preview_s"] / row["floor_preview_s"]
            out.append((f"6 scale N={row['n']}", f"up {_s(row['up_s'])}; no-op preview {_s(row['noop_preview_s'])}",
                        f"N=1 up {_s(base['up_s'])}; engine floor of this graph: preview "
                        f"{_s(row['floor_preview_s'])}, up creating it {_s(row['floor_create_s'])}"
                        + _with_properties(row["noop_preview_s"], row["property_floor_preview_s"]),
                        f"up {_x(up, SCALE_UP_MAX)}; preview {_x(preview, SCALE_PREVIEW_MAX)}",
                        f"up ≤ {SCALE_UP_MAX}×; preview ≤ {SCALE_PREVIEW_MAX}×",
                        f"{_ok(up <= SCALE_UP_MAX and preview <= SCALE_PREVIEW_MAX)}; delays {scale['delays']}; "
                        f"{row['up_calls']} calls in up; during up the cores were busy "
                        f"{row['cpu_busy_s'] / row['up_s']:.1f} of {os.cpu_count()}, {row['cpu_busy_s']:.0f} CPU-s, of "
                        f"which {row['engine_cpu_s']:.0f} by processes that ended with it (the engine, program and "
                        "provider host; the nodes' commands: conversions) and the rest by the emulator, its servers "
                        "and other users"))
    return out


def markdown(header: list[str], table: list[Row], minutes: float, argv: list[str]) -> str:
    lines = ["# riva-tir benchmarks", "", f"`bench/run {' '.join(argv)}` — {minutes:.1f} min", "",
             *[f"- {line}" for line in header], "",
             "| benchmark | measured | floor | ratio | target | result |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in table]
    return "\n".join(lines) + "\n"


def terminal(header: list[str], table: list[Row]) -> str:
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    lines = [*header, ""]
    for row in table:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row[:5], widths)) + "  " + row[5])
    return "\n".join(lines)
