"""RivaConversion: riva-build and riva-deploy on the node, then the resulting Triton model
repository published to the model repository's bucket, as pulumi-command steps over SSH.

Each step's command text holds everything that should re-run it (artifact hash, flags,
Riva version, bucket, prefix), so an unchanged model never re-converts and a changed one
re-runs build, deploy and publish, in that order. Secrets (model key, bucket keys) reach
the node as environment, never in logs: tool output is passed through a filter that
masks them.
"""
from __future__ import annotations

import hashlib
import json
import shlex

import pulumi
from pulumi_command import remote

from components.pipeline import PipelineSpec

WORK_DIR = "riva-tir/conversions"
# ASSUMPTION: the riva-speech image has no MinIO client; TIR documents `mc` for EOS, so a
# node without it fetches the official static binary once (real TIR nodes reach the web).
MC_URL = "https://dl.min.io/client/mc/release/linux-amd64/mc"
# Tool output goes through this filter: it replaces the secrets (taken literally) by ***.
MASK = ("awk 'BEGIN { k[1] = ENVIRON[\"RIVA_MODEL_KEY\"]; k[2] = ENVIRON[\"BUCKET_SECRET_KEY\"] }"
        " { for (n in k) while (k[n] != \"\" && (i = index($0, k[n])) > 0)"
        " $0 = substr($0, 1, i - 1) \"***\" substr($0, i + length(k[n])); print; fflush() }'")

# What a failed riva-build means for the stack: only the node can read the `.riva`.
BUILD_HINT = ("riva-build could not read the model: check riva-tir:modelKey (the key the .riva was "
              "encrypted with) and that riva-tir:model names a valid .riva")


def _script(*lines: str) -> str:
    return "\n".join(["set -euo pipefail", *lines])


class RivaConversion(pulumi.ComponentResource):
    """Turns the `.riva` artifact into a Triton model repository in the bucket."""

    revision: pulumi.Output[str]
    models: pulumi.Output[list[str]]

    def __init__(self, name: str, *, connection: remote.ConnectionArgs, artifact_path: pulumi.Input[str],
                 artifact_sha256: pulumi.Input[str], pipeline: PipelineSpec, riva_version: str,
                 model_key: pulumi.Output[str], bucket: pulumi.Input[str], bucket_endpoint: pulumi.Input[str],
                 bucket_access_key: pulumi.Input[str], bucket_secret_key: pulumi.Output[str], prefix: str,
                 republish: pulumi.Input[str] = "", timeout_minutes: int = 120,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("riva-tir:riva:RivaConversion", name, None, opts)
        work = f"{WORK_DIR}/{name}"
        flags = pipeline.build_flags()
        self.revision = pulumi.Output.from_input(artifact_sha256).apply(
            lambda sha: hashlib.sha256(json.dumps([sha, flags, riva_version]).encode()).hexdigest()[:16])
        rmir = f"{work}/{pipeline.name}.rmir"
        seconds = timeout_minutes * 60

        build = pulumi.Output.all(artifact_path, self.revision).apply(lambda a: _script(
            f"# riva {riva_version}, revision {a[1]}",
            f"mkdir -p {work}",
            f"timeout {seconds} riva-build speech_recognition -f \"{rmir}:$RIVA_MODEL_KEY\" "
            f"\"{a[0]}:$RIVA_MODEL_KEY\" {' '.join(shlex.quote(f) for f in flags)} 2>&1 | {MASK} "
            f"|| {{ echo '{BUILD_HINT}' >&2; exit 1; }}",
            f"timeout {seconds} riva-deploy -f \"{rmir}:$RIVA_MODEL_KEY\" {work}/model-repository 2>&1 | {MASK}",
            f"ls {work}/model-repository",
        ))
        self.build = remote.Command(
            f"{name}-build", connection=connection, create=build, delete=f"rm -rf {work}",
            environment={"RIVA_MODEL_KEY": model_key},
            opts=pulumi.ResourceOptions(parent=self))

        target = pulumi.Output.all(bucket, prefix).apply(lambda a: f"riva-tir/{a[0]}/{a[1]}")
        endpoint = pulumi.Output.from_input(bucket_endpoint).apply(
            lambda e: e if "://" in e else f"https://{e}")
        alias = _script(
            "export PATH=\"$HOME/riva-tir/bin:$PATH\"",
            f"command -v mc >/dev/null || {{ mkdir -p \"$HOME/riva-tir/bin\" && "
            f"curl -fsSL -o \"$HOME/riva-tir/bin/mc\" {MC_URL} && chmod +x \"$HOME/riva-tir/bin/mc\"; }}",
            "mc alias set riva-tir \"$BUCKET_ENDPOINT\" \"$BUCKET_ACCESS_KEY\" \"$BUCKET_SECRET_KEY\" >/dev/null",
        )
        publish = pulumi.Output.all(target, self.revision).apply(lambda a: "\n".join([
            f"# revision {a[1]}", alias,
            f"mc mirror --overwrite --remove {work}/model-repository/ {a[0]} 2>&1 | {MASK}",
        ]))
        unpublish = target.apply(lambda t: "\n".join([alias, f"mc rm --recursive --force {t} 2>&1 | {MASK}"]))
        self.publish = remote.Command(
            f"{name}-publish", connection=connection, create=publish, delete=unpublish,
            environment={"BUCKET_ENDPOINT": endpoint, "BUCKET_ACCESS_KEY": bucket_access_key,
                         "BUCKET_SECRET_KEY": bucket_secret_key},
            # A new `republish` value (the bucket was emptied) runs the publish again; the old
            # one's delete (unpublish) must run first, not after the new copy is in place.
            triggers=[republish],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.build], delete_before_replace=True))

        # The published revision: consumers that depend on it wait for the publish step.
        self.revision = pulumi.Output.all(self.publish.stdout, self.revision).apply(lambda a: a[1])
        self.models = pulumi.Output.from_input(pipeline.triton_models())
        self.register_outputs({"revision": self.revision, "models": self.models})
