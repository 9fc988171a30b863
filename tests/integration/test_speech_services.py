"""Several speech models in one deployment (riva-tir:models) through real `preview`/`up`
against the emulator: each model is converted once and served by the one Triton; adding or
removing one touches only its own resources, and the preview says so before `up` does it."""
from __future__ import annotations

from typing import Any

import pytest

from pulumi import automation as auto

from riva_tir import health
from riva_tir.emulator import DEFAULT_AUTH_TOKEN
from riva_tir.emulator.riva_tools import make_riva_archive
from tests.day2.changes import _ops
from tests.integration.harness import Deployment, triton_index

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

OFFLINE = "parakeet-0.6b-en-US-asr-offline"
GERMAN = "parakeet-0.6b-de-DE-asr-streaming"


def _set_entry(dep: Deployment, index: int, entry: dict[str, Any]) -> None:
    for key, value in entry.items():
        dep.set(f"riva-tir:models[{index}].{key}", value)


def _change(dep: Deployment) -> dict[str, str]:
    """What the preview lists, checked against what `up` then does: {resource name: step}."""
    previewed: list[auto.EngineEvent] = []
    dep.stack.preview(on_event=previewed.append)
    applied: list[auto.EngineEvent] = []
    dep.stack.up(on_event=applied.append)
    assert _ops(previewed) == _ops(applied)
    dep.stack.preview(expect_no_changes=True)
    return _ops(applied)


def _by_step(ops: dict[str, str], step: str) -> set[str]:
    return {name for name, op in ops.items() if op == step}


def _resources(pipeline: str) -> set[str]:
    """One model's own resources (riva_tir/deployment.py names them from its pipeline)."""
    base = "riva-" + pipeline.lower().replace(".", "-")
    return {f"{base}-model-artifact", f"{base}-conversion", f"{base}-conversion-build", f"{base}-conversion-publish"}


def _served(dep: Deployment) -> dict[str, str]:
    return {m["name"]: m["state"] for m in triton_index(dep.outputs()["triton_grpc"])["models"]}


def test_models_added_and_removed_one_at_a_time(deployment: Deployment) -> None:
    dep = deployment
    offline = dep.tmp / "parakeet-offline.riva"
    make_riva_archive(offline, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 16, seed=2)
    _set_entry(dep, 0, {"kind": "asr", "mode": "offline", "file": str(offline)})
    assert _resources(OFFLINE) <= _by_step(_change(dep), "create")
    outputs = dep.outputs()
    assert [(m["service"], m["name"]) for m in outputs["speech_models"]] == [
        ("asr", "parakeet-0.6b-en-US-asr-streaming"), ("asr", OFFLINE)]
    assert outputs["services"] == {"asr": ["parakeet-0.6b-en-US-asr-streaming", OFFLINE]}
    served = _served(dep)
    assert f"{OFFLINE}-asr-bls-ensemble" in served and set(served.values()) == {"READY"}
    checks = {c.name: c for c in health.verify(outputs, DEFAULT_AUTH_TOKEN)}
    assert checks["riva recognition (streaming)"].ok and checks["riva recognition (offline)"].ok, health.table(
        list(checks.values()))

    # A second language: only its model is uploaded and converted; the endpoints roll.
    german = dep.tmp / "parakeet-de.riva"
    make_riva_archive(german, model="parakeet-ctc-0.6b-de-de", key="tlt_encode", size_bytes=1 << 16, seed=3)
    _set_entry(dep, 1, {"kind": "asr", "language": "de-DE", "file": str(german)})
    ops = _change(dep)
    assert _by_step(ops, "create") == _resources(GERMAN) and not _by_step(ops, "delete"), ops
    assert not _by_step(ops, "replace"), ops
    served = _served(dep)
    assert f"{GERMAN}-asr-bls-ensemble" in served and f"{OFFLINE}-asr-bls-ensemble" in served
    checks = {c.name: c for c in health.verify(dep.outputs(), DEFAULT_AUTH_TOKEN)}
    assert checks[f"riva asr {GERMAN}"].ok and checks["riva recognition (streaming)"].ok

    # The offline model goes: only its resources are deleted; streaming keeps recognizing.
    dep.stack.remove_config("riva-tir:models[0]", path=True)
    ops = _change(dep)
    assert _by_step(ops, "delete") == _resources(OFFLINE) and not _by_step(ops, "create"), ops
    assert not _by_step(ops, "replace"), ops
    served = _served(dep)
    assert not any(name.startswith(OFFLINE) for name in served) and f"{GERMAN}-asr-bls-ensemble" in served
    checks = {c.name: c for c in health.verify(dep.outputs(), DEFAULT_AUTH_TOKEN)}
    assert checks["riva recognition (streaming)"].ok and "riva recognition (offline)" not in checks
