"""Benchmarks 1, 2, 3 and 5 on the full local stack (the product's own __main__.py).

One stack lifecycle with no provisioning delays counts the API calls each operation
needs (benchmark 3). A second stack is brought up with set provisioning delays
(benchmark 5: wall time vs the critical path), then previewed and re-`up`ped with nothing
to do, interleaved with no-op previews and ups of the engine floor of the same shape
(benchmarks 1-2) and of that floor carrying the stack's properties.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto
from pulumi.automation import EngineEvent

from bench.stacks import PROGRAMS, Bench, Timed, cli_seconds, destroyed, median, resources
from riva_tir.providers.base import own_props
from riva_tir.stack_state import is_secret

# Provisioning delays of the end-to-end run (seconds per emulator transition).
DELAYS = {"node.create": 20.0, "endpoint.deploy": 15.0}
QUICK_DELAYS = {"node.create": 2.0, "endpoint.deploy": 1.0}
ARTIFACT_BYTES = 64 << 20
QUICK_ARTIFACT_BYTES = 2 << 20


@dataclass
class StepClock:
    """Start and end of every resource step, from the engine's event stream."""

    start: dict[str, float] = field(default_factory=dict)
    end: dict[str, float] = field(default_factory=dict)

    def __call__(self, event: EngineEvent) -> None:
        now = time.perf_counter()
        if event.resource_pre_event is not None:
            self.start.setdefault(event.resource_pre_event.metadata.urn, now)
        elif event.res_outputs_event is not None:
            self.end[event.res_outputs_event.metadata.urn] = now

    def seconds(self, suffix: str) -> float:
        """Duration of the step whose resource name ends with `suffix`."""
        urn = next(u for u in self.end if u.endswith(suffix))
        return self.end[urn] - self.start[urn]


def _graph(stack_resources: list[dict[str, Any]], path: Path) -> Path:
    """The deployed stack's shape for the floor program (bench/programs/floor.py), with each
    dynamic resource's properties as the stack holds them (for the floor that carries them)."""
    def name(urn: str) -> str:
        return urn.rsplit("::", 1)[-1]

    items = [r for r in stack_resources if not r["type"].startswith(("pulumi:pulumi:", "pulumi:providers:"))]
    names = {r["urn"] for r in items}
    graph = [{"name": name(r["urn"]), "component": not r.get("custom", False),
              "command": r["type"].startswith("command:"),
              "parent": name(r["parent"]) if r.get("parent") in names else None,
              "deps": [name(d) for d in r.get("dependencies", []) if d in names],
              "properties": _properties(r)} for r in items]
    path.write_text(json.dumps(graph, indent=1))
    return path


def _properties(resource: dict[str, Any]) -> dict[str, Any]:
    """A dynamic resource's inputs (secrets as a placeholder: the floor cannot decrypt them)
    and its other outputs' names, as riva-tir's providers declare them."""
    def plain(value: Any) -> Any:
        if is_secret(value):
            return "[secret]"
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return [plain(v) for v in value] if isinstance(value, list) else value

    if not resource["type"].startswith("pulumi-python:dynamic"):
        return {}
    return {**dict.fromkeys(own_props(resource.get("outputs", {}))),
            **{k: plain(v) for k, v in own_props(resource.get("inputs", {})).items()}}


def lifecycle_calls(bench: Bench, artifact: Path) -> dict[str, Timed]:
    """Benchmark 3: up, preview, refresh and destroy with instant provisioning (no polls)."""
    bench.set_delays({})
    stack = bench.riva_stack("calls", artifact)
    ops: dict[str, Timed] = {}
    with destroyed(stack):
        _, ops["up"] = bench.timed(stack.up)
        _, ops["preview"] = bench.timed(stack.preview)
        _, ops["refresh"] = bench.timed(stack.refresh)
        _, ops["destroy"] = bench.timed(stack.destroy)
    return ops


@dataclass
class NoOps:
    """No-op previews (and ups) of a deployed stack, each beside the same of its engine floor
    and of that floor carrying the stack's properties."""

    custom_resources: int
    floor_create_s: float = 0.0  # the floor's first up: the engine creating the graph's trivial resources
    previews: list[Timed] = field(default_factory=list)
    floors: list[Timed] = field(default_factory=list)
    # The same trivial resources with riva-tir's properties: what the Pulumi SDK costs per
    # property, which the floor of one property each leaves out.
    property_floors: list[Timed] = field(default_factory=list)
    ups: list[Timed] = field(default_factory=list)
    floor_ups: list[Timed] = field(default_factory=list)  # the engine's own no-op up of the same shape
    property_floor_ups: list[Timed] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)  # a second `up` that changes anything is not a no-op


def engine_floor(bench: Bench, stack: auto.Stack, name: str, reps: int, ups: bool = False) -> NoOps:
    """The deployed `stack` and two floor stacks of its graph (brought up first), previewed
    (and, with `ups`, upped) with nothing to do, interleaved so load from others hits all
    sides alike."""
    shape = resources(stack)
    graph = {"bench:graph": _graph(shape, bench.out / f"{name}-graph.json")}
    floor = bench.stack(name, PROGRAMS / "floor.py", graph)
    with_properties = bench.stack(f"{name}-props", PROGRAMS / "floor.py", {**graph, "bench:properties": "true"})
    runs = NoOps(sum(1 for r in shape if r.get("custom") and not r["type"].startswith("pulumi:")))
    with destroyed(floor), destroyed(with_properties):
        runs.floor_create_s = bench.timed(floor.up)[1].seconds
        with_properties.up()
        for _ in range(reps):
            runs.previews.append(bench.timed(stack.preview)[1])
            runs.floors.append(bench.timed(floor.preview)[1])
            runs.property_floors.append(bench.timed(with_properties.preview)[1])
            if ups:
                result, timed = bench.timed(stack.up)
                runs.ups.append(timed)
                runs.floor_ups.append(bench.timed(floor.up)[1])
                runs.property_floor_ups.append(bench.timed(with_properties.up)[1])
                runs.changed.update(k for k, v in (result.summary.resource_changes or {}).items()
                                    if k != "same" and v)
    return runs


def run(bench: Bench, quick: bool) -> dict[str, Any]:
    artifact = bench.artifact("e2e", QUICK_ARTIFACT_BYTES if quick else ARTIFACT_BYTES)
    calls = lifecycle_calls(bench, artifact)
    delays = QUICK_DELAYS if quick else DELAYS
    reps = 1 if quick else 3
    stack = bench.riva_stack("e2e", artifact)
    with destroyed(stack):
        bench.set_delays(delays)
        steps = StepClock()
        _, up = bench.timed(lambda: stack.up(on_event=steps))
        # What a user waits for is the `pulumi up` run; the Automation API's reads after
        # it (outputs, the update's summary) are counted apart.
        cli_up_s = cli_seconds(stack, "up")
        automation_s = up.seconds - cli_up_s
        up = Timed(cli_up_s, up.calls)
        work = {step: steps.seconds(suffix) for step, suffix in
                (("upload", "-artifact"), ("conversion", "-conversion-build"),
                 ("publish", "-conversion-publish"))}
        critical = delays["node.create"] + sum(work.values()) + 2 * delays["endpoint.deploy"]

        noop = engine_floor(bench, stack, "floor", reps, ups=True)
        bench.set_delays({})
    return {
        "calls": calls, "delayed_up": up, "automation_s": automation_s, "delays": delays, "work": work, "critical": critical,
        "custom_resources": noop.custom_resources,
        "preview": noop.previews, "floor": noop.floors, "noop_up": noop.ups,
        "preview_s": median([t.seconds for t in noop.previews]), "floor_s": median([t.seconds for t in noop.floors]),
        "property_floor_s": median([t.seconds for t in noop.property_floors]),
        "property_floor_up_s": median([t.seconds for t in noop.property_floor_ups]),
        "noop_up_s": median([t.seconds for t in noop.ups]), "noop_up_changed": sorted(noop.changed),
        "floor_up_s": median([t.seconds for t in noop.floor_ups]),
    }
