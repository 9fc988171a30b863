"""A stack deployed by riva-tir 0.1 (its modules at the top level, TIR names without a
deployment's suffix) still refreshes, previews without changes and destroys, once
`python -m riva_tir.migrate` has rewritten its state (docs/day2.md, "Upgrading")."""
from __future__ import annotations

import base64
import json
import pickletools

import pytest
from pulumi import automation as auto

from riva_tir.migrate import migrate, moved
from riva_tir.providers.names import NAMES_TYPE
from riva_tir.stack_state import PROVIDER_KEY, SECRET_SIG, export, import_
from tests.integration.harness import FULL_STACK, Deployment

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

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
    deployment["resources"] = [r for r in deployment["resources"] if r["urn"] not in names]
    for state in deployment["resources"]:
        state["dependencies"] = [d for d in state.get("dependencies") or [] if d not in names]
        state["propertyDependencies"] = {k: [d for d in v if d not in names]
                                         for k, v in (state.get("propertyDependencies") or {}).items()}
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
    dep.stack.preview(expect_no_changes=True)
    dep.stack.destroy()
    assert dep.counts() == dict.fromkeys(FULL_STACK, 0)
    assert migrate(dep.stack) == 0  # nothing left to rewrite
