"""The post-deploy verification as the stack's last step, and the commands the stack
prints for its users.

With `verify` (the stack's `riva-tir:verify: true`) each RivaDeployment runs
riva_tir.health against its endpoints after everything else of it, as its last child, and
prints the summary table in `pulumi up`; a failed check fails the `up`. It runs again whenever the
stack config, the endpoints or the models change, so a converged `up` stays a no-op.
"""
from __future__ import annotations

import hashlib
import json
import shlex

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi_command import local

from riva_tir.ingress import TOKEN_ENV


def verification_step(name: str, outputs: Mapping[str, pulumi.Input[Any]], config: pulumi.Input[str],
                      max_wer: float, auth_token: pulumi.Output[str],
                      opts: pulumi.ResourceOptions) -> local.Command:
    """`python -m riva_tir.health` with the deployment's `outputs` (as the stack exports them);
    the token as environment. It runs again when they or the `config` (a fingerprint of the
    deployment's settings) change."""
    command = pulumi.Output.all(pulumi.Output.all(**outputs), config).apply(
        lambda a: f"# config {hashlib.sha256(a[1].encode()).hexdigest()[:16]}, endpoints "
                  f"{a[0]['triton_endpoint_id']} {a[0]['riva_endpoint_id']}\n"
                  f"python -m riva_tir.health --max-wer {max_wer} "
                  f"--outputs {shlex.quote(json.dumps(_checked(a[0]), sort_keys=True))}")
    return local.Command(name, create=command, update=command, environment={TOKEN_ENV: auth_token}, opts=opts)


def _checked(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """What the verification reads of the outputs (riva_tir/health.py `verify`)."""
    return {key: outputs[key] for key in ("triton_http_url", "triton_grpc", "riva_grpc", "models", "speech_models")}


def transcribe_command(stack: str) -> str:
    """The user's transcription of a WAV file from a riva-tir checkout (riva_tir/speech.py)."""
    return f"scripts/transcribe --stack {shlex.quote(stack)} <file.wav>"


def verify_command(stack: str) -> str:
    """The user's verification from a riva-tir checkout."""
    return f"scripts/verify --stack {shlex.quote(stack)}"
