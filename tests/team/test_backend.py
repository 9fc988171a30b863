"""The team backend: Pulumi state on S3-compatible storage (EOS in production, the
emulator's MinIO here), with the commands the README documents.

`pulumi login s3://...` with the issue's `s3ForcePathStyle` form, a stack with the
passphrase secrets provider, an `up`, and two concurrent `up`s on one stack: the second
must fail on the stack's lock while the first holds it, and succeed once it is released.
"""
from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tenacity import retry, retry_if_result, stop_after_delay, wait_fixed

from tests.conftest import engine_env
from riva_tir.emulator.objectstore import ObjectStore

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

BUCKET = "riva-tir-state"
PASSPHRASE = "team-passphrase-for-tests"
# A small program whose `up` takes a few seconds, so a second `up` meets its lock.
PROGRAM = """
import time
import pulumi

config = pulumi.Config()
time.sleep(config.get_float("hold") or 0)
pulumi.export("greeting", "hello from " + pulumi.get_stack())
pulumi.export("token", config.require_secret("token"))
"""


@dataclass
class Backend:
    store: ObjectStore
    url: str
    env: dict[str, str]
    project: Path

    def pulumi(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(["pulumi", *args, "--non-interactive"], cwd=self.project, env=self.env,
                              capture_output=True, text=True, timeout=180)
        if check and done.returncode:
            raise AssertionError(f"pulumi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def objects(self, prefix: str) -> list[str]:
        access, secret = self.store.bucket_credentials(BUCKET)
        listing = self.store.client(access, secret).list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return [item["Key"] for item in listing.get("Contents", [])]

    def read(self, key: str) -> str:
        access, secret = self.store.bucket_credentials(BUCKET)
        body = self.store.client(access, secret).get_object(Bucket=BUCKET, Key=key)["Body"]
        return str(body.read().decode())


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    store = ObjectStore(tmp_path / "minio")
    store.start()
    try:
        access, secret = store.create_bucket(BUCKET)
        host = store.endpoint_url.removeprefix("http://")
        project = tmp_path / "project"
        project.mkdir()
        (project / "Pulumi.yaml").write_text("name: team-backend\nruntime: python\n")
        (project / "__main__.py").write_text(PROGRAM)
        env = {k: v for k, v in engine_env(tmp_path).items() if k != "PULUMI_BACKEND_URL"}
        env.update({
            # `pulumi login` writes its credentials file into PULUMI_HOME: a private one.
            "PULUMI_HOME": str(tmp_path / "pulumi-home"),
            "AWS_ACCESS_KEY_ID": access, "AWS_SECRET_ACCESS_KEY": secret,
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        })
        url = f"s3://{BUCKET}?endpoint={host}&s3ForcePathStyle=true&disableSSL=true&region=us-east-1"
        yield Backend(store, url, env, project)
    finally:
        store.stop()


def test_login_up_and_secrets_on_s3(backend: Backend) -> None:
    login = backend.pulumi("login", backend.url)
    assert backend.url in login.stdout
    assert backend.url in backend.pulumi("whoami", "--verbose").stdout

    backend.pulumi("stack", "init", "dev", "--secrets-provider", "passphrase")
    backend.pulumi("config", "set", "--secret", "token", "s3cr3t-token-value", "--stack", "dev")
    backend.pulumi("up", "--yes", "--stack", "dev")
    outputs = json.loads(backend.pulumi("stack", "output", "--json", "--show-secrets", "--stack", "dev").stdout)
    assert outputs == {"greeting": "hello from dev", "token": "s3cr3t-token-value"}

    # The state is in the bucket, project-scoped, with the secret encrypted.
    state_key = ".pulumi/stacks/team-backend/dev.json"
    assert state_key in backend.objects(".pulumi/stacks/")
    state = backend.read(state_key)
    assert "hello from dev" in state and "s3cr3t-token-value" not in state

    # Another passphrase (say, the local stack's) cannot open the team's secrets.
    backend.env["PULUMI_CONFIG_PASSPHRASE"] = "riva-tir-local"
    wrong = backend.pulumi("stack", "output", "--show-secrets", "--stack", "dev", check=False)
    assert wrong.returncode != 0 and "passphrase" in (wrong.stdout + wrong.stderr).lower()


@retry(retry=retry_if_result(lambda locks: not locks), wait=wait_fixed(0.2), stop=stop_after_delay(60))
def _wait_for_lock(backend: Backend) -> list[str]:
    return backend.objects(".pulumi/locks/organization/team-backend/dev/")


def test_concurrent_ups_are_locked(backend: Backend) -> None:
    backend.pulumi("login", backend.url)
    backend.pulumi("stack", "init", "dev", "--secrets-provider", "passphrase")
    backend.pulumi("config", "set", "--secret", "token", "t", "--stack", "dev")
    backend.pulumi("config", "set", "hold", "8", "--stack", "dev")

    first = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--stack", "dev", "--non-interactive"],
                             cwd=backend.project, env=backend.env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        assert len(_wait_for_lock(backend)) == 1
        second = backend.pulumi("up", "--yes", "--skip-preview", "--stack", "dev", check=False)
        first_out, _ = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, first_out
    assert second.returncode != 0
    assert "the stack is currently locked by 1 lock(s)" in second.stdout + second.stderr
    # Released after the first `up`: the next one runs.
    assert not backend.objects(".pulumi/locks/")
    backend.pulumi("config", "set", "hold", "0", "--stack", "dev")
    assert backend.pulumi("up", "--yes", "--skip-preview", "--stack", "dev").returncode == 0
