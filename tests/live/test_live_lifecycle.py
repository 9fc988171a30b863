"""The whole lifecycle against real TIR: doctor, up, verify through the ingress, a no-op
preview, destroy, and nothing left (checked by listing the account).

Skipped unless TIR_API_KEY, TIR_AUTH_TOKEN, TIR_PROJECT_ID, NGC_API_KEY,
RIVA_TIR_LIVE_IMAGE (riva-speech in E2E's registry, README "Real TIR") and
RIVA_TIR_LIVE_NAMESPACE_ID are set. Optional: TIR_TEAM_ID, TIR_LOCATION, TIR_API_ROOT,
RIVA_TIR_LIVE_MODEL (an NGC model ref), RIVA_TIR_LIVE_MAX_MINUTES (the hard stop, default 90).
It runs on the cheapest plans that fit (one GPU type for the node and Triton, a CPU plan for
the Riva API), prints the cost estimate first, and destroys the stack at the hard stop.
"""
from __future__ import annotations

import json
import os
import secrets
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi import automation as auto
from pydantic import SecretStr

from riva_tir import health
from riva_tir.config import validate
from riva_tir.doctor import StackSecrets, diagnose, render
from tests.conftest import ROOT, engine_env, workspace_options
from riva_tir.tir import TirClient, TirConfig
from riva_tir.tir.config import DEFAULT_API_ROOT
from riva_tir.tir.plans.models import Sku

REQUIRED = ("TIR_API_KEY", "TIR_AUTH_TOKEN", "TIR_PROJECT_ID", "NGC_API_KEY", "RIVA_TIR_LIVE_IMAGE",
            "RIVA_TIR_LIVE_NAMESPACE_ID")
_missing = [name for name in REQUIRED if not os.environ.get(name)]
DEFAULT_MODEL = "nvidia/riva/rmir_asr_parakeet_0-6b_en_us_str:deployable_v1.0"

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(bool(_missing), reason=f"the live lifecycle needs {', '.join(REQUIRED)} (missing: {_missing})"),
]


def _hourly(sku: Sku) -> float:
    return sku.hourly_plan.unit_price or 0.0 if sku.hourly_plan else float("inf")


def _gpu(sku: Sku) -> str:
    return sku.code.split("-")[1]


def _cheapest(tir: TirClient) -> tuple[str, str, str, float]:
    """Node and Triton plans of one GPU type, and a CPU plan for the API; their price per hour."""
    usable = [s for s in tir.plans.for_nodes(None) if s.gpu not in (None, 0, "0") and s.hourly_plan
              and s.is_inventory_available and not s.is_free]
    tritons = {s.code: s for s in tir.plans.for_endpoints("triton") if s.hourly_plan and s.is_inventory_available}
    pairs = [(n, t) for n in usable for t in tritons.values() if _gpu(n) == _gpu(t) and t.gpu not in (None, 0, "0")]
    cpus = [s for s in tir.plans.for_endpoints("custom") if s.gpu in (None, 0, "0") and s.hourly_plan]
    if not pairs or not cpus:
        pytest.fail("no node/Triton plan pair of one GPU type, or no CPU plan, has inventory now")
    node, triton = min(pairs, key=lambda p: _hourly(p[0]) + _hourly(p[1]))
    api = min(cpus, key=_hourly)
    return node.code, triton.code, api.code, _hourly(node) + _hourly(triton) + _hourly(api)


@pytest.fixture(scope="module")
def account() -> Iterator[TirClient]:
    env = os.environ
    team = env.get("TIR_TEAM_ID")
    with TirClient(TirConfig(api_root=env.get("TIR_API_ROOT") or DEFAULT_API_ROOT,
                             api_key=SecretStr(env["TIR_API_KEY"]), auth_token=SecretStr(env["TIR_AUTH_TOKEN"]),
                             project_id=int(env["TIR_PROJECT_ID"]), team_id=int(team) if team else None,
                             url_style="team-scoped" if team else "project-query",
                             location=env.get("TIR_LOCATION", "Delhi"))) as client:
        yield client


def test_lifecycle_on_real_tir(account: TirClient, tmp_path: Path) -> None:
    env = os.environ
    prefix = f"rt-live-{secrets.token_hex(3)}"
    node_plan, triton_plan, api_plan, per_hour = _cheapest(account)
    minutes = int(env.get("RIVA_TIR_LIVE_MAX_MINUTES", "90"))
    print(f"\nlive lifecycle {prefix}: node {node_plan}, Triton {triton_plan}, Riva API {api_plan}; "
          f"{per_hour:.2f}/h together, at most {per_hour * minutes / 60:.2f} for the {minutes}-minute hard stop")
    image, namespace = env["RIVA_TIR_LIVE_IMAGE"], int(env["RIVA_TIR_LIVE_NAMESPACE_ID"])
    conn = account.config
    config = {
        "namePrefix": prefix, "verify": True,
        "tir": {"apiRoot": conn.api_root, "projectId": conn.project_id, "location": conn.location,
                "urlStyle": conn.url_style, **({"teamId": conn.team_id} if conn.team_id else {})},
        "node": {"plan": node_plan, "diskSizeGb": 100},
        "model": {"ngc": env.get("RIVA_TIR_LIVE_MODEL", DEFAULT_MODEL), "pipeline": {"mode": "streaming"}},
        "triton": {"plan": triton_plan, "replicas": 1, "image": image, "registryNamespaceId": namespace},
        "rivaApi": {"plan": api_plan, "replicas": 1, "image": image, "registryNamespaceId": namespace},
    }
    keys = StackSecrets(api_key=env["TIR_API_KEY"], auth_token=env["TIR_AUTH_TOKEN"])
    report = diagnose(prefix, validate(config), keys)
    render(report)
    assert not report.failed, "the doctor refuted a default: paste its lines into the stack first"

    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: riva-tir\nruntime: python\n")
    (project / "__main__.py").write_text(textwrap.dedent(f"""
        import runpy
        runpy.run_path({str(ROOT / '__main__.py')!r}, run_name="__main__")
    """))
    (tmp_path / "state").mkdir()
    stack = auto.create_stack(prefix, work_dir=str(project), opts=workspace_options(
        engine_env(tmp_path / "state", secrets.token_hex(16)), secrets_provider="passphrase"))
    for key, value in config.items():
        stack.set_config(f"riva-tir:{key}", auto.ConfigValue(value if isinstance(value, str) else json.dumps(value)))
    for key, value in (("tirApiKey", env["TIR_API_KEY"]), ("tirAuthToken", env["TIR_AUTH_TOKEN"]),
                       ("ngcApiKey", env["NGC_API_KEY"])):
        stack.set_config(f"riva-tir:{key}", auto.ConfigValue(value, secret=True))

    # The hard stop: whatever runs then is cancelled, and the stack is destroyed below.
    stopped = threading.Event()

    def hard_stop() -> None:
        stopped.set()
        stack.cancel()

    watchdog = threading.Timer(minutes * 60, hard_stop)
    watchdog.start()
    started = time.monotonic()
    try:
        up = stack.up(on_output=print)
        assert up.summary.result == "succeeded"
        outputs = {k: v.value for k, v in stack.outputs().items()}
        checks = health.verify(outputs, env["TIR_AUTH_TOKEN"])
        print(health.table(checks))
        assert all(c.ok for c in checks)
        preview = stack.preview()
        assert not {k: v for k, v in preview.change_summary.items() if k != "same" and v}
    finally:
        watchdog.cancel()
        stack.destroy(on_output=print)
        print(f"live lifecycle took {(time.monotonic() - started) / 60:.1f} min"
              + (" (hard stop reached)" if stopped.is_set() else ""))
    left = {"nodes": [n.name for n in account.nodes.list_all() if n.name.startswith(prefix)],
            "endpoints": [e.name for e in account.endpoints.list_all() if e.name.startswith(prefix)],
            "model_repositories": [r.name for r in account.model_repositories.list_all() if r.name.startswith(prefix)],
            "ssh_keys": [k.label for k in account.ssh_keys.list() if k.label.startswith(prefix)]}
    assert left == dict.fromkeys(left, []), f"left behind in the account: {left}"
    assert not stopped.is_set(), f"the hard stop of {minutes} minutes was reached (the stack was destroyed)"
