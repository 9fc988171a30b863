"""Shared harness for `test_api_*.py`: a real EmulatorServer and a thin `requests` caller
(fixtures `emulator` and `api` are in tests/emulator/conftest.py)."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh
import requests

from riva_tir.emulator.control_client import EmulatorControl
from riva_tir.emulator.server import EmulatorServer

API_KEY = "test-api-key-0b7f"
AUTH_TOKEN = "test-auth-token-9c1e"
PROJECT = 77
TEAM = 5
ROOT = "/myaccount/api/v1/gpu/"
# Throwaway key pairs generated per test run; only the public halves go to the emulator.
KEY_A = asyncssh.generate_private_key("ssh-ed25519", comment="alice@test")
KEY_B = asyncssh.generate_private_key("ssh-ed25519", comment="bob@test")
PUBKEY_A = KEY_A.export_public_key().decode().strip()
PUBKEY_B = KEY_B.export_public_key().decode().strip()
CPU_HOURLY = 1201  # C3.4 hourly plan
CPU_COMMITTED = 1202
CPU_SKU = 12
NO_INVENTORY_HOURLY = 2301  # H100: is_inventory_available false
RIVA_IMAGE_VERSION = 302


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass
class Api:
    """Calls one emulator over real HTTP; `legacy=True` uses the team-scoped paths."""

    url: str
    project: int = PROJECT
    legacy: bool = False
    location: str | None = "Delhi"

    def path(self, service: str, scoped: bool = True) -> str:
        if scoped and self.legacy:
            return f"{self.url}{ROOT}teams/{TEAM}/projects/{self.project}/{service}"
        return f"{self.url}{ROOT}{service}"

    def call(self, method: str, service: str, *, json: Any = None, params: dict[str, Any] | None = None,
             scoped: bool = True, api_key: str | None = API_KEY, token: str | None = AUTH_TOKEN) -> requests.Response:
        query: dict[str, Any] = {}
        if api_key is not None:
            query["apikey"] = api_key
        if self.location is not None:
            query["location"] = self.location
        if scoped and not self.legacy:
            query["project_id"] = self.project
        query.update(params or {})
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, self.path(service, scoped), params=query, json=json, headers=headers,
                                timeout=30)

    def ok(self, method: str, service: str, **kwargs: Any) -> Any:
        """Call and assert success with a well-formed envelope; returns `data`."""
        response = self.call(method, service, **kwargs)
        body = response.json()
        assert response.status_code in (200, 201), (response.status_code, body)
        assert body["code"] == response.status_code and body["errors"] == {}
        return body["data"]

    def error(self, method: str, service: str, status: int, **kwargs: Any) -> dict[str, Any]:
        """Call and assert the error status with an envelope; returns the body."""
        response = self.call(method, service, **kwargs)
        body: dict[str, Any] = response.json()
        assert response.status_code == status, (response.status_code, body)
        assert body["code"] == status and body["data"] is None and body["message"]
        return body

    @property
    def control(self) -> EmulatorControl:
        return EmulatorControl(self.url)

    # -- factories -------------------------------------------------------------------------

    def ssh_key(self, public_key: str = PUBKEY_A, label: str = "alice") -> dict[str, Any]:
        data: dict[str, Any] = self.ok("POST", "ssh_keys/", json={"label": label, "ssh_key": public_key},
                                       scoped=False)
        return data

    def node_body(self, **overrides: Any) -> dict[str, Any]:
        return {"name": "node-a", "image_type": "pre-built", "image_version_id": RIVA_IMAGE_VERSION,
                "sku_item_price_id": CPU_HOURLY, "instance_type": "paid_usage", "notebook_type": "new",
                "notebook_url": "", "auto_shutdown_timeout": None, "is_jupyterlab_enabled": True,
                "dataset_id_list": [], "public_key": [], **overrides}

    def node(self, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = self.ok("POST", "notebooks/", json=self.node_body(**overrides))
        return data

    def repository(self, name: str = "models", **overrides: Any) -> dict[str, Any]:
        body = {"name": name, "model_type": "triton", "storage_type": "managed", **overrides}
        data: dict[str, Any] = self.ok("POST", "serving/model/", json=body)
        return data

    def custom_body(self, **overrides: Any) -> dict[str, Any]:
        return {
            "name": "web", "framework": "custom", "sku_id": CPU_SKU, "sku_item_price_id": CPU_HOURLY, "replica": 1,
            "custom_endpoint_details": {"container": {"container_name": "nginx:latest", "container_type": "public"}},
            "detailed_info": {"commands": b64('["nginx"]'), "args": b64("['-g', 'daemon off;']")},
            **overrides,
        }

    def endpoint(self, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = self.ok("POST", "serving/inference/", json=self.custom_body(**overrides))
        return data

    def settled(self, endpoint_id: int, within: float = 120.0) -> dict[str, Any]:
        """The endpoint once it has left `deploying` or its Triton has given up on a model
        (a real tritonserver takes seconds to load a repository)."""
        path = f"serving/inference/{endpoint_id}/"
        deadline = time.monotonic() + within
        while True:
            endpoint: dict[str, Any] = self.ok("GET", path)
            if endpoint["status"] != "deploying" or time.monotonic() > deadline \
                    or "UNAVAILABLE" in " ".join(self.ok("GET", f"{path}logs/")):
                return endpoint
            time.sleep(0.25)

    def http_url(self, endpoint_id: int) -> str:
        """The endpoint's HTTP data-plane root, as TIR's clients compose it (docs/tir.md §8.9)."""
        return f"{self.url}/project/p-{self.project}/endpoint/is-{endpoint_id}/"


def start_server(data_dir: Path, **kwargs: Any) -> EmulatorServer:
    server = EmulatorServer(data_dir=data_dir, api_key=API_KEY, auth_token=AUTH_TOKEN, **kwargs)
    server.start()
    return server


