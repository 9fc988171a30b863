"""The official TIR SDK (e2enetworks 1.4.9) as a contract-test client of the emulator.

The SDK lives in its own virtualenv (.tools/sdk-venv, made by scripts/setup from
tests/sdk/requirements.txt): each test runs a small driver under that interpreter, which
makes SDK calls and prints one JSON result. The test asserts on it and on the emulator's
control API. The SDK reads its settings from the environment (docs/tir.md §11).
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.contract.harness import API_KEY, AUTH_TOKEN, PROJECT_ID, TEAM_ID
from riva_tir.emulator import EmulatorServer
from riva_tir.emulator.control_client import EmulatorControl

ROOT = Path(__file__).resolve().parents[2]
SDK_PYTHON = ROOT / ".tools" / "sdk-venv" / "bin" / "python"
RESULT = "SDK-RESULT:"

# Imported by every driver: SimpleNamespace trees (what the SDK returns) as plain JSON.
PRELUDE = f'''
import json, sys, types
import e2enetworks.cloud.tir as tir

def plain(value):
    if isinstance(value, types.SimpleNamespace):
        return {{k: plain(v) for k, v in vars(value).items()}}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "status_code"):  # a failed call: the SDK hands back the Response
        return {{"http_status": value.status_code, "body": value.json()}}
    return value

def done(result):
    print("{RESULT}" + json.dumps(plain(result)))
'''


@dataclass
class Sdk:
    """Runs drivers under the SDK's interpreter against one emulator."""

    emulator: EmulatorServer
    control: EmulatorControl

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            "E2E_TIR_API_HOST": f"{self.emulator.url}/myaccount/",
            "E2E_TIR_API_KEY": API_KEY,
            "E2E_TIR_ACCESS_TOKEN": AUTH_TOKEN,
            "E2E_TIR_PROJECT_ID": str(PROJECT_ID),
            "E2E_TIR_TEAM_ID": str(TEAM_ID),
            "E2E_TIR_LOCATION": "Delhi",
            "HF_HUB_OFFLINE": "1",  # transformers/datasets are imported, never used: no hub
            "TRANSFORMERS_VERBOSITY": "error",
        }

    def run(self, body: str, timeout: float = 120) -> Any:
        """Run ``body`` (Python, may call ``done(result)`` once) and return that result."""
        code = PRELUDE + textwrap.dedent(body)
        proc = subprocess.run([str(SDK_PYTHON), "-c", code], env=self.env(), capture_output=True, text=True,
                              timeout=timeout, check=False)
        assert proc.returncode == 0, f"driver failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT)]
        assert len(lines) == 1, proc.stdout[-3000:]
        return json.loads(lines[0][len(RESULT):])


@pytest.fixture(scope="session")
def sdk_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    if not SDK_PYTHON.exists():
        pytest.fail("no SDK virtualenv: run scripts/setup (scripts/test does)")
    server = EmulatorServer(port=0, data_dir=tmp_path_factory.mktemp("sdk-emulator"), speed="instant",
                            api_key=API_KEY, auth_token=AUTH_TOKEN, seed=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sdk(sdk_emulator: EmulatorServer) -> Sdk:
    control = sdk_emulator.control
    control.reset()
    control.transitions("instant")
    return Sdk(sdk_emulator, control)
