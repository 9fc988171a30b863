"""Benchmark 6: preview and up of N deployments in one stack (bench/programs/scale.py),
with provisioning delays, so parallel provisioning shows as flat `up` times. Each N's no-op
preview is set beside the engine floor of its own graph (bench/programs/floor.py; and that
graph carrying riva-tir's properties, what the Pulumi SDK costs for them), and its
`up` beside how busy the machine's cores were meanwhile: the emulator runs every server TIR
would host (MinIO, a tritonserver and a Riva stand-in per endpoint, the nodes' SSH and
conversions) on this one machine, so with many deployments its CPU, not riva-tir, is the
floor (bench/results.md says where)."""
from __future__ import annotations

import json
from typing import Any

from bench.full import engine_floor
from bench.stacks import PROGRAMS, Bench, cli_seconds, cpu_busy_seconds, destroyed, finished_children_cpu_seconds, median
from tests.integration.harness import base_config

COUNTS = (1, 5, 20)
QUICK_COUNTS = (1, 2)
# Provisioning as long as it takes on TIR, or shorter (an endpoint of a large model is 10-15+
# minutes in Deploying: docs/tir.md §8.1): with the emulator's few seconds, its 20 data
# planes on this machine's 2 cores and the engine's own growth with the graph were what
# the benchmark measured, not whether riva-tir provisions the deployments at once
# (docs/performance.md, "Many deployments in one stack").
DELAYS = {"node.create": 60.0, "endpoint.deploy": 45.0}
QUICK_DELAYS = {"node.create": 1.0, "endpoint.deploy": 1.0}
MODELS = 3


def run(bench: Bench, quick: bool) -> dict[str, Any]:
    models = [bench.artifact(f"scale-{i}", 1 << 20, seed=i) for i in range(MODELS)]
    delays = QUICK_DELAYS if quick else DELAYS
    reps = 1 if quick else 2
    rows = []
    for count in QUICK_COUNTS if quick else COUNTS:
        bench.set_delays(delays)
        config = {**base_config(bench.emulator, models[0]), "riva-tir:namePrefix": f"sc{count}",
                  "bench:deployments": count, "bench:models": json.dumps([str(m) for m in models])}
        stack = bench.stack(f"scale{count}", PROGRAMS / "scale.py", config)
        with destroyed(stack):
            cpu, engine = cpu_busy_seconds(), finished_children_cpu_seconds()
            calls = bench.timed(lambda: stack.up())[1].calls
            up = cli_seconds(stack, "up")
            cpu, engine = cpu_busy_seconds() - cpu, finished_children_cpu_seconds() - engine
            bench.set_delays({})
            noop = engine_floor(bench, stack, f"scale{count}-floor", reps)
        rows.append({"n": count, "up_s": up, "up_calls": len(calls), "cpu_busy_s": cpu, "engine_cpu_s": engine,
                     "noop_preview_s": median([t.seconds for t in noop.previews]),
                     "floor_preview_s": median([t.seconds for t in noop.floors]),
                     "property_floor_preview_s": median([t.seconds for t in noop.property_floors]),
                     "floor_create_s": noop.floor_create_s})
    return {"rows": rows, "delays": delays}
