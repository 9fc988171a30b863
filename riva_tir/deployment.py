"""RivaDeployment: the whole manual flow as one dependency graph.

TirNode -> ModelArtifact -> RivaConversion -> (ModelRepository) -> TritonEndpoint ->
RivaApiEndpoint. The SSH key, the node and the model repository have no dependencies on
each other and are created in parallel.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi_command import remote

from riva_tir import cost
from riva_tir.artifact_hash import sha256_file
from riva_tir.args import RivaDeploymentArgs, Settled
from riva_tir import NAMESPACE
from riva_tir.config import E2E_REGISTRY, EndpointSection, cache_dir, StackConfig
from riva_tir import speech_models
from riva_tir.conversion import BUILD_HINT, RivaConversion, build_identity
from riva_tir.providers.artifact import ModelArtifact
from riva_tir.providers.cost import StackCost
from riva_tir.providers.endpoint import RivaApiEndpoint, TritonEndpoint, internal_grpc_address
from riva_tir.providers.keypair import SshKeyPair
from riva_tir.providers.model_repository import ModelRepository, PublishTarget, RepositoryContent
from riva_tir.providers.names import DeploymentNames
from riva_tir.providers.node import ACCESS, NodeAccess, TirNode
from riva_tir.providers.node_power import NodePower, NodeWake
from riva_tir.providers.scale import EndpointScale
from riva_tir.providers.ssh_key import TirSshKey, key_material
from riva_tir.speech_models import AsrModel, AuxiliaryFile, Entry, TtsVoice, slug
from riva_tir.verification import verification_step

RIVA_IMAGE = "nvcr.io/nvidia/riva/riva-speech:{version}"
# Where TIR mounts the endpoint's model path (the published location) in its container.
MOUNT_PATH = "/mnt/models"
# docs/riva.md §7-8 and docs/tir.md §8.4-8.5, §8.9: TIR routes the endpoint root to container port
# 8080; Triton's gRPC port 9000 is what the Riva API server dials inside TIR. ASSUMPTION: the
# SDK's Triton arguments, started without `mpirun` (riva-speech runs one tritonserver).
TRITON_ARGS = ["--http-port=8080", "--grpc-port=9000",
               "--metrics-port=8082", "--allow-grpc=true", "--allow-http=true",
               "--cuda-memory-pool-byte-size=0:8000000000", "--exit-on-error=false"]
# riva_server on `rivaApi.grpcPort` (8080) with TIR's "HTTP Port" box ticked, as the working
# guide ran it (docs/tir.md §8.2, §8.4). ASSUMPTION: the box is
# `custom_endpoint_details.service_port: true` and makes TIR's gRPC ingress forward to that port.
SECRET_OUTPUTS = ["credentials"]
# NGC's models are encrypted with it (docs/riva.md §3).
DEFAULT_MODEL_KEY = "tlt_encode"


@dataclass(frozen=True)
class _Secrets:
    """The args' secret inputs, each a secret Output (a plain string given is made one)."""

    tir_api_key: pulumi.Output[str]
    tir_auth_token: pulumi.Output[str]
    model_key: pulumi.Output[str]
    ssh_private_key: pulumi.Output[str] | None
    ngc_api_key: pulumi.Output[str] | None
    repository_secret_key: pulumi.Output[str] | None

    @classmethod
    def of(cls, args: RivaDeploymentArgs) -> _Secrets:
        def secret(value: pulumi.Input[str] | None) -> pulumi.Output[str] | None:
            return None if value is None else pulumi.Output.secret(value)

        return cls(pulumi.Output.secret(args.tir_api_key), pulumi.Output.secret(args.tir_auth_token),
                   pulumi.Output.secret(args.model_key if args.model_key is not None else DEFAULT_MODEL_KEY),
                   secret(args.ssh_private_key), secret(args.ngc_api_key), secret(args.repository_secret_key))


# The component name of the stack program (__main__.py): its names carry no component part.
DEFAULT_NAME = "riva"


def readable_prefix(stack: str, component: str, configured: str | None) -> str:
    """The readable part of a deployment's TIR names (lowercase DNS labels; a stack or
    component name may not be one): `namePrefix`, else rt-<stack>[-<component>]. The
    deployment's random suffix follows it (DeploymentNames)."""
    if configured:
        return configured
    parts = [_slug(stack, 20) or "stack"] + ([_slug(component, 10) or "x"] if component != DEFAULT_NAME else [])
    return "rt-" + "-".join(parts)


def _slug(text: str, limit: int) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower())[:limit].strip("-")


class RivaDeployment(pulumi.ComponentResource):
    """Riva on TIR: a Triton endpoint and a Riva API endpoint serving the converted models."""

    triton_grpc: pulumi.Output[dict[str, Any]]  # the ingress: address, metadata, CA (GrpcTarget)
    triton_http_url: pulumi.Output[str]
    riva_grpc: pulumi.Output[dict[str, Any]]
    riva_http_url: pulumi.Output[str]
    models: pulumi.Output[list[str]]

    def __init__(self, name: str, args: RivaDeploymentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        settled = Settled(args)
        v, shape = settled.value, settled.shape
        # The GPU memory the models need of Triton's plan, for the policy pack (policies/).
        super().__init__("riva-tir:riva:RivaDeployment", name,
                         {"gpu_memory": v(lambda c: speech_models.memory_plan(c.entries(), c.triton.plan))}, opts)
        pulumi.Output.from_input(v(lambda c: c.warnings())).apply(self._warn)
        secret = _Secrets.of(args)
        readable = readable_prefix(pulumi.get_stack(), name, shape.name_prefix)
        names = DeploymentNames(f"{name}-names", readable, pulumi.ResourceOptions(parent=self))
        minutes = shape.timeouts_minutes
        node_timeout = 60.0 * minutes.get("node", 30)
        tir = {"tir": v(lambda c: c.tir.model_dump()),
               # Secret because both parts are (secretness flows through all/apply).
               "credentials": pulumi.Output.all(secret.tir_api_key, secret.tir_auth_token)
                                           .apply(lambda a: {"api_key": a[0], "auth_token": a[1]}),
               "retries": v(lambda c: c.retries.model_dump() if c.retries else None)}

        def child(*depends_on: pulumi.Resource, secret: list[str] | None = None) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, depends_on=list(depends_on),
                                          additional_secret_outputs=SECRET_OUTPUTS + (secret or []))

        # SSH: the stack's own key pair, or one generated and kept (secret) in state.
        if shape.ssh_public_key and secret.ssh_private_key is not None:
            public_key, private_key = pulumi.Output.from_input(shape.ssh_public_key), secret.ssh_private_key
        else:
            pair = SshKeyPair(f"{name}-ssh-keypair", comment=f"{readable}-node",
                              opts=pulumi.ResourceOptions(parent=self))
            public_key, private_key = pair.public_key, pair.private_key
        # The label names the key's fingerprint: a rotated key is another account key,
        # added before the old one goes.
        key = TirSshKey(f"{name}-ssh-key", {
            **tir, "label": pulumi.Output.all(names.tir_name("node"), public_key).apply(
                lambda a: f"{a[0]}-{_key_tag(a[1])}"), "public_key": public_key},
            child())
        node_access_settings: dict[str, Any] = {
            "image_version": shape.riva_version, "registry_image": v(lambda c: c.node.image),
            "registry_namespace_id": v(lambda c: c.node.registry_namespace_id),
            "trusted_host_key": v(lambda c: c.node.trusted_host_key), "login_user": v(lambda c: c.node.ssh_user)}
        node = TirNode(f"{name}-node", {
            **tir, "name": names.tir_name("node"), "plan": v(lambda c: c.node.plan),
            "committed_days": v(lambda c: c.node.committed_days or None),
            "disk_size_gb": v(lambda c: c.node.disk_size_gb), **node_access_settings,
            "public_keys": [key.public_key], "ready_timeout": node_timeout}, child())
        node_id = _known_id(node)
        # How the upload and the commands reach the node, recorded apart from it: a node
        # update that keeps it previews them unchanged under a stock CLI too (docs/day2.md, "Previews").
        access = NodeAccess(f"{name}-node-access", {
            "node_id": node_id, **node_access_settings,
            "ssh_fields": v(lambda c: c.tir.ssh_fields.model_dump()), **{key: getattr(node, key) for key in ACCESS}},
            pulumi.ResourceOptions(parent=self))

        repo_cfg = shape.repository
        repository = ModelRepository(f"{name}-repository", {
            **tir, "name": names.tir_name(_repository_kind(repo_cfg.access_key)), "storage_type": repo_cfg.storage_type,
            "bucket_name": repo_cfg.bucket_name, "access_key": repo_cfg.access_key,
            "secret_key": secret.repository_secret_key}, child())
        repository_id = _known_id(repository)

        # Models emptied from the bucket outside Pulumi: a new marker wakes the node and publishes again.
        content = RepositoryContent(f"{name}-repository-content", {
            **tir, "repository_id": repository_id, "prefix": repo_cfg.prefix}, child())
        # Where and when the conversions publish, recorded as the node's access is.
        target = PublishTarget(f"{name}-publish-target", {
            "repository_id": repository_id, "bucket": repository.bucket,
            "bucket_endpoint": repository.bucket_endpoint, "bucket_access_key": repository.bucket_access_key,
            "bucket_secret_key": repository.bucket_secret_key,
            "content_id": _known_id(content), "marker": content.marker}, pulumi.ResourceOptions(parent=self))

        entries = shape.entries
        sources = {(index, role): source for index, entry in enumerate(entries)
                   for role, source in entry.sources().items()}
        shas = {key: _local_sha256(source.local_file()) for key, source in sources.items()}
        # Everything that re-runs a conversion: each model (its file's hash, or its source),
        # its build, the Riva version, where it is published; the key and a republish below.
        conversion_inputs = _conversion_inputs(entries, shas, sources, shape.riva_version, repo_cfg.prefix)
        # A stopped node is started whenever a conversion has to run again. The trigger
        # holds the model key (so a new key converts again) and is secret like it.
        wake = NodeWake(f"{name}-node-wake", {
            **tir, "node_id": node_id, "plan": v(lambda c: c.node.plan),
            "trigger": pulumi.Output.all(content.marker, secret.model_key).apply(
                lambda a: f"{conversion_inputs} {a[0]} {a[1]}"),
            "ready_timeout": node_timeout}, child(secret=["trigger"]))

        connection = remote.ConnectionArgs(host=access.ssh_host, port=access.ssh_port, user=access.ssh_user,
                                           private_key=private_key, host_key=access.ssh_host_key)
        conversions: list[RivaConversion] = []
        for index, entry in enumerate(entries):
            # The single `model` keeps the resource names it always had.
            single = shape.single_model and index == 0
            base = name if single else f"{name}-{slug(entry.key)}"
            artifacts: dict[str, tuple[pulumi.Output[str], pulumi.Output[str]]] = {}
            for role, source in entry.sources().items():
                secret_url = source.url_has_credentials()
                artifact = ModelArtifact(f"{name}-artifact" if single else f"{base}-{role}-artifact", {
                    "node_id": node_id, "ssh_host": access.ssh_host, "ssh_port": access.ssh_port,
                    "ssh_user": access.ssh_user, "ssh_private_key": private_key, "ssh_host_key": access.ssh_host_key,
                    # A URL with user:password@ is a secret like the keys.
                    "source": pulumi.Output.secret(source.artifact()) if secret_url else source.artifact(),
                    "sha256": shas[(index, role)], "ngc_api_key": secret.ngc_api_key,
                    **({"auxiliary": True} if isinstance(source, AuxiliaryFile) else {}),
                }, pulumi.ResourceOptions(parent=self, depends_on=[wake],
                                          additional_secret_outputs=["source"] if secret_url else []))
                artifacts[role] = (artifact.remote_path, artifact.remote_sha256)
            conversions.append(RivaConversion(
                f"{base}-conversion", connection=connection, entry=entry, artifacts=artifacts,
                riva_version=shape.riva_version, model_key=secret.model_key,
                bucket=target.bucket, bucket_endpoint=target.bucket_endpoint,
                bucket_access_key=target.bucket_access_key, bucket_secret_key=target.bucket_secret_key,
                prefix=repo_cfg.prefix, republish=target.marker, timeout_minutes=minutes.get("conversion", 120),
                hint=BUILD_HINT if single else _build_hint(entry),
                opts=pulumi.ResourceOptions(parent=self)))
        served = Served.of(conversions, repo_cfg.prefix)
        # The node's desired state, applied after every conversion (stop it to save cost).
        power = NodePower(f"{name}-node-power", {
            **tir, "node_id": node_id, "plan": v(lambda c: c.node.plan), "state": v(lambda c: c.node.state),
            "trigger": pulumi.Output.all(served.revision, content.marker, secret.model_key)
                                     .apply(lambda a: f"{conversion_inputs} {a[0]} {a[1]} {a[2]}"),
            "ready_timeout": node_timeout}, child(*conversions, secret=["trigger"]))

        triton, riva_api, scales = _endpoints(name, names, settled, tir, child, repository_id, served)
        # The monthly estimate, recorded once everything it prices is in place (docs/cost.md).
        StackCost(f"{name}-cost", {**tir, "usage": v(lambda c: [u.model_dump() for u in cost.usage(c)])},
                  child(node, power, repository, triton, riva_api, *scales))

        # Every TIR name of this deployment starts with it (namePrefix or rt-<stack>, then
        # the deployment's own suffix): what to look for in the TIR dashboard.
        self.name_prefix = names.full_prefix
        self.node_id = node.node_id
        self.repository_id = repository.repository_id
        self.triton_endpoint_id = triton.endpoint_id
        self.riva_endpoint_id = riva_api.endpoint_id
        self.triton_grpc = triton.grpc
        self.triton_http_url = triton.http_url
        self.riva_grpc = riva_api.grpc
        self.riva_http_url = riva_api.http_url
        self.models = served.models
        # The pipelines by service, as clients ask for them (the verification checks each).
        self.speech_models = pulumi.Output.from_input([_described(e) for e in entries])
        self.services = pulumi.Output.from_input({service: [e.voice if isinstance(e, TtsVoice) else e.key
                                                            for e in entries if e.service == service]
                                                  for service, on in speech_models.services(entries).items() if on})
        if shape.verify:
            verification_step(f"{name}-verify", {
                "triton_http_url": self.triton_http_url, "triton_grpc": self.triton_grpc, "riva_grpc": self.riva_grpc,
                "models": self.models, "speech_models": self.speech_models,
                "triton_endpoint_id": self.triton_endpoint_id, "riva_endpoint_id": self.riva_endpoint_id},
                v(lambda c: c.model_dump_json()), shape.verify_max_wer, secret.tir_auth_token,
                # Before it was the deployment's, the stack program made it at the top level.
                pulumi.ResourceOptions(parent=self, depends_on=[triton, riva_api, *scales, power],
                                       aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]))
        self.register_outputs({
            "name_prefix": self.name_prefix, "node_id": self.node_id, "repository_id": self.repository_id,
            "triton_endpoint_id": self.triton_endpoint_id, "riva_endpoint_id": self.riva_endpoint_id,
            "triton_grpc": self.triton_grpc, "triton_http_url": self.triton_http_url,
            "riva_grpc": self.riva_grpc, "riva_http_url": self.riva_http_url,
            "models": self.models, "speech_models": self.speech_models, "services": self.services,
        })


    def _warn(self, found: list[str]) -> None:
        """What is allowed but likely wrong, on every preview (StackConfig.warnings)."""
        for warning in found:
            pulumi.log.warn(warning, resource=self)


def _repository_kind(access_key: str | None) -> str:
    """The model repository's part of its TIR name. With the user's own bucket keys it
    carries a tag of the access key: TIR cannot change a repository's keys (docs/tir.md
    §6), so new keys make a new repository, created (under this new name) before the old
    one is deleted, while Triton keeps serving from the old one."""
    if not access_key:
        return "repo"
    return f"repo-{hashlib.sha256(access_key.encode()).hexdigest()[:4]}"


def _key_tag(public_key: str) -> str:
    """Eight hex digits that tell SSH public keys apart (type and material, not the comment)."""
    return hashlib.sha256(key_material(public_key).encode()).hexdigest()[:8]


def _local_sha256(path: Path | None) -> str | None:
    return sha256_file(path, cache_dir() / "hash-cache") if path else None


@dataclass(frozen=True)
class Served:
    """What Triton serves: the published location of every conversion. One location is
    mounted as the model repository, as it always was; several are mounted through their
    common folder, each a model repository of its own (Triton takes several), so adding or
    removing a model publishes nothing else (docs/speech-services.md, "One repository")."""

    revision: pulumi.Output[str]  # changes when any model does: the endpoints roll
    models: pulumi.Output[list[str]]  # the Triton models, all conversions'
    path: pulumi.Input[str]  # the folder of the bucket TIR mounts
    repositories: pulumi.Output[list[str]]  # Triton's --model-repository folders, in the container
    plugins: pulumi.Output[list[str]]  # the plugin files, below the mount path

    @classmethod
    def of(cls, conversions: list[RivaConversion], prefix: str) -> Served:
        if len(conversions) == 1:
            one = conversions[0]
            return cls(one.revision, one.models, one.location, pulumi.Output.from_input([MOUNT_PATH]), one.plugins)

        def below(location: str) -> str:
            return location.removeprefix(f"{prefix}/")

        locations = pulumi.Output.all(*(c.location for c in conversions))
        return cls(
            revision=pulumi.Output.all(*(c.revision for c in conversions)).apply(
                lambda revisions: hashlib.sha256(" ".join(sorted(revisions)).encode()).hexdigest()[:16]),
            models=pulumi.Output.all(*(c.models for c in conversions)).apply(
                lambda lists: sorted(m for models in lists for m in models)),
            path=prefix,
            repositories=locations.apply(lambda found: [f"{MOUNT_PATH}/{below(loc)}" for loc in found]),
            plugins=pulumi.Output.all(locations, pulumi.Output.all(*(c.plugins for c in conversions))).apply(
                lambda a: [f"{below(loc)}/{p}" for loc, plugins in zip(a[0], a[1]) for p in plugins]))


def _conversion_inputs(entries: list[Entry], shas: dict[tuple[int, str], str | None],
                       sources: dict[tuple[int, str], Any], riva_version: str, prefix: str) -> str:
    """A fingerprint of everything the conversions make (the node wakes when it changes)."""
    def made_from(index: int, role: str) -> object:
        return shas[(index, role)] or sources[(index, role)].artifact()

    if len(entries) == 1 and isinstance(entries[0], AsrModel):
        # One ASR model's, as it was before `models` (a changed value would wake the node).
        payload: list[object] = [made_from(0, "model"), entries[0].pipeline.build_flags(), riva_version, prefix]
    else:
        payload = [[{role: made_from(i, role) for role in e.sources()}, build_identity(e, sorted(e.sources()))]
                   for i, e in enumerate(entries)] + [riva_version, prefix]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _build_hint(entry: Entry) -> str:
    """What a failed riva-build of a `models` entry means for the stack. Part of the build's
    script, so it names the entry by its pipeline, not by its place in the list (which
    moves when an entry before it is removed)."""
    return (f"riva-build could not read the files of the {NAMESPACE}:models entry {entry.key}: check "
            f"{NAMESPACE}:modelKey (the key its models were encrypted with) and that they are the {entry.kind} "
            "models the entry names")


def _described(entry: Entry) -> dict[str, Any]:
    """One pipeline as the stack outputs list it: its service, name and what clients select it by."""
    found: dict[str, Any] = {"service": entry.service, "name": entry.key, "language": entry.language}
    if isinstance(entry, AsrModel):
        found["mode"] = entry.mode
    elif isinstance(entry, TtsVoice):
        found |= {"voice": entry.voice, "sample_rate": entry.sample_rate}
    return found


def _endpoints(name: str, names: DeploymentNames, settled: Settled, tir: dict[str, Any],
               child: Callable[..., pulumi.ResourceOptions], repository_id: pulumi.Output[int],
               served: Served) -> tuple[TritonEndpoint, RivaApiEndpoint, list[EndpointScale]]:
    """Triton serving the published models, and the Riva API server dialing it; each with
    the resource that owns its size and power state (EndpointScale)."""
    v, shape = settled.value, settled.shape
    default_image = RIVA_IMAGE.format(version=shape.riva_version)
    endpoint_timeout = 60.0 * shape.timeouts_minutes.get("endpoint", 60)
    # The plugins published beside the models, preloaded (docs/riva.md §6); none: no env
    # variable, the container as before plugins were published.
    triton_container = v(lambda c: _container(c.triton, default_image, "http", "/v2/health/ready", 8080,
                                              env_variables=served.plugins.apply(preload_env)))
    # Framework Triton with the riva-speech image as its "custom server runtime", or
    # tritonserver from that image as a custom container.
    args = served.repositories.apply(triton_args)
    triton_spec: dict[str, object] = (
        {"framework": "triton", "command": [], "args": args.apply(lambda a: ["tritonserver", *a])}
        if shape.triton_runtime == "triton" else {"framework": "custom", "command": ["tritonserver"], "args": args})
    triton = TritonEndpoint(f"{name}-triton", {
        **tir, **triton_spec, "container": triton_container, "name": names.tir_name("triton"),
        **_each(v, lambda c: _plan(c.triton), ("plan", "committed_days")),
        "model_id": repository_id, "path": served.path, **_each(v, lambda c: _scaling(c.triton), SCALING),
        "revision": served.revision, "ready_timeout": endpoint_timeout,
    }, child())
    triton_id = _known_id(triton)
    triton_scale = EndpointScale(f"{name}-triton-scale", {
        **tir, "endpoint_id": triton_id, "plan": v(lambda c: c.triton.plan),
        **_each(v, lambda c: _scaling(c.triton), SCALING), "state": v(lambda c: c.triton.state),
        "ready_timeout": endpoint_timeout}, child())

    flags = [f"--{service}_service={str(on).lower()}" for service, on in speech_models.services(shape.entries).items()]
    riva_api = RivaApiEndpoint(f"{name}-riva-api", {
        **tir, "framework": "custom", "name": names.tir_name("riva-api"),
        **_each(v, lambda c: _plan(c.riva_api), ("plan", "committed_days")),
        "command": ["riva_server"],
        # A service is on when a model needs it (docs/speech-services.md §3).
        "args": pulumi.Output.all(triton_id.apply(internal_grpc_address),
                                  v(lambda c: c.riva_api.grpc_port)).apply(
            lambda a: [f"--riva-uri=0.0.0.0:{a[1]}", *flags, f"--triton_uri={a[0]}"]),
        "container": v(lambda c: {**_container(c.riva_api, default_image, "grpc", "", c.riva_api.grpc_port),
                                  "service_port": True}),
        **_each(v, lambda c: _scaling(c.riva_api), SCALING), "revision": served.revision,
        "ready_timeout": endpoint_timeout, "serves_through": triton_id,
    }, child(triton_scale))  # after Triton's power state: a stopped Triton is not waited for
    riva_api_scale = EndpointScale(f"{name}-riva-api-scale", {
        **tir, "endpoint_id": _known_id(riva_api), "plan": v(lambda c: c.riva_api.plan),
        **_each(v, lambda c: _scaling(c.riva_api), SCALING), "state": v(lambda c: c.riva_api.state),
        "ready_timeout": endpoint_timeout, "serves_through": triton_id}, child())
    return triton, riva_api, [triton_scale, riva_api_scale]


def _each(value: Callable[[Callable[[StackConfig], Any]], Any], read: Callable[[StackConfig], dict[str, object]],
          keys: tuple[str, ...]) -> dict[str, object]:
    """Resource inputs `keys` of what `read` makes of the config, each a value or an Output."""
    def one(key: str) -> Any:
        return value(lambda c: read(c)[key])

    return {key: one(key) for key in keys}


def _known_id(resource: pulumi.CustomResource) -> pulumi.Output[int]:
    """A node's, repository's or endpoint's TIR id as Pulumi's resource id, which a preview knows
    for a resource being updated under any provider host; its `node_id`/`endpoint_id` output would
    be unknown there under the SDK's own host, and what takes it would preview as replaced
    (docs/day2.md, "Previews")."""
    return resource.id.apply(int)


def _plan(cfg: EndpointSection) -> dict[str, object]:
    """The endpoint's plan and its committed term (none: by the hour)."""
    return {"plan": cfg.plan, "committed_days": cfg.committed_days or None}


SCALING = ("replicas", "autoscaling")


def _scaling(cfg: object) -> dict[str, object]:
    scale = getattr(cfg, "autoscaling")
    replicas = getattr(cfg, "replicas")
    if scale is None:
        return {"replicas": replicas, "autoscaling": None}
    return {"replicas": scale.min_replicas, "autoscaling": {
        "min_replicas": scale.min_replicas, "max_replicas": scale.max_replicas,
        "rules": [{"metric": scale.metric, "condition_type": "limit", "value": scale.target,
                   "watch_period": 60}]}}


def triton_args(repositories: list[str]) -> list[str]:
    """tritonserver's arguments: the model repositories (Triton takes several), then the rest."""
    return [*(f"--model-repository={r}" for r in repositories), *TRITON_ARGS]


def preload_env(plugins: list[str]) -> list[dict[str, object]]:
    """`LD_PRELOAD` for the plugins at the root of the mounted repository, in TIR's env item
    form (docs/tir.md §8.2); no plugins, no variable."""
    if not plugins:
        return []
    return [{"key": "LD_PRELOAD", "value": ":".join(f"{MOUNT_PATH}/{p}" for p in plugins),
             "required": False, "disabled": {"key": False, "value": False}}]


def _container(cfg: EndpointSection, default_image: str, probe: str, path: str, port: int,
               env_variables: pulumi.Input[list[dict[str, object]]] | None = None) -> dict[str, object]:
    """The endpoint's container (public, or private from E2E's registry) with readiness and
    liveness probes on the server's port: TIR shows Running before the server is up without
    one (docs/tir.md §8.8)."""
    check = {"protocol": probe, "path": path, "port": port, "initial_delay_seconds": 30,
             "period_seconds": 10, "timeout_seconds": 5, "failure_threshold": 6}
    image: dict[str, object] = {"container_name": cfg.image or default_image, "container_type": "public"}
    if cfg.registry_namespace_id is not None:
        name = cfg.image or default_image
        image = {"container_name": name if name.startswith(E2E_REGISTRY) else E2E_REGISTRY + name,
                 "container_type": "private",
                 "private_image_details": {"registry_namespace_id": cfg.registry_namespace_id}}
    return {
        "container": {**image, "advance_config": {
            "image_pull_policy": "IfNotPresent",
            "is_readiness_probe_enabled": True, "readiness_probe": check,
            "is_liveness_probe_enabled": True, "liveness_probe": {**check, "failure_threshold": 10}}},
        "resource_details": {"disk_size": cfg.disk_size_gb, "mount_path": MOUNT_PATH,
                             "env_variables": [] if env_variables is None else env_variables},
    }
