"""Scenario 7: malformed inputs fail at the earliest step, naming the key and the fix,
and create nothing.

Stack-config mistakes fail in the program's first step (`riva_tir.config.load`, before
any resource is registered): most cases run that step in-process against the same
config the engine would pass, and `test_config_errors_fail_preview` proves the engine
path shows the same text. What only TIR can tell (plan, image, credentials, region) fails
the providers' `check`, i.e. `preview`, through the real engine. A wrong model key or a
corrupt `.riva` can only be found by riva-build on the node: that fails at the
conversion, naming the key to fix, and the stack then converges once it is fixed.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto
from pulumi.runtime import config as runtime_config

from riva_tir import config
from tests.integration.harness import Deployment, base_config
from riva_tir.emulator import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN
from riva_tir.emulator.riva_tools import make_riva_archive

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

SECRETS = {"riva-tir:tirApiKey": DEFAULT_API_KEY, "riva-tir:tirAuthToken": DEFAULT_AUTH_TOKEN}
PUBKEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAitnaoWfVVtpn/4y9/aucj5o+KRIMes0x9f7WFEZALL ops"
REMOVE = object()

# id -> (config changes (path key -> value, REMOVE drops it), [expected fragments]).
CONFIG_CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "riva-version-format": ({"node.rivaVersion": "latest"}, ["riva-tir:node.rivaVersion", "pattern"]),
    "replicas-negative": ({"triton.replicas": -1}, ["riva-tir:triton.replicas", "greater than or equal to 0"]),
    "replicas-zero": ({"triton.replicas": 0}, ["riva-tir:triton.replicas", "0 replicas serve nothing", "state: stopped"]),
    "replicas-over": ({"rivaApi.replicas": 6}, ["riva-tir:rivaApi.replicas", "at most 5", "autoscaling"]),
    "replicas-boolean": ({"triton.replicas": True}, ["riva-tir:triton.replicas", "must be a number"]),
    "models-duplicate": ({"models": [{"kind": "punctuation", "ngc": "nvidia/riva/p:1"},
                                     {"kind": "punctuation", "ngc": "nvidia/riva/q:1"}]},
                         ["riva-tir:models", "riva-punctuation-en-US given twice"]),
    "models-kind": ({"models": [{"kind": "nmt", "ngc": "nvidia/riva/n:1"}]},
                    ["riva-tir:models.0", "kind must be asr, punctuation or tts"]),
    "models-gpu-memory": ({"models": [{"kind": "asr", "language": lang, "mode": "offline", "model": "parakeet-1.1b",
                                       "ngc": "nvidia/riva/a:1"} for lang in ("de-DE", "es-US", "fr-FR", "hi-IN")]},
                          ["riva-tir:models need", "GB of GPU memory", "riva-tir:triton.plan", "24 GB on its L4"]),
    "verify-stopped": ({"verify": True, "rivaApi.state": "stopped"},
                       ["riva-tir:verify true with riva-tir:rivaApi.state stopped", "set verify false"]),
    "triton-stopped-alone": ({"triton.state": "stopped"},
                             ["riva-tir:triton.state stopped with riva-tir:rivaApi.state running",
                              "set riva-tir:rivaApi.state stopped too"]),
    "tts-one-half": ({"models": [{"kind": "tts", "fastpitch": {"ngc": "nvidia/riva/f:1"}}]},
                     ["riva-tir:models.0", "needs both fastpitch and hifigan"]),
    "model-file-text": ({"model.file": "{tmp}/pointer.riva"}, ["riva-tir:model.file", "not a Riva model archive"]),
    "replicas-type": ({"rivaApi.replicas": "two"}, ["riva-tir:rivaApi.replicas", "valid integer"]),
    "autoscaling-min-gt-max": ({"triton.autoscaling": {"minReplicas": 3, "maxReplicas": 1}},
                               ["riva-tir:triton.autoscaling", "maxReplicas (1) must be >= minReplicas (3)"]),
    "autoscaling-max-zero": ({"triton.autoscaling": {"minReplicas": 0, "maxReplicas": 0}},
                             ["riva-tir:triton.autoscaling.maxReplicas", "greater than or equal to 1"]),
    "autoscaling-metric": ({"rivaApi.autoscaling": {"minReplicas": 1, "maxReplicas": 2, "metric": "gpu"}},
                           ["riva-tir:rivaApi.autoscaling.metric", "'concurrency'"]),
    "model-file-missing": ({"model.file": "/nonexistent/parakeet.riva"},
                           ["riva-tir:model", "does not exist", "path of the .riva model"]),
    "model-file-directory": ({"model.file": "{tmp}"}, ["riva-tir:model", "not a file"]),
    "model-file-suffix": ({"model.file": "{tmp}/notes.txt"}, ["riva-tir:model", "must be a .riva"]),
    "model-none": ({"model.file": REMOVE}, ["riva-tir:model: missing", "pulumi config set --path"]),
    "model-two-sources": ({"model.ngc": "nvidia/riva/parakeet:1.0"}, ["riva-tir:model", "exactly one"]),
    "ngc-reference": ({"model.file": REMOVE, "model.ngc": "nvidia/parakeet"},
                      ["riva-tir:model.ngc", "pattern"]),
    "model-url-http": ({"model.file": REMOVE, "model.url": "http://example.com/m.riva"},
                       ["riva-tir:model.url", "https"]),
    "pipeline-mode": ({"model.pipeline": {"mode": "fast"}}, ["riva-tir:model.pipeline.mode", "'streaming'"]),
    "ssh-public-key-format": ({"node.sshPublicKey": "not a key"}, ["riva-tir:node.sshPublicKey", "pattern"]),
    "storage-type": ({"repository.storageType": "s3"}, ["riva-tir:repository.storageType", "'managed'"]),
    "repository-prefix": ({"repository.prefix": "/abs/path"}, ["riva-tir:repository.prefix", "pattern"]),
    "project-id-type": ({"tir.projectId": "abc"}, ["riva-tir:tir.projectId", "valid integer"]),
    "project-id-zero": ({"tir.projectId": 0}, ["riva-tir:tir.projectId", "greater than 0"]),
    "api-root-scheme": ({"tir.apiRoot": "ftp://tir.example"}, ["riva-tir:tir.apiRoot", "TIR API root URL"]),
    "team-scoped-without-team": ({"tir.urlStyle": "team-scoped"},
                                 ["riva-tir:tir.teamId", "required with the team-scoped URL style"]),
    "disk-too-small": ({"node.diskSizeGb": 10}, ["riva-tir:node.diskSizeGb", "greater than or equal to 30"]),
    "node-state": ({"node.state": "paused"}, ["riva-tir:node.state", "'running' or 'stopped'"]),
    "triton-runtime": ({"triton.runtime": "tensorrt"}, ["riva-tir:triton.runtime", "'triton' or 'custom-container'"]),
    "triton-stock-image": ({"triton.image": "aimle2e/tritonserver:24.02-py3-01"},
                           ["riva-tir:triton.image", "lack Riva's Triton backends"]),
    "node-plan-empty": ({"node.plan": ""}, ["riva-tir:node.plan", "at least 1 character"]),
    "triton-missing": ({"triton.plan": REMOVE, "triton.replicas": REMOVE},
                       ["riva-tir:triton", "pulumi config set --path riva-tir:triton"]),
    "unknown-top-key": ({"nodes": {"plan": "x"}}, ["riva-tir:nodes", "unknown key", "check its spelling"]),
    "unknown-nested-key": ({"node.gpus": 2}, ["riva-tir:node.gpus", "unknown key"]),
    "timeouts-key": ({"timeoutsMinutes": {"build": 5}}, ["riva-tir:timeoutsMinutes.build", "'node'"]),
    "name-prefix": ({"namePrefix": "RT_x"}, ["riva-tir:namePrefix", "pattern"]),
    "retries-negative": ({"retries": {"capacityRetries": -1}},
                         ["riva-tir:retries.capacityRetries", "greater than or equal to 0"]),
}
# id -> (secret changes, config changes, [expected fragments]).
SECRET_CASES: dict[str, tuple[dict[str, Any], dict[str, Any], list[str]]] = {
    "api-key-missing": ({"riva-tir:tirApiKey": REMOVE}, {},
                        ["riva-tir:tirApiKey: missing", "pulumi config set --secret riva-tir:tirApiKey"]),
    "auth-token-missing": ({"riva-tir:tirAuthToken": REMOVE}, {},
                           ["riva-tir:tirAuthToken: missing", "pulumi config set --secret"]),
    "ngc-key-missing": ({}, {"model.file": REMOVE, "model.ngc": "nvidia/riva/parakeet:1.0"},
                        ["riva-tir:ngcApiKey: missing", "NGC API key"]),
    "ssh-private-key-missing": ({}, {"node.sshPublicKey": PUBKEY}, ["riva-tir:sshPrivateKey: missing"]),
    "bucket-secret-missing": ({}, {"repository.storageType": "external", "repository.bucketName": "b",
                                   "repository.accessKey": "AK"}, ["riva-tir:repositorySecretKey: missing"]),
}
# Cases only TIR (or the engine path) can tell: id -> (config path, value, secret, [fragments]).
ENGINE_CASES: dict[str, tuple[str, str, bool, list[str]]] = {
    "unknown-node-plan": ("riva-tir:node.plan", "GPU-NOPE-1", False, ["riva-node", "plan", "GPU-NOPE-1",
                                                                       "available: ", "use one of them"]),
    "unknown-image-version": ("riva-tir:node.rivaVersion", "2.18.0", False,
                              ["riva-node", "image_version", "2.18.0", "available: "]),
    "unknown-endpoint-plan": ("riva-tir:rivaApi.plan", "CPU-NOPE-0", False,
                              ["riva-riva-api", "plan", "CPU-NOPE-0", "available: "]),
    "wrong-api-key": ("riva-tir:tirApiKey", "wrong-key-5d1c", True,
                      ["credentials", "TIR refused the API key or token (HTTP 401)", "riva-tir:tirApiKey"]),
    "unknown-region": ("riva-tir:tir.location", "Mars", False, ["tir", "location"]),
    "plaintext-secret": ("riva-tir:ngcApiKey", "plain-ngc-7e2a", False,
                         ["riva-tir:ngcApiKey: set in plaintext", "pulumi config set --secret riva-tir:ngcApiKey"]),
    "config-through-engine": ("riva-tir:triton.replicas", "-1", False,
                              ["riva-tir:triton.replicas", "greater than or equal to 0"]),
}


def _apply(flat: dict[str, Any], changes: dict[str, Any], tmp: Path) -> dict[str, Any]:
    out = dict(flat)
    for key, value in changes.items():
        full = key if key.startswith("riva-tir:") else f"riva-tir:{key}"
        if value is REMOVE:
            out.pop(full, None)
        else:
            out[full] = value.replace("{tmp}", str(tmp)) if isinstance(value, str) else value
    return out


def _program_config(flat: dict[str, Any]) -> dict[str, str]:
    """Path keys (`riva-tir:node.plan`) as the engine hands them to the program: one JSON
    object per top-level key."""
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        top, _, rest = key.partition(".")
        if not rest:
            nested[top] = value
            continue
        node = nested.setdefault(top, {})
        *parents, leaf = rest.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in nested.items()}


class _NoEmulator:
    """What base_config reads of an emulator; config.load never calls it."""

    url = "http://127.0.0.1:9"
    api_root = url + "/myaccount/api/v1/gpu/"
    grpc_address = "127.0.0.1:10"
    ca_file = Path("/nonexistent/ca.pem")


@pytest.fixture
def load_with(tmp_path: Path) -> Iterator[Any]:
    """Runs `config.load` over a config, as the program does under the engine."""
    saved = runtime_config.CONFIG.get()
    artifact = tmp_path / "parakeet.riva"
    make_riva_archive(artifact, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=4096)
    (tmp_path / "notes.txt").write_text("not a model")
    # What a failed download or a Git LFS checkout leaves under the model's name.
    (tmp_path / "pointer.riva").write_text("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 1\n")
    base = base_config(_NoEmulator(), artifact)  # type: ignore[arg-type]

    def load(changes: dict[str, Any], secrets: dict[str, Any] | None = None) -> str:
        flat = _apply(base, changes, tmp_path)
        given = _apply(SECRETS, secrets or {}, tmp_path)
        runtime_config.set_all_config({**_program_config(flat), **given}, list(given))
        with pytest.raises(config.ConfigError) as info:
            config.load()
        return str(info.value)

    yield load
    runtime_config.set_all_config(saved)


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_config_error_names_key_and_fix(load_with: Any, case: str) -> None:
    changes, expected = CONFIG_CASES[case]
    message = load_with(changes)
    for fragment in expected:
        assert fragment in message, f"{case}: {fragment!r} not in {message!r}"


@pytest.mark.parametrize("case", sorted(SECRET_CASES))
def test_missing_secret_names_key_and_fix(load_with: Any, case: str) -> None:
    secrets, changes, expected = SECRET_CASES[case]
    message = load_with(changes, secrets)
    for fragment in expected:
        assert fragment in message, f"{case}: {fragment!r} not in {message!r}"


def test_at_least_thirty_distinct_inputs() -> None:
    assert len(CONFIG_CASES) + len(SECRET_CASES) + len(ENGINE_CASES) + 2 >= 30


def _get(dep: Deployment, key: str) -> auto.ConfigValue | None:
    try:
        return dep.stack.get_config(key, path=True)
    except auto.CommandError:  # not set
        return None


def test_preview_fails_naming_field_and_creates_nothing(deployment: Deployment) -> None:
    """Each case through a real `pulumi preview`: fails, names the field and the fix, never
    echoes a secret, and leaves the emulator empty."""
    dep = deployment
    for case, (key, value, secret, expected) in ENGINE_CASES.items():
        previous = _get(dep, key)
        dep.set(key, value, secret=secret)
        with pytest.raises(auto.CommandError) as info:
            dep.stack.preview()
            pytest.fail(f"{case}: preview succeeded")
        text = str(info.value)
        for fragment in expected:
            assert fragment in text, f"{case}: {fragment!r} not in {text[-1500:]!r}"
        assert value not in text or not secret, f"{case}: the secret was echoed"
        assert DEFAULT_AUTH_TOKEN not in text
        if previous is None:
            dep.stack.remove_config(key, path=True)
        else:
            dep.set(key, previous.value, secret=previous.secret)
        assert not any(dep.counts().values()), case
    dep.stack.preview()  # the restored config is fine


def test_model_key_and_corrupt_model_fail_at_conversion(deployment: Deployment) -> None:
    """Only riva-build can read the `.riva`: a wrong key or a corrupt file fails the
    conversion naming what to fix, untracked nothing; fixing it converges."""
    dep = deployment
    dep.set("riva-tir:modelKey", "not-the-key-9f2", secret=True)
    with pytest.raises(auto.CommandError) as info:
        dep.stack.up()
    text = str(info.value)
    assert "riva-tir:modelKey" in text and "not-the-key-9f2" not in text

    dep.set("riva-tir:modelKey", "tlt_encode", secret=True)
    dep.artifact.write_bytes(b"\0" * 4096)
    with pytest.raises(auto.CommandError) as info:
        dep.stack.up()
    assert "riva-tir:model" in str(info.value)

    make_riva_archive(dep.artifact, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 20)
    dep.stack.up()
    assert dep.counts() == {"nodes": 1, "model_repositories": 1, "endpoints": 2, "ssh_keys": 1, "buckets": 1}
