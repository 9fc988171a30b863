"""One-time state migration after riva-tir's modules moved (docs/day2.md, "Upgrading").

Pulumi keeps each dynamic resource's provider in state as a pickle that names the
provider's class by module path (`riva_tir.providers.node NodeProvider`), and `refresh` and
`destroy` load that pickle, not the program's code. Those paths are public API: a path
that moves is listed in `MOVED`, and this command rewrites a stack's pickles to the new
paths (export, rewrite, import), so the stack refreshes and destroys again. A stack with
nothing to rewrite is left untouched.

It also gives each deployment made before TIR names carried a deployment's suffix a
`DeploymentNames` with an empty suffix, so its resources keep their names (docs/day2.md,
"Ownership").

    python -m riva_tir.migrate --stack dev [--cwd <Pulumi project folder>]
"""
from __future__ import annotations

import argparse
import base64
import io
import json
import sys
from typing import Any

import dill
from pulumi import automation as auto
from pulumi.dynamic.dynamic import serialize_provider

from riva_tir.stack_state import PROVIDER_KEY, conceal, export, import_, is_secret

# Old module prefix -> new one, longest first. riva-tir < 0.2 had three top-level packages.
MOVED = (("tir_emulator", "riva_tir.emulator"), ("components", "riva_tir"), ("tir", "riva_tir.tir"))


def moved(module: str, table: tuple[tuple[str, str], ...] = MOVED) -> str:
    """`module`'s path today (or after the moves in `table`)."""
    for old, new in table:
        if module == old or module.startswith(old + "."):
            return new + module[len(old):]
    return module


class _Unpickler(dill.Unpickler):  # type: ignore[misc]  # dill is untyped
    stale = False

    def find_class(self, module: str, name: str) -> Any:
        self.stale |= moved(module) != module
        return super().find_class(moved(module), name)


def rewrite_provider(serialized: str) -> str:
    """`serialized` with its classes named by today's module paths (itself when they are)."""
    unpickler = _Unpickler(io.BytesIO(base64.b64decode(serialized)))
    provider = unpickler.load()
    return serialize_provider(provider) if unpickler.stale else serialized


def _rewrite_value(value: Any) -> tuple[Any, bool]:
    if isinstance(value, str):
        new = rewrite_provider(value)
        return new, new != value
    if is_secret(value) and "plaintext" in value:
        inner, changed = _rewrite_value(json.loads(value["plaintext"]))
        return {**value, "plaintext": json.dumps(inner)}, changed
    return value, False


def rewrite_deployment(deployment: dict[str, Any]) -> int:
    """Rewrites every provider pickle of an exported deployment in place; how many changed."""
    states = list(deployment.get("resources") or [])
    states += [op["resource"] for op in deployment.get("pending_operations") or [] if "resource" in op]
    changed = 0
    for state in states:
        for props in (state.get("inputs"), state.get("outputs")):
            if props and PROVIDER_KEY in props:
                props[PROVIDER_KEY], did = _rewrite_value(props[PROVIDER_KEY])
                changed += did
    return changed


COMPONENT_TYPE = "riva-tir:riva:RivaDeployment"
NODE_TYPE = "pulumi-python:dynamic/tir:TirNode"


def name_deployments(deployment: dict[str, Any]) -> int:
    """Gives each RivaDeployment without a DeploymentNames one that keeps its TIR names (the
    prefix its node's name was made from, no suffix); how many it gave."""
    from riva_tir.providers.names import NAMES_TYPE, DeploymentNamesProvider

    resources: list[dict[str, Any]] = deployment.get("resources") or []
    children: dict[str, dict[str, dict[str, Any]]] = {}
    for state in resources:
        children.setdefault(str(state.get("parent", "")), {})[str(state.get("type"))] = state
    added = 0
    for component in [r for r in resources if r.get("type") == COMPONENT_TYPE]:
        mine = children.get(str(component.get("urn")), {})
        if NAMES_TYPE in mine or NODE_TYPE not in mine:
            continue
        node = mine[NODE_TYPE]
        prefix = str(node["inputs"]["name"]).removesuffix("-node")
        head, _, name = str(component["urn"]).rpartition("::")
        provider = conceal(serialize_provider(DeploymentNamesProvider()))
        # Before the node: after the component and the provider the node refers to.
        resources.insert(resources.index(node), {
            "urn": f"{head}${NAMES_TYPE}::{name}-names", "custom": True, "id": prefix, "type": NAMES_TYPE,
            "inputs": {"prefix": prefix, PROVIDER_KEY: provider},
            "outputs": {"prefix": prefix, "suffix": "", PROVIDER_KEY: provider},
            "parent": component["urn"], "provider": node["provider"]})
        added += 1
    return added


def migrate(stack: auto.Stack) -> int:
    """Rewrites `stack`'s state to today's module paths and names; how many entries changed."""
    version, deployment = export(stack)
    changed = rewrite_deployment(deployment) + name_deployments(deployment)
    if changed:
        import_(stack, version, deployment)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--cwd", default=".", help="the Pulumi project folder")
    args = parser.parse_args(argv)
    changed = migrate(auto.select_stack(args.stack, work_dir=args.cwd))
    if changed:
        print(f"riva-tir: migrated stack {args.stack} ({changed} state entries; docs/day2.md, \"Upgrading\")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
