"""RivaDeployment's wiring with Pulumi mocks: which resources, their parents, names and the
values that flow between them. Real provider behaviour is tested against the emulator."""
from __future__ import annotations

import asyncio
from typing import Any

import pulumi
import pytest

from riva_tir.config import StackConfig

# Outputs the mocked providers "compute", per resource type.
COMPUTED: dict[str, dict[str, Any]] = {
    "tir:SshKeyPair": {"public_key": "ssh-ed25519 AAAAgenerated rt-unit-node", "private_key": "PRIVATE"},
    "tir:TirSshKey": {"key_id": 101},
    "tir:TirNode": {"node_id": 1001, "ssh_host": "10.0.0.5", "ssh_port": 22, "ssh_user": "root",
                    "ssh_host_key": "ssh-ed25519 AAAAhostkey"},
    "tir:ModelRepository": {"repository_id": 2001, "bucket": "b-2001", "bucket_endpoint": "objectstore.example",
                            "bucket_access_key": "AK", "bucket_secret_key": "SK"},
    # The content's id is its repository's, as its provider makes it.
    "tir:RepositoryContent": {"repository_id": 2001, "marker": "m-1"},
    "tir:ModelArtifact": {"remote_path": "/root/riva-tir/models/abc/m.riva", "remote_sha256": "ab" * 32},
    "tir:TritonEndpoint": {"endpoint_id": 4001, "grpc": {"address": "ingress:9000", "metadata": {"svc": "is-4001"}},
                           "internal_grpc_address": "is-4001:9000", "http_url": "https://infer/4001/"},
    "tir:RivaApiEndpoint": {"endpoint_id": 4002, "grpc": {"address": "ingress:9000", "metadata": {"svc": "is-4002"}},
                            "http_url": "https://infer/4002/"},
}


class Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: dict[str, pulumi.runtime.MockResourceArgs] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources[args.name] = args
        kind = args.typ.split("/")[-1]
        state = {**args.inputs, **COMPUTED.get(kind, {}), "stdout": f"{args.name}-stdout"}
        # A TIR resource's id is its TIR id, as the providers make it.
        ids = [str(v) for k, v in COMPUTED.get(kind, {}).items() if k.endswith("_id")]
        return (ids[0] if ids else f"{args.name}-id"), state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[str] | None]:
        return {}, None


@pytest.fixture
def mocks() -> Mocks:
    # Earlier tests' asyncio.run() leave the main thread without a loop; the mocks need one.
    asyncio.set_event_loop(asyncio.new_event_loop())
    m = Mocks()
    pulumi.runtime.set_mocks(m, project="riva-tir", stack="unit", preview=False)
    return m


def _config(**override: Any) -> StackConfig:
    raw: dict[str, Any] = {
        "tir": {"apiRoot": "https://tir.example/api/", "projectId": 7},
        "node": {"plan": "GPU-L4-8-48GB-1"},
        "model": {"ngc": "nvidia/riva/parakeet-ctc-riva-0-6b-en-us:2.19.0"},
        "triton": {"plan": "GPU-L4-8-48GB-1", "autoscaling": {"minReplicas": 1, "maxReplicas": 3}},
        "rivaApi": {"plan": "CPU-C3-4-8GB-0", "replicas": 2},
    }
    raw.update(override)
    return StackConfig.model_validate(raw)


@pulumi.runtime.test
def _deploy(config: StackConfig, ssh_private_key: str | None = None) -> Any:
    """Registers a RivaDeployment; returns once every registration has finished."""
    from riva_tir import RivaDeployment, RivaDeploymentArgs

    secret = pulumi.Output.secret
    deployment = RivaDeployment("riva", RivaDeploymentArgs(
        **{name: getattr(config, name) for name in type(config).model_fields},
        tir_api_key=secret("api-key"), tir_auth_token=secret("token"), model_key=secret("tlt_encode"),
        ngc_api_key=secret("nvapi-x"), ssh_private_key=secret(ssh_private_key) if ssh_private_key else None))
    return deployment.riva_grpc


def test_graph_types_and_names(mocks: Mocks) -> None:
    _deploy(_config())
    types = {name: args.typ for name, args in mocks.resources.items()}
    assert types["riva"] == "riva-tir:riva:RivaDeployment"
    assert types["riva-conversion"] == "riva-tir:riva:RivaConversion"
    assert types["riva-conversion-build"] == "command:remote:Command"
    assert types["riva-conversion-publish"] == "command:remote:Command"
    for name in ("ssh-keypair", "ssh-key", "node", "node-access", "node-wake", "node-power", "repository",
                 "repository-content", "publish-target", "artifact", "triton", "triton-scale", "riva-api",
                 "riva-api-scale", "cost"):
        assert types[f"riva-{name}"].startswith("pulumi-python:dynamic/tir:"), name
    tir_names = {args.inputs.get("name") for args in mocks.resources.values() if args.inputs.get("name")}
    assert tir_names == {"rt-unit-node", "rt-unit-repo", "rt-unit-triton", "rt-unit-riva-api"}


def test_values_flow_between_steps(mocks: Mocks) -> None:
    _deploy(_config())
    r = {name: args.inputs for name, args in mocks.resources.items()}
    assert r["riva-node"]["public_keys"] == ["ssh-ed25519 AAAAgenerated rt-unit-node"]
    assert r["riva-artifact"]["ssh_host"] == "10.0.0.5"
    assert r["riva-artifact"]["source"] == {"ngc": "nvidia/riva/parakeet-ctc-riva-0-6b-en-us:2.19.0"}
    assert r["riva-artifact"]["ssh_host_key"] == "ssh-ed25519 AAAAhostkey"
    # The upload and the commands reach the node through its access record, keyed by its id.
    assert {k: r["riva-node-access"].get(k) for k in ("node_id", "ssh_host", "ssh_port", "login_user")} == {
        "node_id": 1001, "ssh_host": "10.0.0.5", "ssh_port": 22, "login_user": None}
    # The publish step takes the bucket and the content's marker from the publish target.
    assert {k: r["riva-publish-target"][k] for k in ("repository_id", "content_id", "bucket", "marker")} == {
        "repository_id": 2001, "content_id": 2001, "bucket": "b-2001", "marker": "m-1"}
    assert r["riva-conversion-publish"]["triggers"][1] == "m-1"
    for step in ("build", "publish"):
        connection = r[f"riva-conversion-{step}"]["connection"]
        assert connection["value"]["hostKey"] == "ssh-ed25519 AAAAhostkey"  # secret: wrapped
        assert r[f"riva-conversion-{step}"]["update"] == ""
    # Triton serves the location the publish step printed; publish mirrors what build printed.
    assert r["riva-triton"]["model_id"] == 2001 and r["riva-triton"]["path"] == "riva-conversion-publish-stdout"
    assert "riva-conversion-build-stdout/model-repository/" in r["riva-conversion-publish"]["create"]
    # Framework Triton with the riva-speech image as its server runtime (docs/tir.md §8.4).
    assert r["riva-triton"]["framework"] == "triton" and r["riva-triton"]["command"] == []
    assert r["riva-triton"]["args"][:2] == ["tritonserver", "--model-repository=/mnt/models"]
    assert r["riva-triton"]["container"]["container"]["container_name"] == "nvcr.io/nvidia/riva/riva-speech:2.19.0"
    # The Riva API: riva_server on 8080 with the "HTTP Port" box ticked, dialing Triton inside TIR.
    assert "--triton_uri=is-4001:9000" in r["riva-riva-api"]["args"]
    assert "--riva-uri=0.0.0.0:8080" in r["riva-riva-api"]["args"]
    assert r["riva-riva-api"]["container"]["service_port"] is True
    assert r["riva-riva-api"]["container"]["container"]["advance_config"]["readiness_probe"]["protocol"] == "grpc"
    assert r["riva-triton-scale"]["endpoint_id"] == 4001
    assert r["riva-triton-scale"]["autoscaling"]["max_replicas"] == 3
    assert r["riva-riva-api-scale"]["replicas"] == 2 and r["riva-riva-api-scale"].get("autoscaling") is None
    assert r["riva-node-power"]["state"] == "running"
    # The estimate prices what the config asks for (docs/cost.md).
    usage = {u["resource"]: (u["plan"], u["replicas_min"], u["replicas_max"]) for u in r["riva-cost"]["usage"]}
    assert usage == {"node": ("GPU-L4-8-48GB-1", 1, 1), "triton": ("GPU-L4-8-48GB-1", 1, 3),
                     "riva-api": ("CPU-C3-4-8GB-0", 2, 2), "repository": ("EOS slab 0", 1, 1)}
    build = r["riva-conversion-build"]["create"]
    assert "riva-build 2,3 speech_recognition" in build and "--ms_per_timestep=80" in build
    assert "tlt_encode" not in build  # the key travels as environment only


def test_custom_container_runtime_private_images_and_own_ssh_key(mocks: Mocks) -> None:
    private = {"image": "team/riva-speech:2.19.0", "registryNamespaceId": 42}
    _deploy(_config(triton={"plan": "GPU-L4-8-48GB-1", "runtime": "custom-container", **private},
                    rivaApi={"plan": "CPU-C3-4-8GB-0",
                             "image": "registry.e2enetworks.net/team/riva-speech:2.19.0", "registryNamespaceId": 42},
                    node={"plan": "GPU-L4-8-48GB-1", "sshPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIORQe75YLOaZHjnehbkPr6FU2GlvrQ1zhFLPlKib0jaC me@laptop"}),
            ssh_private_key="PRIVATE")
    assert "riva-ssh-keypair" not in mocks.resources
    r = {name: args.inputs for name, args in mocks.resources.items()}
    assert r["riva-ssh-key"]["public_key"] == "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIORQe75YLOaZHjnehbkPr6FU2GlvrQ1zhFLPlKib0jaC me@laptop"
    assert r["riva-triton"]["framework"] == "custom" and r["riva-triton"]["command"] == ["tritonserver"]
    for endpoint in ("riva-triton", "riva-riva-api"):
        container = r[endpoint]["container"]["container"]
        assert container["container_name"] == "registry.e2enetworks.net/team/riva-speech:2.19.0", endpoint
        assert container["container_type"] == "private"
        assert container["private_image_details"] == {"registry_namespace_id": 42}


class PluginMocks(Mocks):
    """riva-deploy left two plugins: the build step lists them after its models."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        id_, state = super().new_resource(args)
        if args.name == "riva-conversion-build":
            state["stdout"] = "riva-tir/conversions/riva-conversion/AbCd1234\nm-a\nplugins/liba.so\nplugins/libb.so"
        return id_, state


def test_without_plugins_the_triton_container_has_no_env(mocks: Mocks) -> None:
    _deploy(_config())
    r = {name: args.inputs for name, args in mocks.resources.items()}
    for endpoint in ("riva-triton", "riva-riva-api"):
        assert r[endpoint]["container"]["resource_details"] == {
            "disk_size": 50, "mount_path": "/mnt/models", "env_variables": []}, endpoint
    assert "mc cp" not in r["riva-conversion-publish"]["create"]


def test_plugins_are_published_and_preloaded_on_triton_only() -> None:
    asyncio.set_event_loop(asyncio.new_event_loop())
    mocks = PluginMocks()
    pulumi.runtime.set_mocks(mocks, project="riva-tir", stack="unit", preview=False)
    _deploy(_config())
    r = {name: args.inputs for name, args in mocks.resources.items()}
    assert r["riva-triton"]["container"]["resource_details"]["env_variables"] == [
        {"key": "LD_PRELOAD", "value": "/mnt/models/liba.so:/mnt/models/libb.so", "required": False,
         "disabled": {"key": False, "value": False}}]
    assert r["riva-riva-api"]["container"]["resource_details"]["env_variables"] == []
    publish = r["riva-conversion-publish"]["create"]
    assert "mc cp riva-tir/conversions/riva-conversion/AbCd1234/plugins/liba.so " in publish
    assert "mc cp riva-tir/conversions/riva-conversion/AbCd1234/plugins/libb.so " in publish


def test_the_longest_names_are_valid_tir_names() -> None:
    from riva_tir.deployment import readable_prefix
    from riva_tir.providers.names import SUFFIX_LENGTH
    from riva_tir.tir.validation import check_name

    suffix = "x" * SUFFIX_LENGTH
    for stack in ("local", "Prod_EU", "feature/x-1", "___", "a-very-long-stack-name-of-a-team"):
        for component in ("riva", "Riva_B", "speech-service-for-the-eu-team"):
            check_name(f"{readable_prefix(stack, component, None)}-{suffix}-riva-api")
            check_name(f"{readable_prefix(stack, component, None)}-{suffix}-repo-abcd")
    check_name(f"{'p' * 34}-{suffix}-repo-abcd")  # the longest namePrefix
    assert readable_prefix("anything", "other", "custom") == "custom"
    assert readable_prefix("dev", "riva", None) == "rt-dev"
    assert readable_prefix("dev", "riva-b", None) == "rt-dev-riva-b"