"""Several speech models in one deployment (riva-tir:models) through real `preview`/`up`
against the emulator: each model is converted once and served by the one Triton; adding or
removing one touches only its own resources, and the preview says so before `up` does it;
every service is verified by what it does, and NVIDIA's own client works through the ingress."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
import pytest
import riva.client
from pulumi import automation as auto

from riva_tir import health, speech
from riva_tir.emulator import DEFAULT_AUTH_TOKEN
from riva_tir.emulator.riva_tools.ngc import DEFAULT_NGC_KEY
from riva_tir.emulator.riva_tools import build, make_riva_archive
from riva_tir.ingress import ca_path, target_of
from riva_tir.speech_models import AsrModel
from riva_tir.tir.endpoints import GrpcTarget
from tests.day2.changes import _ops
from tests.integration.harness import Deployment, triton_index

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

OFFLINE = "parakeet-0.6b-en-US-asr-offline"
GERMAN = "conformer-de-DE-asr-streaming"


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

    # A second language, NVIDIA's prebuilt RMIR from NGC: only it is downloaded and deployed
    # (no riva-build); the endpoints roll.
    dep.set("riva-tir:ngcApiKey", DEFAULT_NGC_KEY, secret=True)
    _set_entry(dep, 1, {"kind": "asr", "language": "de-DE", "model": "conformer",
                        "ngc": "nvidia/riva/rmir_asr_conformer_de_de_str:2.19.0"})
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


@contextmanager
def _recognizing(target: GrpcTarget) -> Iterator[list[str]]:
    """Recognizes the shipped audio over and over while the body runs; yields the failures."""
    failures: list[str] = []
    done = threading.Event()

    def loop() -> None:
        while not done.is_set():
            try:
                text = speech.transcribe(target, DEFAULT_AUTH_TOKEN, speech.AUDIO, "streaming").text
                if speech.word_error_rate(speech.REFERENCE, text) > 0.2:
                    failures.append(f"heard {text!r}")
            except grpc.RpcError as exc:
                failures.append(f"{exc.code().name}: {exc.details()}")

    worker = threading.Thread(target=loop, daemon=True)
    worker.start()
    try:
        yield failures
    finally:
        done.set()
        worker.join(timeout=60)


def _voice_files(dep: Deployment) -> dict[str, Any]:
    """A voice's `.riva` stand-ins and an IPA phone dictionary, as NVIDIA's auxiliary files have one."""
    fastpitch, hifigan = dep.tmp / "fastpitch.riva", dep.tmp / "hifigan.riva"
    make_riva_archive(fastpitch, model="speechsynthesis_en_us_fastpitch_ipa", kind="tts_fastpitch",
                      key="tlt_encode", size_bytes=1 << 16, seed=4)
    make_riva_archive(hifigan, model="speechsynthesis_en_us_hifigan_ipa", kind="tts_hifigan",
                      key="tlt_encode", size_bytes=1 << 16, seed=5)
    dictionary = dep.tmp / "ipa_cmudict-0.7b_nv22.08.txt"
    dictionary.write_text("HELLO  həˈloʊ\nWORLD  ˈwɝld\n", encoding="utf-8")
    return {"kind": "tts", "voice": "English-US", "fastpitch.file": str(fastpitch), "hifigan.file": str(hifigan),
            "phoneSet": "ipa", "phoneDictionary.file": str(dictionary)}


def _prebuilt_offline(dep: Deployment) -> Path:
    """An RMIR riva-build already made (as NGC's `rmir_…` are): deployed without riva-build."""
    riva, rmir = dep.tmp / "offline.riva", dep.tmp / "parakeet-offline.rmir"
    make_riva_archive(riva, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 16, seed=6)
    flags = AsrModel(kind="asr", mode="offline", ngc="nvidia/riva/x:1").pipeline.build_flags()
    assert build.main(["speech_recognition", "-f", f"{rmir}:tlt_encode", f"{riva}:tlt_encode", *flags]) == 0
    return rmir


def test_a_full_speech_service_and_a_voice_removed(deployment: Deployment) -> None:
    """ASR en-US streaming (the single model) and offline (a prebuilt RMIR), punctuation and
    a voice: every service verified by what it does, NVIDIA's client through the ingress;
    then the voice goes, TTS turns off and ASR keeps serving."""
    dep = deployment
    punctuation = dep.tmp / "punctuation.riva"
    make_riva_archive(punctuation, model="punctuationcapitalization_en_us_bert_base", kind="punctuation",
                      key="tlt_encode", size_bytes=1 << 16, seed=7)
    _set_entry(dep, 0, {"kind": "punctuation", "file": str(punctuation)})
    _set_entry(dep, 1, _voice_files(dep))
    _set_entry(dep, 2, {"kind": "asr", "mode": "offline", "file": str(_prebuilt_offline(dep))})
    _change(dep)
    outputs = dep.outputs()
    assert outputs["services"] == {"asr": ["parakeet-0.6b-en-US-asr-streaming", OFFLINE],
                                   "nlp": ["riva-punctuation-en-US"], "tts": ["English-US"]}
    checks = health.verify(outputs, DEFAULT_AUTH_TOKEN)
    assert all(c.ok for c in checks), health.table(checks)
    names = {c.name for c in checks}
    assert {"riva recognition (streaming)", "riva recognition (offline)", "riva punctuation riva-punctuation-en-US",
            "riva tts English-US"} <= names

    # NVIDIA's own client through the ingress: recognition with automatic punctuation, speech.
    target = target_of(outputs["riva_grpc"])
    punctuated = speech.transcribe(target, DEFAULT_AUTH_TOKEN, speech.AUDIO, "streaming", punctuate=True).text
    assert punctuated[:1].isupper() and punctuated.rstrip()[-1:] in ".?!", punctuated
    assert speech.word_error_rate(speech.REFERENCE, punctuated) <= 0.2, punctuated
    auth = riva.client.Auth(uri=target.address, use_ssl=True, ssl_root_cert=ca_path(target),
                            metadata_args=[list(p) for p in target.call_metadata(DEFAULT_AUTH_TOKEN)])
    audio = riva.client.SpeechSynthesisService(auth).synthesize("Good morning.", voice_name="English-US",
                                                                language_code="en-US", sample_rate_hz=44100)
    assert len(audio.audio) > 44100  # more than half a second of 16-bit samples

    # The voice goes: its own resources only; TTS is off, and recognition never stops meanwhile.
    dep.stack.remove_config("riva-tir:models[1]", path=True)
    with _recognizing(target) as failures:
        ops = _change(dep)
    assert failures == [], failures
    voice = "riva-fastpitch-hifigan-ensemble-english-us"
    assert _by_step(ops, "delete") == {f"{voice}-{part}" for part in (
        "fastpitch-artifact", "hifigan-artifact", "phone-dictionary-artifact", "conversion", "conversion-build",
        "conversion-publish")}, ops
    assert not _by_step(ops, "create") and not _by_step(ops, "replace"), ops
    assert not any(name.endswith("-English-US") for name in _served(dep))
    with pytest.raises(grpc.RpcError) as off:
        speech.synthesize(target, DEFAULT_AUTH_TOKEN, "Good morning.")
    assert off.value.code() == grpc.StatusCode.UNIMPLEMENTED
    checks = health.verify(dep.outputs(), DEFAULT_AUTH_TOKEN)
    assert all(c.ok for c in checks) and not any("tts" in c.name for c in checks), health.table(checks)
