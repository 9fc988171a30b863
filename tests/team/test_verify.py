"""Post-deploy verification and `pulumi up` output against the emulator.

`riva-tir:verify: true` runs the verification as the stack's last step (its table in the
`up` output); the user's command (riva_tir.health, behind scripts/verify) passes on the
deployed stack and fails with a wrong token; the stack's outputs carry the addresses and
a client command that really answers; the long steps print progress lines.
"""
from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from pulumi import automation as auto

from riva_tir import health
from riva_tir.ingress import TOKEN_ENV
from tests.conftest import ROOT
from tests.team.stacks import Team
from riva_tir.emulator import DEFAULT_AUTH_TOKEN

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

# As riva-deploy wrote them (the conversion lists its repository), in byte order.
MODELS = ["parakeet-0.6b-en-US-asr-streaming-asr-bls-ensemble",
          "parakeet-0.6b-en-US-asr-streaming-ctc-decoder-cpu-streaming",
          "riva-trt-parakeet-0.6b-en-US-asr-streaming-am-streaming"]


def test_verification_step_outputs_and_progress(team: Team, capsys: pytest.CaptureFixture[str]) -> None:
    stack = team.stack("verify", {"riva-tir:verify": "true"})
    up = stack.up()
    assert up.summary.result == "succeeded"
    out = up.stdout

    # Progress of the long steps: upload, conversion on the node, endpoints.
    assert "uploading parakeet.riva: 100% of 1 MiB" in out
    assert "riva-build" in out or "riva-deploy" in out
    names = up.outputs["name_prefix"].value
    assert re.fullmatch(r"rt-verify-[a-z0-9]{5}", names)
    assert f"creating endpoint {names}-triton (triton) on GPU-L4-8-48GB-1" in out
    assert f"creating endpoint {names}-riva-api (custom) on CPU-C3-4-8GB-0" in out

    # The verification ran last, in the `up` output, and passed.
    assert "command:local:Command riva-verify" in out
    assert out.index("Verification:") > out.index(f"creating endpoint {names}-riva-api")
    assert f"{len(MODELS) + 5}/{len(MODELS) + 5} checks passed" in out
    recognized = next(line for line in out.splitlines() if "riva recognition (streaming)" in line)
    assert "parakeet-0.6b-en-US-asr-streaming: 'he might even have been made" in recognized
    assert "WER 0.12" in recognized
    assert DEFAULT_AUTH_TOKEN not in out

    outputs = {k: v.value for k, v in up.outputs.items()}
    assert outputs["verify_command"] == "scripts/verify --stack verify"
    # gRPC goes through the ingress: its address, TLS and the routing metadata.
    assert outputs["riva_grpc"]["metadata"] == {"svc": f"is-{outputs['riva_endpoint_id']}", "e2e-project": "1"}
    assert outputs["riva_grpc"]["address"] == outputs["triton_grpc"]["address"]
    # The transcribe command is copy-paste ready: run it as a shell would, on the user's file.
    assert outputs["transcribe_command"] == "scripts/transcribe --stack verify <file.wav>"
    command = outputs["transcribe_command"].replace("<file.wav>", "riva_tir/audio/amiable.wav")
    answer = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env={**os.environ, **team.env(), TOKEN_ENV: DEFAULT_AUTH_TOKEN})
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.startswith("he might even have been made"), answer.stdout

    # A converged stack does not re-run the step.
    stack.preview(expect_no_changes=True)

    # The user's verification: passes with the token, fails (exit 1) with a wrong one.
    args = ["--outputs", json.dumps(outputs)]
    os.environ[TOKEN_ENV] = DEFAULT_AUTH_TOKEN
    try:
        assert health.main(args) == 0
        good = capsys.readouterr().out
        os.environ[TOKEN_ENV] = "not-the-token"
        assert health.main(args) == 1
        bad = capsys.readouterr().out
    finally:
        del os.environ[TOKEN_ENV]
    assert all(f"ok    triton model {m}" in good for m in MODELS)
    assert "FAIL  triton server" in bad and "FAIL  triton grpc" in bad and "FAIL  riva api" in bad
    assert "UNAUTHENTICATED" in bad


def test_verification_step_fails_the_up(team: Team) -> None:
    stack = team.stack("verify", {"riva-tir:verify": "true"})
    stack.up()
    # Triton stopped behind Pulumi's back; a config change re-runs the step, which fails.
    with team.tir() as tir:
        tir.endpoints.stop(int(stack.outputs()["triton_endpoint_id"].value))
    stack.set_config("riva-tir:rivaApi.replicas", auto.ConfigValue("2"), path=True)
    with pytest.raises(auto.CommandError) as failed:
        stack.up()
    assert "FAIL  triton server" in str(failed.value)


def test_offline_stack_verifies_recognize_and_user_flags_name_the_models(team: Team) -> None:
    """An offline pipeline whose acoustic model the user renamed (`extra_flags`): the
    verification checks the models riva-deploy wrote and recognizes with `Recognize`."""
    stack = team.stack("offline", {"riva-tir:verify": "true", "riva-tir:model.pipeline.mode": "offline",
                                   "riva-tir:model.pipeline.extra_flags.acoustic_model_name": "parakeet-am"})
    up = stack.up()
    models = up.outputs["models"].value
    assert models == ["parakeet-0.6b-en-US-asr-offline-asr-bls-ensemble",
                      "parakeet-0.6b-en-US-asr-offline-ctc-decoder-cpu-streaming-offline", "riva-trt-parakeet-am"]
    assert up.outputs["speech_models"].value == [
        {"service": "asr", "name": "parakeet-0.6b-en-US-asr-offline", "language": "en-US", "mode": "offline"}]
    out = up.stdout
    assert "ok    triton model riva-trt-parakeet-am" in out
    recognized = next(line for line in out.splitlines() if "riva recognition (offline)" in line)
    assert "ok    riva recognition (offline)" in recognized and "'he might even have been made" in recognized
    assert "riva recognition (streaming)" not in out  # not deployed, not expected
    stack.preview(expect_no_changes=True)
