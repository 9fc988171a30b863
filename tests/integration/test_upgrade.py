"""A stack deployed by riva-tir 0.1 (its modules at the top level, TIR names without a
deployment's suffix, no records of the node's access and of the publish target) still
refreshes and destroys once `python -m riva_tir.migrate` has rewritten its state, and its
first `up` only creates the records (docs/day2.md, "Upgrading")."""
from __future__ import annotations

import base64
import json
import pickletools

import pytest
from pulumi import automation as auto

from riva_tir.migrate import migrate, moved
from riva_tir.providers.names import NAMES_TYPE
from riva_tir.stack_state import PROVIDER_KEY, SECRET_SIG, export, import_
from tests.day2.changes import WRITES, _ops
from tests.integration.harness import FULL_STACK, Deployment

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

# The records riva-tir 0.1 did not have (riva_tir/providers/record.py).
RECORDS = ("riva-node-access", "riva-publish-target")
# Where each package was before (the inverse of riva_tir.migrate.MOVED).
FIRST_LAYOUT = (("riva_tir.emulator", "tir_emulator"), ("riva_tir.tir", "tir"), ("riva_tir", "components"))


def _as_first_layout(serialized: str) -> str:
    """The pickle the first layout's code wrote for the same provider: the same opcodes,
    with the module names the classes had then (frames dropped: they are optional)."""
    raw = base64.b64decode(serialized)
    ops = list(pickletools.genops(raw))
    out = bytearray()
    for (op, arg, pos), (_, _, end) in zip(ops, [*ops[1:], (None, None, len(raw))]):
        if op.name == "FRAME":
            continue
        if op.name == "SHORT_BINUNICODE" and moved(str(arg), FIRST_LAYOUT) != arg:
            name = moved(str(arg), FIRST_LAYOUT).encode()
            out += b"\x8c" + bytes([len(name)]) + name
        else:
            out += raw[pos:end]
    return base64.b64encode(bytes(out)).decode()


def _downgrade(stack: auto.Stack, name_prefix: str) -> int:
    """The state riva-tir 0.1 would have written for the same resources, had the stack set
    `namePrefix: <name_prefix>` (0.1 named everything <namePrefix>-<kind>)."""
    version, deployment = export(stack)
    for state in deployment["resources"]:
        if state["type"] == "pulumi-python:dynamic/tir:SshKeyPair":
            state["inputs"]["comment"] = state["outputs"]["comment"] = f"{name_prefix}-node"
    names = {r["urn"] for r in deployment["resources"] if r["type"] == NAMES_TYPE}
    # What took a record's values took them from its upstreams then.
    records = {r["urn"]: r.get("dependencies") or [] for r in deployment["resources"]
               if r["urn"].rsplit("::", 1)[-1] in RECORDS}
    assert len(records) == len(RECORDS)

    def before(deps: list[str]) -> list[str]:
        return list(dict.fromkeys(u for d in deps if d not in names for u in records.get(d, [d])))

    deployment["resources"] = [r for r in deployment["resources"] if r["urn"] not in names | set(records)]
    for state in deployment["resources"]:
        state["dependencies"] = before(state.get("dependencies") or [])
        state["propertyDependencies"] = {k: before(v) for k, v in (state.get("propertyDependencies") or {}).items()}
    count = 0
    for state in deployment["resources"]:
        for props in (state.get("inputs"), state.get("outputs")):
            if props and PROVIDER_KEY in props:
                value = props[PROVIDER_KEY]
                assert value[SECRET_SIG[0]] == SECRET_SIG[1]  # secret, as Pulumi keeps it
                value["plaintext"] = json.dumps(_as_first_layout(json.loads(value["plaintext"])))
                count += 1
    import_(stack, version, deployment)
    return count


def test_a_stack_of_the_first_layout_refreshes_and_destroys_after_migrating(deployment: Deployment) -> None:
    dep = deployment
    names = dep.stack.up().outputs["name_prefix"].value
    assert _downgrade(dep.stack, names) > 0
    dep.set("riva-tir:namePrefix", names)
    # Its providers name modules that are gone: refresh cannot load them.
    with pytest.raises(auto.CommandError, match="No module named 'components'"):
        dep.stack.refresh()

    assert migrate(dep.stack) > 0
    dep.stack.refresh()
    # The records are created, calling nothing; what takes their values holds them already.
    previewed, applied = [], []
    dep.stack.preview(on_event=previewed.append)
    dep.control.clear_requests()
    dep.stack.up(on_event=applied.append)
    assert _ops(previewed) == _ops(applied) == dict.fromkeys(RECORDS, "create")
    assert [r for r in dep.control.requests() if r["method"] in WRITES] == []
    dep.stack.preview(expect_no_changes=True)
    dep.stack.destroy()
    assert dep.counts() == dict.fromkeys(FULL_STACK, 0)
    assert migrate(dep.stack) == 0  # nothing left to rewrite
