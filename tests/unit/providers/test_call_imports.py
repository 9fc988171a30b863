"""Provider calls never import for the first time: `configure` loaded it all, under the
hosts' lock (docs/performance.md, "A no-op preview")."""
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


def imports_inside_functions(path: Path) -> set[str]:
    """Modules that a function in `path` imports when it runs."""
    found: set[str] = set()
    for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module:
                    found.add(node.module)
    return found


def loaded_after(code: str) -> set[str]:
    run = subprocess.run([sys.executable, "-c", f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(run.stdout.splitlines()[-1]))


def test_configure_loads_every_module_a_call_imports() -> None:
    wanted = set().union(*(imports_inside_functions(path) for path in CALL_CODE))
    assert "riva_tir.tir.client" in wanted and "asyncssh" in wanted  # the scan sees the lazy imports
    loaded = loaded_after("from riva_tir.providers.endpoint import EndpointProvider\n"
                          "EndpointProvider().configure(None)")
    assert sorted(wanted - loaded) == []


def test_the_program_process_still_leaves_the_call_modules_out() -> None:
    """What configure loads stays out of a program that only declares resources."""
    loaded = loaded_after("import riva_tir.deployment")
    assert {"riva_tir.tir.client", "asyncssh", "requests", "tenacity"} & loaded == set()
