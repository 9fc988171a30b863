"""The post-deploy verification as the stack's last step, and the commands the stack
prints for its users.

With `riva-tir:verify: true` a local command runs components.health against the new
endpoints after everything else (it depends on the whole RivaDeployment) and prints the
summary table in `pulumi up`; a failed check fails the `up`. It runs again whenever the
stack config, the endpoints or the models change, so a converged `up` stays a no-op.
"""
from __future__ import annotations

import hashlib
import shlex

import pulumi
from pulumi_command import local

from components.config import StackConfig
from components.deployment import RivaDeployment
from components.health import TOKEN_ENV, grpc_tls


def verification_step(name: str, deployment: RivaDeployment, config: StackConfig,
                      auth_token: pulumi.Output[str] | None) -> local.Command:
    """`python -m components.health` with the stack's addresses; the token as environment."""
    fingerprint = hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:16]
    command = pulumi.Output.all(deployment.triton_http_url, deployment.riva_grpc_address, deployment.models,
                                deployment.triton_endpoint_id, deployment.riva_endpoint_id).apply(
        lambda a: " ".join([
            f"# config {fingerprint}, endpoints {a[3]} {a[4]}\n"
            "python -m components.health", "--triton-http-url", shlex.quote(a[0]),
            "--riva-grpc-address", shlex.quote(a[1]), *(f"--model {shlex.quote(m)}" for m in a[2])]))
    return local.Command(name, create=command, update=command,
                         environment={TOKEN_ENV: auth_token} if auth_token is not None else None,
                         opts=pulumi.ResourceOptions(depends_on=[deployment]))


def client_command(riva_grpc_address: str) -> str:
    """A copy-paste command that asks the Riva API server for its ASR models with
    nvidia-riva-client (`pip install nvidia-riva-client`), token from $TIR_AUTH_TOKEN."""
    program = (
        "import os, riva.client as r; "
        f"a = r.Auth(uri={riva_grpc_address!r}, use_ssl={grpc_tls(riva_grpc_address)}, "
        f"metadata_args=[['authorization', 'Bearer ' + os.environ.get({TOKEN_ENV!r}, '')]]); "
        "print(r.ASRService(a).stub.GetRivaSpeechRecognitionConfig("
        "r.proto.riva_asr_pb2.RivaSpeechRecognitionConfigRequest(), metadata=a.get_auth_metadata()))")
    return f"python -c {shlex.quote(program)}"


def verify_command(stack: str) -> str:
    """The user's verification from a riva-tir checkout."""
    return f"scripts/verify --stack {shlex.quote(stack)}"
