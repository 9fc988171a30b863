"""Benchmark 6: preview and up of N deployments in one stack (bench/programs/scale.py),
with provisioning delays, so parallel provisioning shows as flat `up` times."""
from __future__ import annotations

import json
from typing import Any

from bench.stacks import PROGRAMS, Bench, destroyed
from tests.integration.harness import base_config

COUNTS = (1, 5, 20)
QUICK_COUNTS = (1, 3)
DELAYS = {"node.create": 5.0, "endpoint.deploy": 3.0}
MODELS = 3


def run(bench: Bench, quick: bool) -> dict[str, Any]:
    models = [bench.artifact(f"scale-{i}", 1 << 20, seed=i) for i in range(MODELS)]
    rows = []
    for count in QUICK_COUNTS if quick else COUNTS:
        bench.set_delays(DELAYS)
        config = {**base_config(bench.emulator, models[0]), "riva-tir:namePrefix": f"sc{count}",
                  "bench:deployments": count, "bench:models": json.dumps([str(m) for m in models])}
        stack = bench.stack(f"scale{count}", PROGRAMS / "scale.py", config)
        with destroyed(stack):
            _, up = bench.timed(lambda: stack.up())
            _, noop = bench.timed(stack.preview)
            bench.set_delays({})
        rows.append({"n": count, "up_s": up.seconds,
                     "noop_preview_s": noop.seconds, "up_calls": len(up.calls)})
    return {"rows": rows, "delays": DELAYS}
