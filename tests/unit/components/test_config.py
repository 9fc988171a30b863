"""The stack config schema: every problem names the `riva-tir:` key and the fix."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from riva_tir import config

GOOD: dict[str, Any] = {
    "tir": {"apiRoot": "https://tir.example/api/", "projectId": 7},
    "node": {"plan": "GPU-L4-8-48GB-1"},
    "model": {"ngc": "nvidia/riva/parakeet-ctc-riva-0-6b-en-us:2.19.0"},
    "triton": {"plan": "GPU-L4-8-48GB-1"},
    "rivaApi": {"plan": "CPU-C3-4-8GB-0"},
}
SECRETS = {"tirApiKey": "k", "tirAuthToken": "t", "ngcApiKey": "n"}
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAitnaoWfVVtpn/4y9/aucj5o+KRIMes0x9f7WFEZALL ops"


@pytest.fixture
def stack_config() -> Iterator[Any]:
    def set_config(values: dict[str, Any], secrets: dict[str, str]) -> None:
        raw = {f"riva-tir:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
        raw |= {f"riva-tir:{k}": v for k, v in secrets.items()}
        pulumi.runtime.set_all_config(raw, [f"riva-tir:{k}" for k in secrets])
    yield set_config
    pulumi.runtime.set_all_config({}, [])


def _error(stack_config: Any, values: dict[str, Any], secrets: dict[str, str] = SECRETS) -> str:
    stack_config(values, secrets)
    with pytest.raises(config.ConfigError) as info:
        config.load()
    return str(info.value)


def test_good_config_loads(stack_config: Any) -> None:
    stack_config(GOOD, SECRETS)
    stack = config.load()
    assert stack.node.riva_version == "2.19.0" and stack.triton.runtime == "triton"
    assert stack.model.pipeline.name == "parakeet-0.6b-en-US-asr-streaming"


@pytest.mark.parametrize(("change", "key", "words"), [
    ({"node": {}}, "riva-tir:node.plan", "pulumi config set --path riva-tir:node.plan"),
    ({"tir": {"apiRoot": "tir.example", "projectId": 7}}, "riva-tir:tir.apiRoot", "must be the TIR API root URL"),
    ({"tir": {"apiRoot": "https://x/", "projectId": "seven"}}, "riva-tir:tir.projectId", "valid integer"),
    ({"triton": {"plan": "GPU-L4-8-48GB-1", "replicas": -1}}, "riva-tir:triton.replicas", "greater than or equal to 0"),
    ({"triton": {"plan": "G", "autoscaling": {"minReplicas": 3, "maxReplicas": 2}}}, "riva-tir:triton.autoscaling",
     "maxReplicas (2) must be >= minReplicas (3)"),
    ({"model": {}}, "riva-tir:model", "set exactly one of file, url or ngc"),
    ({"model": {"url": "http://insecure/m.riva"}}, "riva-tir:model.url", "should match pattern"),
    ({"model": {"ngc": "x", "pipeline": {"mode": "batch"}}}, "riva-tir:model.pipeline.mode", "'streaming'"),
    ({"node": {"plan": "G", "rivaVersion": "latest"}}, "riva-tir:node.rivaVersion", "should match pattern"),
    ({"node": {"plan": "G", "diskSize": 100}}, "riva-tir:node.diskSize", "unknown key"),
    ({"node": {"plan": "CPU-C3-8-16GB-0"}}, "riva-tir:node.plan", "has no GPU: riva-deploy and Triton need one"),
    ({"triton": {"plan": "CPU-C3-8-16GB-0"}}, "riva-tir:triton.plan", "has no GPU"),
    ({"triton": {"plan": "GPU-A100-16-115GB-1"}}, "riva-tir:node.plan",
     "have different GPUs (L4 vs A100): riva-deploy builds engines for the node's GPU"),
    ({"node": {"plan": "GPU-L4-8-48GB-1", "sshPublicKey": "ssh-ed25519 AAAAnotakey me@x"}},
     "riva-tir:node.sshPublicKey", "is not an OpenSSH public key"),
    ({"node": {"plan": "GPU-L4-8-48GB-1", "trustedHostKey": "abc"}}, "riva-tir:node.trustedHostKey",
     "should match pattern"),
    ({"repository": {"prefix": "models/../../etc"}}, "riva-tir:repository.prefix", "has a '.' or '..' folder"),
    ({"repository": {"prefix": "/abs"}}, "riva-tir:repository.prefix", "should match pattern"),
    ({"timeoutsMinutes": {"node": 0}}, "riva-tir:timeoutsMinutes.node", "greater than 0"),
    ({"timeoutsMinutes": {"endpoint": -5}}, "riva-tir:timeoutsMinutes.endpoint", "greater than 0"),
    ({"triton": {"plan": "GPU-L4-8-48GB-1", "replicas": 2, "autoscaling": {"minReplicas": 1, "maxReplicas": 3}}},
     "riva-tir:triton", "give replicas (a fixed size) or autoscaling"),
    ({"model": {"ngc": "a/b:c", "pipeline": {"extra_flags": {"ms_per_timestep": "40"}}}}, "riva-tir:model.pipeline",
     "Parakeet models need 80"),
    ({"triton": {"plan": "GPU-L4-8-48GB-1", "image": "aimle2e/tritonserver:24.02-py3-01"}}, "riva-tir:triton.image",
     "lack Riva's Triton backends"),
    ({"triton": {"plan": "GPU-L4-8-48GB-1", "runtime": "tir-triton"}}, "riva-tir:triton.runtime", "'triton'"),
    ({"node": {"plan": "GPU-L4-8-48GB-1", "state": "stopped", "committedDays": 30}}, "riva-tir:node",
     "TIR cannot stop a node during a committed term"),
    ({"triton": {"plan": "GPU-L4-8-48GB-1", "committedDays": 30, "autoscaling": {"minReplicas": 1, "maxReplicas": 3}}},
     "riva-tir:triton", "committedDays 30 needs a fixed size"),
    ({"rivaApi": {"plan": "CPU-C3-4-8GB-0", "committedDays": -1}}, "riva-tir:rivaApi.committedDays",
     "greater than or equal to 0"),
    ({"node": {"plan": "GPU-L4-8-48GB-1", "image": "registry.e2enetworks.net/t/riva-speech:2.19.0"}}, "riva-tir:node",
     "a registry image needs both image"),
    ({"node": {"plan": "GPU-L4-8-48GB-1", "image": "nvcr.io/nvidia/riva/riva-speech:2.19.0", "registryNamespaceId": 2}},
     "riva-tir:node.image", "should match pattern"),
    ({"rivaApi": {"plan": "CPU-C3-4-8GB-0", "registryNamespaceId": 4}}, "riva-tir:rivaApi",
     "give the image you pushed into that namespace"),
    ({"tir": {"apiRoot": "https://x/", "projectId": 7, "location": "Chennai"}}, "riva-tir:tir",
     "no data plane for location 'Chennai': set dataPlanes.Chennai.http and .grpc"),
    ({"tir": {"apiRoot": "https://x/", "projectId": 7, "dataPlanes": {"Delhi": {"http": "infer", "grpc": "g:1"}}}},
     "riva-tir:tir.dataPlanes.Delhi.http", "must be the HTTP data-plane base"),
    ({"tir": {"apiRoot": "https://x/", "projectId": 7, "dataPlanes": {"Delhi": {"http": "https://i", "grpc": "g"}}}},
     "riva-tir:tir.dataPlanes.Delhi.grpc", "should match pattern"),
])
def test_bad_value_names_key_and_fix(stack_config: Any, change: dict[str, Any], key: str, words: str) -> None:
    message = _error(stack_config, {**GOOD, **change})
    line = next((ln for ln in message.splitlines() if ln.strip().startswith(key)), "")
    assert words in line, message


def test_unknown_top_level_key(stack_config: Any) -> None:
    message = _error(stack_config, {**GOOD, "trition": {"plan": "G"}})
    assert "riva-tir:trition: unknown key" in message


def test_misspelled_namespace_is_named(stack_config: Any) -> None:
    stack_config(GOOD, SECRETS)
    pulumi.runtime.set_all_config({**pulumi.runtime.config.CONFIG.get(), "rivatir:node.diskSizeGb": "200",
                                   "aws:region": "x"}, [])
    with pytest.raises(config.ConfigError) as info:
        config.load()
    assert "rivatir:node.diskSizeGb: its namespace is not riva-tir: rename it to riva-tir:node.diskSizeGb" \
        in str(info.value)
    assert "aws:region" not in str(info.value)


def test_missing_secrets_name_the_command(stack_config: Any) -> None:
    message = _error(stack_config, GOOD, {"tirApiKey": "k"})
    assert "riva-tir:tirAuthToken: missing" in message and "pulumi config set --secret riva-tir:tirAuthToken" in message
    assert "riva-tir:ngcApiKey: missing" in message  # model.ngc needs it


def test_messages_never_echo_secret_values(stack_config: Any) -> None:
    message = _error(stack_config, {**GOOD, "node": {}}, {**SECRETS, "tirApiKey": "sekrit-123"})
    assert "sekrit-123" not in message


def test_an_empty_model_file_is_named(stack_config: Any, tmp_path: Any) -> None:
    empty = tmp_path / "m.riva"
    empty.write_bytes(b"")
    message = _error(stack_config, {**GOOD, "model": {"file": str(empty)}})
    assert "riva-tir:model: Value error" not in message and "is empty: download the .riva again" in message


def test_flag_values_set_with_path_config_are_text(stack_config: Any) -> None:
    """`pulumi config set --path …extra_flags.max_batch_size 16` stores a number."""
    stack_config({**GOOD, "model": {"ngc": GOOD["model"]["ngc"],
                                    "pipeline": {"extra_flags": {"max_batch_size": 16, "nn.use_trt_fp32": True}}}},
                 SECRETS)
    flags = config.load().model.pipeline.build_flags()
    assert "--max_batch_size=16" in flags and "--nn.use_trt_fp32=True" in flags


def test_a_location_of_its_own_with_its_data_plane(stack_config: Any) -> None:
    stack_config({**GOOD, "tir": {"apiRoot": "https://x/", "projectId": 7, "location": "Chennai", "dataPlanes": {
        "Chennai": {"http": "https://infer-chn.example/", "grpc": "grpc-chn.example:9000", "caFile": "ca.pem"}}}},
        SECRETS)
    plane = config.load().tir.data_plane
    assert (plane.http, plane.grpc, plane.ca_file) == ("https://infer-chn.example", "grpc-chn.example:9000", "ca.pem")


def test_preview_warnings_name_the_pull_risk_and_a_gpu_api_plan(stack_config: Any) -> None:
    stack_config(GOOD, SECRETS)
    warnings = config.load().warnings()
    assert [w.split(":", 2)[1] for w in warnings] == ["triton.image", "rivaApi.image", "models"]
    assert all("nvcr.io wants NGC credentials" in w and "registryNamespaceId" in w for w in warnings[:2])
    assert "ASR in en-US has no punctuation model" in warnings[2]
    private = {"image": "registry.e2enetworks.net/team/riva-speech:2.19.0", "registryNamespaceId": 3}
    stack_config({**GOOD, "triton": {"plan": "GPU-L4-8-48GB-1", **private},
                  "rivaApi": {"plan": "GPU-L4-8-48GB-1", "image": "docker.io/me/riva-speech:2.19.0"}}, SECRETS)
    gpu, _punctuation = config.load().warnings()
    assert gpu.startswith("riva-tir:rivaApi.plan 'GPU-L4-8-48GB-1' has a GPU that riva_server does not use")


@pytest.mark.parametrize("key", sorted(config.SECRET_KEYS))
def test_a_secret_set_in_plaintext_is_refused(stack_config: Any, key: str) -> None:
    values = {**GOOD, "node": {"plan": "GPU-L4-8-48GB-1", "sshPublicKey": PUBLIC_KEY}} \
        if key == "sshPrivateKey" else GOOD
    raw = {f"riva-tir:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    secrets = {**SECRETS, key: "s3cr3t-value"}
    pulumi.runtime.set_all_config({**raw, **{f"riva-tir:{k}": v for k, v in secrets.items()}},
                                  [f"riva-tir:{k}" for k in secrets if k != key])
    with pytest.raises(config.ConfigError) as info:
        config.load()
    message = str(info.value)
    assert f"riva-tir:{key}: set in plaintext" in message
    assert f"pulumi config set --secret riva-tir:{key} <value>" in message
    assert "s3cr3t-value" not in message
    assert message.count("set in plaintext") == 1


@pytest.mark.parametrize(("change", "key"), [
    ({"triton": {"plan": "GPU-L4-8-48GB-1", "replicas": True}}, "riva-tir:triton.replicas"),
    ({"node": {"plan": "GPU-L4-8-48GB-1", "diskSizeGb": False}}, "riva-tir:node.diskSizeGb"),
    ({"tir": {"apiRoot": "https://tir.example/api/", "projectId": True}}, "riva-tir:tir.projectId"),
    ({"rivaApi": {"plan": "CPU-C3-4-8GB-0", "autoscaling": {"minReplicas": True, "maxReplicas": 2}}},
     "riva-tir:rivaApi.autoscaling.minReplicas"),
])
def test_a_boolean_is_no_number(stack_config: Any, change: dict[str, Any], key: str) -> None:
    message = _error(stack_config, {**GOOD, **change})
    assert f"{key}: must be a number, not true or false" in message, message
