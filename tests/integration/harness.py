"""A real engine run of the riva-tir program against an in-process TIR emulator.

The stack lives in a temporary project folder whose program runs the repository's
__main__.py, so tests never write stack files into stacks/. Besides the Automation API
stack, a `Deployment` drives the emulator's control API (faults, failed states,
transitions, inventory, request log) and the `pulumi` CLI itself (for runs a test
interrupts with a signal).
"""
from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi import automation as auto
from pydantic import SecretStr

from tests.conftest import ROOT, engine_env, pulumi_command, workspace_options
from riva_tir.tir import TirClient, TirConfig
from riva_tir.tir.endpoints import GrpcTarget
from riva_tir.emulator import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN, EmulatorServer
from riva_tir.emulator.control_client import EmulatorControl
from riva_tir.emulator.riva_tools import make_riva_archive

# What one full stack holds in the emulator (inventory key -> count).
FULL_STACK = {"nodes": 1, "model_repositories": 1, "endpoints": 2, "ssh_keys": 1, "buckets": 1}
KINDS = tuple(FULL_STACK)
PRIVATE_RIVA_IMAGE = "registry.e2enetworks.net/riva-tir/riva-speech:2.19.0"


@dataclass
class Deployment:
    stack: auto.Stack
    emulator: EmulatorServer
    artifact: Path
    tmp: Path
    env: dict[str, str]

    def tir(self) -> TirClient:
        return TirClient(TirConfig(api_root=self.emulator.api_root,
                                   api_key=SecretStr(DEFAULT_API_KEY),
                                   auth_token=SecretStr(DEFAULT_AUTH_TOKEN), project_id=1))

    @property
    def control(self) -> EmulatorControl:
        return self.emulator.control

    def inventory(self) -> dict[str, Any]:
        return self.control.inventory()

    def counts(self, prefix: str = "") -> dict[str, int]:
        """How many of each kind exist (named with `prefix`, when given)."""
        inv = self.inventory()
        return {kind: sum(1 for item in inv[kind] if _named(item, prefix)) for kind in KINDS}

    def faults(self, rules: list[dict[str, Any]], seed: int = 0) -> None:
        self.control.faults(*rules, seed=seed)

    def clear_faults(self) -> None:
        self.control.clear_faults()

    def fail(self, kind: str, resource_id: int, reason: str) -> None:
        self.control.fail(kind, resource_id, reason)

    def transitions(self, seconds: dict[str, float] | str) -> None:
        self.control.transitions(seconds)

    def set(self, path: str, value: Any, secret: bool = False) -> None:
        self.stack.set_config(path, auto.ConfigValue(str(value), secret=secret), path=True)

    def set_all(self, values: dict[str, Any], secrets: dict[str, Any] | None = None) -> None:
        """Several keys in one `pulumi config set-all` (each CLI run costs a start-up)."""
        self.stack.set_all_config({**{k: auto.ConfigValue(str(v)) for k, v in values.items()},
                                   **{k: auto.ConfigValue(str(v), secret=True) for k, v in (secrets or {}).items()}},
                                  path=True)

    def outputs(self) -> dict[str, Any]:
        return {k: v.value for k, v in self.stack.outputs().items()}

    def export(self) -> str:
        """`pulumi stack export` as a user runs it (the Automation API's adds --show-secrets)."""
        return subprocess.run([str(pulumi_command().command), "stack", "export", "--stack", self.stack.name],
                              cwd=self.stack.workspace.work_dir, env={**os.environ, **self.env},
                              capture_output=True, text=True, check=True).stdout

    def cli(self, *args: str) -> subprocess.Popen[bytes]:
        """`pulumi <args> --stack <name>` as its own process group (so a test can signal
        the whole run, as Ctrl-C or a killed CI job does); output goes to a log file."""
        log = open(self.tmp / f"pulumi-{self.stack.name}.log", "ab")  # noqa: SIM115 - closed by the child
        binary = str(Path(self.stack.workspace.pulumi_command.command))
        proc = subprocess.Popen([binary, *args, "--stack", self.stack.name, "--non-interactive"],
                                cwd=self.stack.workspace.work_dir, env={**os.environ, **self.env},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        return proc


def _named(item: Any, prefix: str) -> bool:
    if not prefix:
        return True
    if isinstance(item, str):  # buckets are bare names
        return prefix in item
    return any(prefix in str(item.get(k, "")) for k in ("name", "label", "ssh_key"))


def triton_index(target: Mapping[str, Any], token: str = DEFAULT_AUTH_TOKEN) -> dict[str, Any]:
    """Triton's model repository index through the emulator's gRPC ingress (an endpoint's
    `grpc` output), as a user's tritonclient asks it."""
    import tritonclient.grpc as triton

    grpc_target = GrpcTarget.model_validate(target)
    client = triton.InferenceServerClient(grpc_target.address, ssl=True, root_certificates=grpc_target.ca_file)
    try:
        index: dict[str, Any] = client.get_model_repository_index(
            as_json=True, headers=dict(grpc_target.call_metadata(token)), client_timeout=10)
        return index
    finally:
        client.close()


STOCK_ENGINE = ROOT / ".tools" / "stock-host"


def use_stock_host(dep: Deployment) -> None:
    """Run `dep`'s stack as a stock Pulumi CLI does, with the SDK's own dynamic-provider
    host: the project's engine laid out beside the SDK's launcher (scripts/setup), or a
    stock CLI that set-up found on PATH, which is that already."""
    if (STOCK_ENGINE / "bin" / "pulumi").exists():
        dep.stack.workspace.pulumi_command = auto.PulumiCommand(root=str(STOCK_ENGINE))
        dep.env["PATH"] = f"{STOCK_ENGINE / 'bin'}{os.pathsep}{dep.env['PATH']}"


def base_config(emulator: EmulatorServer, artifact: Path) -> dict[str, Any]:
    return {
        "riva-tir:tir.apiRoot": emulator.api_root,
        "riva-tir:tir.projectId": 1,
        "riva-tir:tir.dataPlanes.Delhi.http": emulator.url,
        "riva-tir:tir.dataPlanes.Delhi.grpc": emulator.grpc_address,
        "riva-tir:tir.dataPlanes.Delhi.caFile": str(emulator.ca_file),
        "riva-tir:node.plan": "GPU-L4-8-48GB-1",
        "riva-tir:node.diskSizeGb": 50,
        "riva-tir:model.file": str(artifact),
        "riva-tir:triton.plan": "GPU-L4-8-48GB-1",
        "riva-tir:triton.replicas": 1,
        "riva-tir:rivaApi.plan": "CPU-C3-4-8GB-0",
        "riva-tir:rivaApi.replicas": 1,
        # riva-speech from E2E's registry: TIR cannot pull nvcr.io's anonymously (docs/tir.md §8.2).
        **{f"riva-tir:{section}.{key}": value for section in ("triton", "rivaApi") for key, value in (
            ("image", PRIVATE_RIVA_IMAGE), ("registryNamespaceId", 1))},
    }


@contextmanager
def running_emulator(data_dir: Path, speed: str = "instant") -> Iterator[EmulatorServer]:
    emulator = EmulatorServer(port=0, data_dir=data_dir, speed=speed)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def open_stack(tmp: Path, emulator: EmulatorServer, name: str = "it", *,
               artifact_bytes: int = 1 << 20) -> Deployment:
    """A configured stack `name` of one project folder under `tmp` (shared by every stack
    opened there, like stacks of one Pulumi project), against `emulator`."""
    project = tmp / "project"
    if not project.exists():
        project.mkdir(parents=True)
        (project / "Pulumi.yaml").write_text("name: riva-tir\nruntime: python\n")
        (project / "__main__.py").write_text(textwrap.dedent(f"""
            import runpy
            runpy.run_path({str(ROOT / '__main__.py')!r}, run_name="__main__")
        """))
    artifact = tmp / f"parakeet-{name}.riva"
    make_riva_archive(artifact, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=artifact_bytes)
    backend = tmp / "state"
    backend.mkdir(exist_ok=True)
    env = engine_env(backend)
    stack = auto.create_stack(name, work_dir=str(project),
                              opts=workspace_options(env, secrets_provider="passphrase"))
    dep = Deployment(stack, emulator, artifact, tmp, env)
    dep.set_all(base_config(emulator, artifact),
                {"riva-tir:tirApiKey": DEFAULT_API_KEY, "riva-tir:tirAuthToken": DEFAULT_AUTH_TOKEN})
    return dep
