"""The verification (riva_tir/health.py) against the emulator's Triton and Riva stand-ins fed
by repositories the emulated riva-build and riva-deploy really wrote: each way recognition
breaks while health still passes fails its check, and the recognizer hears nothing in silence."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import Any

import boto3
import pytest

from riva_tir import health, speech
from riva_tir.pipeline import PipelineSpec
from tests.emulator.api_harness import AUTH_TOKEN, PROJECT, Api
from tests.emulator.test_ingress import RIVA_IMAGE, STOCK_TRITON, _riva, _triton
from riva_tir.tir.endpoints import GrpcTarget
from riva_tir.emulator.riva_tools import build, deploy, make_riva_archive
from riva_tir.emulator.server import EmulatorServer

pytestmark = pytest.mark.emulator

MAX_WER = 0.25


def _publish(tmp: Path, repo: dict[str, Any], pipeline: PipelineSpec) -> None:
    """riva-build + riva-deploy of a Parakeet `.riva` with the pipeline's flags, mirrored to the bucket."""
    riva, rmir, models = tmp / "parakeet.riva", tmp / "asr.rmir", tmp / "model-repository"
    make_riva_archive(riva, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 16)
    assert build.main(["speech_recognition", "-f", f"{rmir}:tlt_encode", f"{riva}:tlt_encode",
                       *pipeline.build_flags()]) == 0
    assert deploy.main(["-f", f"{rmir}:tlt_encode", str(models)]) == 0
    s3 = boto3.client("s3", endpoint_url=repo["bucket"]["endpoint"], region_name="us-east-1",
                      aws_access_key_id=repo["access_key"]["access_key"],
                      aws_secret_access_key=repo["access_key"]["secret_key"])
    for path in models.rglob("*"):
        if path.is_file():
            s3.upload_file(str(path), repo["bucket"]["bucket_name"], f"models/{path.relative_to(models)}")


def _deployed(api: Api, emulator: EmulatorServer, tmp: Path, pipeline: PipelineSpec,
              triton_image: str = RIVA_IMAGE) -> tuple[int, GrpcTarget, list[str]]:
    repo = api.repository()
    _publish(tmp, repo, pipeline)
    triton = _triton(api, repo, triton_image)
    api.settled(triton["id"])
    riva = _riva(api, triton["id"])
    target = GrpcTarget(address=emulator.grpc_address, ca_file=str(emulator.ca_file),
                        metadata={"svc": f"is-{riva['id']}", "e2e-project": str(PROJECT)})
    models = sorted(p.name for p in (tmp / "model-repository").iterdir())
    return triton["id"], target, models


def _by_name(checks: list[health.Check]) -> dict[str, health.Check]:
    return {c.name: c for c in checks}


def test_offline_stack_recognizes_and_a_missing_pipeline_fails(api: Api, emulator: EmulatorServer,
                                                               tmp_path: Path) -> None:
    """Recognize on an offline pipeline passes; the same server asked for streaming, which
    the stack would deploy in another mode, fails the check instead of skipping it."""
    _, target, _ = _deployed(api, emulator, tmp_path, PipelineSpec(mode="offline"))
    checks = _by_name(health.riva_checks(target, AUTH_TOKEN, MAX_WER, expected=["offline", "streaming"]))
    assert checks["riva api"].ok and checks["riva asr models"].ok
    assert checks["riva recognition (offline)"].ok, checks["riva recognition (offline)"].detail
    assert "he might even have been made" in checks["riva recognition (offline)"].detail
    assert not checks["riva recognition (streaming)"].ok
    assert checks["riva recognition (streaming)"].detail == "no online pipeline served"


def test_streaming_only_fails_an_expected_offline_check(api: Api, emulator: EmulatorServer, tmp_path: Path) -> None:
    _, target, _ = _deployed(api, emulator, tmp_path, PipelineSpec())
    checks = _by_name(health.riva_checks(target, AUTH_TOKEN, MAX_WER, expected=["offline"]))
    assert checks["riva recognition (streaming)"].ok
    assert not checks["riva recognition (offline)"].ok


def test_a_garbled_pipeline_fails_recognition_while_health_passes(api: Api, emulator: EmulatorServer,
                                                                  tmp_path: Path) -> None:
    """A wrong ms_per_timestep builds (the preview refuses it only for models named
    parakeet…; this one is a Parakeet `.riva` under another name) and garbles the text."""
    garbled = PipelineSpec(model="asr", extra_flags={"ms_per_timestep": "40"})
    _, target, _ = _deployed(api, emulator, tmp_path, garbled)
    checks = _by_name(health.riva_checks(target, AUTH_TOKEN, MAX_WER, expected=["streaming"]))
    assert checks["riva api"].ok and checks["riva asr models"].ok
    recognition = checks["riva recognition (streaming)"]
    assert not recognition.ok and "WER" in recognition.detail, recognition.detail


def test_triton_models_not_ready_fail_the_checks(api: Api, emulator: EmulatorServer, tmp_path: Path) -> None:
    """Stock Triton lacks Riva's backends (the decoder's, the ensemble's): those models never
    load, and with TIR's stock command line (no `--exit-on-error=false`) tritonserver exits,
    so the endpoint fails, every Triton check fails and Riva has no pipeline to serve."""
    triton_id, target, models = _deployed(api, emulator, tmp_path, PipelineSpec(), triton_image=STOCK_TRITON)
    endpoint = api.ok("GET", f"serving/inference/{triton_id}/")
    assert endpoint["status"] == "failed", endpoint["status"]
    assert "unable to find backend library for backend 'riva_asr_" in endpoint["failure_reason"]
    triton = _by_name(health.triton_checks(api.http_url(triton_id), models, AUTH_TOKEN))
    assert not any(check.ok for check in triton.values())
    riva = _by_name(health.riva_checks(target, AUTH_TOKEN, MAX_WER, expected=["streaming"]))
    assert not riva["riva api"].ok


def test_the_recognizer_on_the_shipped_audio_and_on_silence(api: Api, emulator: EmulatorServer,
                                                            tmp_path: Path) -> None:
    _, target, _ = _deployed(api, emulator, tmp_path, PipelineSpec())
    spoken = speech.transcribe(target, AUTH_TOKEN, speech.AUDIO)
    assert speech.word_error_rate(speech.REFERENCE, spoken.text) <= MAX_WER, spoken.text
    silence = tmp_path / "silence.wav"
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(b"\0\0" * 16000 * 3)
    silence.write_bytes(buffer.getvalue())
    assert speech.transcribe(target, AUTH_TOKEN, silence).text == ""
