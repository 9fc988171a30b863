"""Contract harness: the real ``tir`` client against a running ``riva_tir.emulator`` over HTTP.

Both sides were written from the TIR evidence (docs/tir.md) by different people; these
helpers only wire them together (no mocks) and read the emulator's control API
(``/_emulator/``) to see what the client really sent.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import asyncssh
import boto3  # type: ignore[import-untyped]

from riva_tir.tir import Backoff, TirClient, TirConfig
from riva_tir.tir.endpoints import Container, CustomEndpointDetails, DetailedInfo, EndpointSpec, EnvVariable, ResourceDetails
from riva_tir.tir.model_repositories import ModelRepository
from riva_tir.tir.nodes import NodeSpec, SshAccess
from riva_tir.emulator import EmulatorServer
from riva_tir.emulator.control_client import EmulatorControl

API_KEY = "contract-apikey-7f3a9c21"
AUTH_TOKEN = "contract-token-e4c7b0d5"
PROJECT_ID = 34
TEAM_ID = 12
URL_STYLES = ("project-query", "team-scoped")

# Plan short codes as the SDK builds them from the emulator's catalog.
CPU_PLAN = "CPU-C3-4-8GB-0"
BIGGER_CPU_PLAN = "CPU-C3-8-16GB-0"
NO_INVENTORY_PLAN = "GPU-H100-24-250GB-1"  # the emulator's SKU with is_inventory_available false
RIVA_VERSION = "2.19.0"

# Throwaway key pairs; only public halves ever reach the emulator.
KEY_A = asyncssh.generate_private_key("ssh-ed25519", comment="alice@contract")
KEY_B = asyncssh.generate_private_key("ssh-ed25519", comment="bob@contract")
PUBKEY_A = KEY_A.export_public_key().decode().strip()
PUBKEY_B = KEY_B.export_public_key().decode().strip()

TRITON_MODEL = "identity"
TRITON_CONFIG = f'name: "{TRITON_MODEL}"\nbackend: "python"\nmax_batch_size: 0\n'


class RecordingSleep:
    """Really sleeps, and remembers every pause the client asked for (retry/poll evidence)."""

    def __init__(self) -> None:
        self.pauses: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        time.sleep(seconds)


@dataclass
class Contract:
    """One test's view: a client in one URL style, the control API and the sleeps it made."""

    client: TirClient
    control: EmulatorControl
    emulator: EmulatorServer
    sleep: RecordingSleep = field(default_factory=RecordingSleep)

    @property
    def url_style(self) -> str:
        return self.client.config.url_style

    def scoped_path(self, service: str) -> str:
        """How a project-scoped path shows in the request log for this URL style."""
        if self.url_style == "team-scoped":
            return f"teams/{TEAM_ID}/projects/{PROJECT_ID}/{service}"
        return service

    def node_spec(self, name: str, *, keys: list[str] | None = None, plan: str = CPU_PLAN) -> NodeSpec:
        image = self.client.images.find_riva(RIVA_VERSION)
        resolved = self.client.plans.resolve_node_plan(plan, image.image_version_id)
        return NodeSpec(name=name, image_version_id=image.image_version_id,
                        sku_item_price_id=resolved.sku_item_price_id, public_key=keys or [])

    def custom_spec(self, name: str, *, commands: list[str], args: list[str], plan: str = CPU_PLAN,
                    env: tuple[EnvVariable, ...] = ()) -> EndpointSpec:
        resolved = self.client.plans.resolve_endpoint_plan(plan, "custom")
        details = CustomEndpointDetails(container=Container(container_name="nginx:latest"),
                                        resource_details=ResourceDetails(env_variables=list(env)))
        return EndpointSpec(
            name=name, framework="custom", sku_id=resolved.sku_id, sku_item_price_id=resolved.sku_item_price_id,
            custom_endpoint_details=details, detailed_info=DetailedInfo(commands=commands, args=args),
        )


def make_client(emulator: EmulatorServer, url_style: str, sleep: RecordingSleep, **overrides: Any) -> TirClient:
    """A client tuned for loopback: tiny backoffs, one capacity retry, the emulator's data plane."""
    settings: dict[str, Any] = {
        "api_root": emulator.api_root, "api_key": API_KEY, "auth_token": AUTH_TOKEN,
        "project_id": PROJECT_ID, "team_id": TEAM_ID, "url_style": url_style,
        "data_planes": {"Delhi": {"http": emulator.url, "grpc": emulator.grpc_address, "ca_file": str(emulator.ca_file)}},
        "connect_timeout": 5.0, "read_timeout": 30.0, "max_retries": 3,
        "backoff_initial": 0.01, "backoff_max": 0.05, "retry_after_max": 5.0,
        "capacity_retries": 1, "capacity_backoff_initial": 0.01, "capacity_backoff_max": 0.02,
        **overrides,
    }
    return TirClient(TirConfig(**settings), sleep=sleep, backoff=Backoff(initial=0.02, maximum=0.2))


def s3_for(repository: ModelRepository) -> Any:
    """boto3 S3 client built only from what the API returned for the repository."""
    assert repository.bucket is not None and repository.credentials is not None
    secret = repository.credentials.secret_key
    assert secret is not None
    return boto3.client(
        "s3", endpoint_url=repository.bucket.endpoint, region_name="us-east-1",
        aws_access_key_id=repository.credentials.access_key, aws_secret_access_key=secret.get_secret_value(),
    )


def upload_triton_model(repository: ModelRepository, prefix: str = "") -> None:
    """A minimal Triton repository (config + one version) under ``prefix``."""
    assert repository.bucket is not None and repository.bucket.bucket_name
    s3 = s3_for(repository)
    bucket = repository.bucket.bucket_name
    s3.put_object(Bucket=bucket, Key=f"{prefix}{TRITON_MODEL}/config.pbtxt", Body=TRITON_CONFIG.encode())
    s3.put_object(Bucket=bucket, Key=f"{prefix}{TRITON_MODEL}/1/model.py", Body=b"class TritonPythonModel: ...\n")


def ssh_run(access: SshAccess, key: asyncssh.SSHKey, command: str) -> str:
    """Run one command on a node over real SSH, as the user the API named."""

    async def run() -> str:
        async with asyncssh.connect(access.host, access.port, username=access.user, client_keys=[key],
                                    known_hosts=None, connect_timeout=10) as conn:
            result = await conn.run(command, check=True, timeout=20)
            return str(result.stdout)

    return asyncio.run(run())
