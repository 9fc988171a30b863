"""Provider calls never import for the first time, except the first-use libraries under their
one lock: `configure` loaded the rest, under the hosts' lock (docs/performance.md, "A no-op
preview")."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# The host's own start-up (main, _sdk_host) runs before any call, on one thread.
CALL_CODE = [p for p in sorted((ROOT / "riva_tir" / "providers").glob("*.py")) if p.name != "host.py"]
CALL_CODE += sorted((ROOT / "riva_tir" / "tir").rglob("*.py")) + [ROOT / "riva_tir" / "ingress.py"]
CONFIGURED = "from riva_tir.providers.endpoint import EndpointProvider\nEndpointProvider().configure(None)"


def _imported(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if isinstance(node, ast.ImportFrom) and node.module:
        return {node.module}
    return set()


def imports_inside_functions(path: Path) -> tuple[set[str], set[str]]:
    """Modules that a function in `path` imports when it runs: (outside any lock, under
    `FIRST_USE_IMPORTS`)."""
    bare: set[str] = set()
    locked: set[str] = set()
    for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.With) and any(ast.unparse(item.context_expr).endswith("FIRST_USE_IMPORTS")
                                                  for item in node.items):
                locked.update(*(_imported(stmt) for stmt in node.body))
            elif isinstance(node, ast.stmt):
                bare.update(_imported(node))
    return bare - locked, locked


def loaded_after(code: str) -> set[str]:
    run = subprocess.run([sys.executable, "-c", f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(run.stdout.splitlines()[-1]))


def test_configure_loads_every_module_a_call_imports_but_asyncssh() -> None:
    scans = [imports_inside_functions(path) for path in CALL_CODE]
    bare = set().union(*(b for b, _ in scans))
    locked = set().union(*(lk for _, lk in scans))
    assert "riva_tir.tir.client" in bare and "asyncssh" in locked  # the scan sees the lazy imports
    loaded = loaded_after(CONFIGURED)
    assert sorted(bare - loaded) == []
    # The first-use libraries come only under their lock, and a preview never loads them.
    first_use = {"asyncssh", "cryptography"}
    assert {m for m in bare if m.split(".")[0] in first_use} == set()
    assert {m.split(".")[0] for m in locked} == first_use
    assert {m for m in loaded if m.split(".")[0] in first_use} == set()


def test_configure_loads_every_provider_module_so_asyncssh_imports_alone() -> None:
    """A call unpickles its provider kind's module: that is loaded too, so a first-use
    library's first import (under its lock) runs beside no other import."""
    loaded = loaded_after(CONFIGURED)
    kinds = {f"riva_tir.providers.{p.stem}" for p in CALL_CODE if p.parent.name == "providers" and p.stem != "__init__"}
    assert sorted(kinds - loaded) == []


def test_the_program_process_still_leaves_the_call_modules_out() -> None:
    """What configure loads stays out of a program that only declares resources."""
    loaded = loaded_after("import riva_tir.deployment")
    assert {"riva_tir.tir.client", "asyncssh", "requests", "tenacity"} & loaded == set()
