"""The post-deploy verification as the stack's last step, and the commands the stack
prints for its users.

With `riva-tir:verify: true` a local command runs riva_tir.health against the new
endpoints after everything else (it depends on the whole RivaDeployment) and prints the
summary table in `pulumi up`; a failed check fails the `up`. It runs again whenever the
stack config, the endpoints or the models change, so a converged `up` stays a no-op.
"""
from __future__ import annotations

import hashlib
import json
import shlex

import pulumi
from pulumi_command import local

from riva_tir.config import StackConfig
from riva_tir.deployment import RivaDeployment
from riva_tir.ingress import TOKEN_ENV


def verification_step(name: str, deployment: RivaDeployment, config: StackConfig,
                      auth_token: pulumi.Output[str] | None) -> local.Command:
    """`python -m riva_tir.health` with the stack's addresses; the token as environment."""
    fingerprint = hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:16]
    outputs = pulumi.Output.all(triton_http_url=deployment.triton_http_url, triton_grpc=deployment.triton_grpc,
                                riva_grpc=deployment.riva_grpc, models=deployment.models,
                                speech_models=deployment.speech_models)
    command = pulumi.Output.all(outputs, deployment.triton_endpoint_id, deployment.riva_endpoint_id).apply(
        lambda a: f"# config {fingerprint}, endpoints {a[1]} {a[2]}\n"
                  f"python -m riva_tir.health --max-wer {config.verify_max_wer} "
                  f"--outputs {shlex.quote(json.dumps(a[0], sort_keys=True))}")
    return local.Command(name, create=command, update=command,
                         environment={TOKEN_ENV: auth_token} if auth_token is not None else None,
                         opts=pulumi.ResourceOptions(depends_on=[deployment]))


def transcribe_command(stack: str) -> str:
    """The user's transcription of a WAV file from a riva-tir checkout (riva_tir/speech.py)."""
    return f"scripts/transcribe --stack {shlex.quote(stack)} <file.wav>"


def verify_command(stack: str) -> str:
    """The user's verification from a riva-tir checkout."""
    return f"scripts/verify --stack {shlex.quote(stack)}"
