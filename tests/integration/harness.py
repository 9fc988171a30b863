"""A real engine run of the riva-tir program against an in-process TIR emulator.

The stack lives in a temporary project folder whose program runs the repository's
__main__.py, so tests never write stack files into stacks/.
"""
from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from pulumi import automation as auto

from tests.conftest import ROOT, engine_env, workspace_options
from tir import TirClient, TirConfig
from tir_emulator import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN, EmulatorServer
from tir_emulator.riva_tools import make_riva_archive


@dataclass
class Deployment:
    stack: auto.Stack
    emulator: EmulatorServer
    artifact: Path
    tmp: Path

    def tir(self) -> TirClient:
        return TirClient(TirConfig(api_root=self.emulator.api_root, api_key=DEFAULT_API_KEY,
                                   auth_token=DEFAULT_AUTH_TOKEN, project_id=1))

    def inventory(self) -> dict[str, Any]:
        data = requests.get(f"{self.emulator.url}/_emulator/inventory", timeout=10).json()["data"]
        return dict(data)

    def set(self, path: str, value: Any, secret: bool = False) -> None:
        self.stack.set_config(path, auto.ConfigValue(str(value), secret=secret), path=True)


def base_config(emulator: EmulatorServer, artifact: Path) -> dict[str, Any]:
    return {
        "riva-tir:tir.apiRoot": emulator.api_root,
        "riva-tir:tir.projectId": 1,
        "riva-tir:tir.inferBase": emulator.url,
        "riva-tir:node.plan": "GPU-L4-8-48GB-1",
        "riva-tir:node.diskSizeGb": 50,
        "riva-tir:model.file": str(artifact),
        "riva-tir:triton.plan": "GPU-L4-8-48GB-1",
        "riva-tir:triton.replicas": 1,
        "riva-tir:rivaApi.plan": "CPU-C3-4-8GB-0",
        "riva-tir:rivaApi.replicas": 1,
    }


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    emulator = EmulatorServer(port=0, data_dir=tmp_path / "emulator", speed="instant")
    emulator.start()
    try:
        project = tmp_path / "project"
        project.mkdir()
        (project / "Pulumi.yaml").write_text("name: riva-tir\nruntime: python\n")
        (project / "__main__.py").write_text(textwrap.dedent(f"""
            import runpy
            runpy.run_path({str(ROOT / '__main__.py')!r}, run_name="__main__")
        """))
        artifact = tmp_path / "parakeet.riva"
        make_riva_archive(artifact, model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 20)
        backend = tmp_path / "state"
        backend.mkdir()
        env = engine_env(backend)
        stack = auto.create_stack("it", work_dir=str(project),
                                  opts=workspace_options(env, secrets_provider="passphrase"))
        dep = Deployment(stack, emulator, artifact, tmp_path)
        for key, value in base_config(emulator, artifact).items():
            dep.set(key, value)
        dep.set("riva-tir:tirApiKey", DEFAULT_API_KEY, secret=True)
        dep.set("riva-tir:tirAuthToken", DEFAULT_AUTH_TOKEN, secret=True)
        yield dep
        stack.destroy()
    finally:
        emulator.stop()
