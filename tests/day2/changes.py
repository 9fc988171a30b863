"""Day 2: every stack config key changed on a deployed stack, one after another, as a user
would: `preview`, then `up`, and the operations `up` performed must be exactly those the
preview listed (same resources, same update/replace), and what each change is expected to
do (README "Day 2").

    python -m tests.day2.changes            # the whole matrix (about 10 minutes)
    python -m tests.day2.changes --only tir.apiRoot node.diskSizeGb
    python -m tests.day2.changes --stock-host   # under the SDK's own provider host (a stock CLI)

The pytest test (test_changes.py) runs a sample of it on every CI run.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from tests.integration.harness import PRIVATE_RIVA_IMAGE, Deployment, open_stack, running_emulator, use_stock_host

# Short names (the last part of the URN) of the resources that talk to TIR.
TIR_RESOURCES = ("riva-ssh-key", "riva-node", "riva-node-wake", "riva-node-power", "riva-repository",
                 "riva-repository-content", "riva-triton", "riva-triton-scale", "riva-riva-api",
                 "riva-riva-api-scale")
WRITES = ("POST", "PUT", "DELETE")
# What preview and up report, per resource: `replace` stands for the create-replacement /
# replace / delete-replaced steps of one replacement.
STEP = {"create-replacement": "replace", "delete-replaced": "replace", "replace": "replace"}


@dataclass
class Change:
    """One config change: keys to set (`None` removes one), and what it must do."""

    name: str
    values: Callable[[Deployment], dict[str, Any]]
    # Exactly the resources that change, and how; every other one stays the same.
    expect: dict[str, str]
    # TIR calls that write (method, path pattern) the up may make; None: any.
    writes: tuple[str, ...] | None = ()
    check: Callable[[Deployment], None] | None = None


@dataclass
class Row:
    name: str
    preview: dict[str, str] = field(default_factory=dict)
    applied: dict[str, str] = field(default_factory=dict)
    writes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def _ops(events: list[auto.EngineEvent]) -> dict[str, str]:
    ops: dict[str, str] = {}
    for event in events:
        pre = event.resource_pre_event
        if pre is None or pre.metadata.type.startswith(("pulumi:pulumi:Stack", "pulumi:providers:")):
            continue
        op = pre.metadata.op.value
        if op in ("same", "read", "refresh"):
            continue
        ops[pre.metadata.urn.rsplit("::", 1)[-1]] = STEP.get(op, op)
    return ops


def apply_change(dep: Deployment, change: Change) -> Row:
    row = Row(change.name)
    start = time.monotonic()
    for key, value in change.values(dep).items():
        if value is None:
            dep.stack.remove_config(f"riva-tir:{key}", path=True)
        else:
            dep.set(f"riva-tir:{key}", value if isinstance(value, str) else _json(value))
    previewed: list[auto.EngineEvent] = []
    try:
        dep.stack.preview(on_event=previewed.append)
    except auto.CommandError as exc:
        row.problems.append(f"preview failed: {_errors(str(exc))}")
        return row
    row.preview = _ops(previewed)
    dep.control.clear_requests()
    applied: list[auto.EngineEvent] = []
    try:
        dep.stack.up(on_event=applied.append)
    except auto.CommandError as exc:
        row.problems.append(f"up failed: {_errors(str(exc))}")
    row.applied = _ops(applied)
    row.writes = [f"{r['method']} {r['path'].split('?')[0]}" for r in dep.control.requests()
                  if r["method"] in WRITES]
    if row.preview != row.applied:
        row.problems.append(f"preview listed {row.preview}, up did {row.applied}")
    if row.applied != change.expect:
        row.problems.append(f"expected {change.expect}, up did {row.applied}")
    if change.writes is not None:
        unexpected = [w for w in row.writes if not any(_matches(w, p) for p in change.writes)]
        if unexpected:
            row.problems.append(f"unexpected TIR writes: {unexpected}")
    if not row.problems:
        try:
            dep.stack.preview(expect_no_changes=True)
        except auto.CommandError as exc:
            row.problems.append(f"a second preview is not empty: {str(exc)[-300:]}")
    if not row.problems and change.check is not None:
        try:
            change.check(dep)
        except AssertionError as exc:
            row.problems.append(f"check failed: {exc}")
    row.seconds = time.monotonic() - start
    return row


def _matches(write: str, pattern: str) -> bool:
    """`PUT /notebooks/{id}/pvc/upgrade/` matches that call in either URL style."""
    method, _, path = pattern.partition(" ")
    regex = re.escape(path).replace(re.escape("{id}"), r"\d+")
    return write.startswith(method + " ") and re.search(regex + r"(\d+/)?$", write) is not None


def _errors(text: str) -> str:
    """The engine's error lines of a failed run (its output also lists every resource)."""
    lines = [ln.strip() for ln in text.splitlines() if "error" in ln.lower()]
    return " | ".join(lines)[:1500] or text[-600:]


def _json(value: Any) -> str:
    return json.dumps(value)


def _same_api_root(dep: Deployment) -> dict[str, Any]:
    """The same API under another name (localhost for 127.0.0.1)."""
    return {"tir.apiRoot": dep.emulator.api_root.replace("127.0.0.1", "localhost")}


def _disk_is_60(dep: Deployment) -> None:
    inv = {n["id"]: n for n in dep.inventory()["nodes"]}
    assert inv[dep.outputs()["node_id"]]["disk_size_in_gb"] == 60, inv


def _node_status(status: str) -> Callable[[Deployment], None]:
    def check(dep: Deployment) -> None:
        with dep.tir() as tir:
            assert tir.nodes.get(dep.outputs()["node_id"]).status == status
    return check


def _replicas(output: str, count: int) -> Callable[[Deployment], None]:
    def check(dep: Deployment) -> None:
        with dep.tir() as tir:
            assert tir.endpoints.get(dep.outputs()[output]).replica == count
    return check


# Every change a user makes to a deployed stack's config, in an order one could do them.
TIR_UPDATES = dict.fromkeys(TIR_RESOURCES, "update")
# A change to a plan, a size or a power state changes the monthly estimate too (docs/cost.md).
COST = {"riva-cost": "update"}
RECONVERT = {"riva-node-wake": "update", "riva-conversion-build": "replace", "riva-conversion-publish": "replace",
             "riva-node-power": "update", "riva-triton": "update", "riva-riva-api": "update"}
CHANGES: list[Change] = [
    # How riva-tir talks to TIR: stored inputs update, nothing is written to TIR.
    Change("tir.apiRoot", _same_api_root, TIR_UPDATES),
    # A trailing slash is the same setting: nothing at all changes.
    Change("tir.dataPlanes", lambda dep: {"tir.dataPlanes.Delhi.http": dep.emulator.url + "/"}, {}),
    Change("tir.urlStyle", lambda dep: {"tir.urlStyle": "team-scoped", "tir.teamId": 1}, TIR_UPDATES),
    Change("retries", lambda dep: {"retries": {"maxRetries": 6, "capacityRetries": 2}}, {}),
    # The unknowns' overrides (docs/unknowns.md) where the emulator plays the defaults: a
    # status alias updates the stored inputs; the default field names spelled out change
    # nothing; naming the user the node reports updates the node alone.
    Change("tir.statusAliases", lambda dep: {"tir.statusAliases.active": "running"}, TIR_UPDATES),
    Change("tir.sshFields.host", lambda dep: {"tir.sshFields.host": "ssh_host", "tir.sshFields.port": "ssh_port"}, {}),
    # The record of how to reach the node records the setting (the user it names is the same).
    Change("node.sshUser", lambda dep: {"node.sshUser": "root"}, {"riva-node": "update", "riva-node-access": "update"}),
    Change("timeoutsMinutes", lambda dep: {"timeoutsMinutes": {"node": 40, "endpoint": 50, "conversion": 90}},
           {**dict.fromkeys(("riva-node", "riva-node-wake", "riva-node-power", "riva-triton", "riva-triton-scale",
                             "riva-riva-api", "riva-riva-api-scale"), "update"),
            "riva-conversion-build": "update"}),
    # What TIR changes in place.
    Change("node.diskSizeGb", lambda dep: {"node.diskSizeGb": 60}, {"riva-node": "update"},
           writes=("PUT /notebooks/{id}/pvc/upgrade/",), check=_disk_is_60),
    Change("triton.replicas", lambda dep: {"triton.replicas": 2}, {"riva-triton-scale": "update", **COST},
           writes=("PUT /serving/inference/",), check=_replicas("triton_endpoint_id", 2)),
    Change("rivaApi.replicas", lambda dep: {"rivaApi.replicas": 2}, {"riva-riva-api-scale": "update", **COST},
           writes=("PUT /serving/inference/",), check=_replicas("riva_endpoint_id", 2)),
    Change("triton.diskSizeGb", lambda dep: {"triton.diskSizeGb": 60}, {"riva-triton": "update"},
           writes=("PUT /serving/inference/",)),
    Change("rivaApi.plan", lambda dep: {"rivaApi.plan": "CPU-C3-8-16GB-0"},
           {"riva-riva-api": "update", "riva-riva-api-scale": "update", **COST}, writes=None),
    Change("node.state", lambda dep: {"node.state": "stopped"}, {"riva-node-power": "update", **COST}, writes=None,
           check=_node_status("stopped")),
    # What converts again (the node stopped above wakes for it and stops after).
    Change("model.pipeline.extra_flags", lambda dep: {"model.pipeline.extra_flags.max_batch_size": "16"},
           RECONVERT, writes=None, check=_node_status("stopped")),
    # The deployment's `speech_models` output names the mode: the component's outputs update.
    Change("model.pipeline.mode", lambda dep: {"model.pipeline.mode": "offline"}, {**RECONVERT, "riva": "update"},
           writes=None, check=_node_status("stopped")),
    # The content's new marker is recorded for the publish step (riva-publish-target).
    Change("repository.prefix", lambda dep: {"repository.prefix": "riva-models-b"},
           {"riva-node-wake": "update", "riva-repository-content": "replace", "riva-publish-target": "update",
            "riva-conversion-publish": "replace", "riva-triton": "update", "riva-node-power": "update"},
           writes=None, check=_node_status("stopped")),
    Change("node.rivaVersion", lambda dep: {"node.rivaVersion": "2.17.0"},
           # The node's new container has a new host key: the steps that connect record it.
           {**RECONVERT, "riva-node": "update", "riva-node-access": "update", "riva-artifact": "update"}, writes=None,
           check=_node_status("stopped")),
    # Serving paused: Triton and the Riva API stop together (riva_server needs Triton).
    Change("triton.state", lambda dep: {"triton.state": "stopped", "rivaApi.state": "stopped"},
           {"riva-triton-scale": "update", "riva-riva-api-scale": "update", **COST}, writes=None),
    # The node on a bigger plan of the same GPU: stopped, changed, started, in place.
    Change("node.plan", lambda dep: {"node.plan": "GPU-L4-16-96GB-2"},
           # The power steps name the plan in capacity errors: their stored input updates.
           {"riva-node": "update", "riva-node-wake": "update", "riva-node-power": "update", **COST}, writes=None),
    # Another tag of the endpoints' images (E2E's registry): each endpoint rolls in place.
    Change("triton.image", lambda dep: {"triton.image": PRIVATE_RIVA_IMAGE.replace("2.19.0", "2.19.1")},
           {"riva-triton": "update"}, writes=None),
    Change("rivaApi.image", lambda dep: {"rivaApi.image": PRIVATE_RIVA_IMAGE.replace("2.19.0", "2.19.1")},
           {"riva-riva-api": "update"}, writes=None),
    Change("rivaApi.autoscaling", lambda dep: {"rivaApi.replicas": None, "rivaApi.autoscaling.minReplicas": 1,
                                              "rivaApi.autoscaling.maxReplicas": 3},
           {"riva-riva-api-scale": "update", **COST}, writes=("PUT /serving/inference/",)),
    # The verification's threshold: nothing to change while `verify` is off.
    Change("verifyMaxWer", lambda dep: {"verifyMaxWer": 0.1}, {}),
    # Another way to run Triton is another endpoint (framework is identity): created, then
    # the Riva API dials it, then the old one goes.
    Change("triton.runtime", lambda dep: {"triton.runtime": "custom-container"},
           {"riva-triton": "replace", "riva-triton-scale": "replace", "riva-riva-api": "update"}, writes=None),
    Change("namePrefix", lambda dep: {"namePrefix": "rt-renamed"},
           {**dict.fromkeys(("riva-node", "riva-repository", "riva-triton", "riva-riva-api", "riva-artifact",
                             "riva-node-wake", "riva-node-power", "riva-repository-content", "riva-triton-scale",
                             "riva-riva-api-scale", "riva-conversion-build", "riva-conversion-publish",
                             "riva-ssh-key", "riva-ssh-keypair"), "replace"),
            # The names' record keeps the deployment's suffix; it records the new prefix. The
            # records of the node's access and of the publish target record the new ones.
            **dict.fromkeys(("riva-names", "riva-node-access", "riva-publish-target"), "update")}, writes=None),
]
# The sample CI runs, on two deployments side by side. The second pauses serving (both
# endpoints stopped) and changes the Riva API meanwhile.
SAMPLES = (("tir.apiRoot", "timeoutsMinutes", "node.diskSizeGb", "node.state", "model.pipeline.extra_flags"),
           ("triton.replicas", "triton.state", "rivaApi.image", "rivaApi.autoscaling"))


def run(names: list[str] | None = None, *, stock_host: bool = False) -> list[Row]:
    """The matrix (or the named changes, in matrix order) on one fresh deployment; with
    `stock_host`, under the SDK's own dynamic-provider host, as a stock Pulumi CLI runs it."""
    chosen = [c for c in CHANGES if names is None or c.name in names]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="riva-day2-") as tmp, \
            running_emulator(Path(tmp) / "emulator") as emulator:
        dep = open_stack(Path(tmp), emulator, "day2")
        if stock_host:
            use_stock_host(dep)
        dep.stack.up()
        try:
            for change in chosen:
                rows.append(apply_change(dep, change))
        finally:
            dep.stack.destroy()
    return rows


def render(rows: list[Row]) -> str:
    lines = ["| change | preview = up | what up did | TIR writes | s |", "| --- | --- | --- | --- | --- |"]
    for row in rows:
        did = ", ".join(f"{k.removeprefix('riva-')} {v}" for k, v in sorted(row.applied.items())) or "nothing"
        lines.append(f"| `{row.name}` | {'yes' if row.preview == row.applied else 'NO'} | {did} | "
                     f"{len(row.writes)} | {row.seconds:.0f} |")
    failed = [r for r in rows if not r.ok]
    lines.append(f"\n{len(rows) - len(failed)} passed, {len(failed)} failed")
    lines += [f"- {r.name}: {'; '.join(r.problems)}" for r in failed]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="change names (default: all)")
    parser.add_argument("--stock-host", action="store_true",
                        help="run the providers under the SDK's own host, as a stock Pulumi CLI does")
    args = parser.parse_args()
    rows = run(args.only, stock_host=args.stock_host)
    print(render(rows))
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
