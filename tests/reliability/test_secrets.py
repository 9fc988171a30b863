"""Scenario 8: after a full `up` (and a failed one), no secret appears in plaintext in the
state export, the engine and provider logs, the exception texts or the emulator's request
log: TIR API key and token, NGC key, bucket secret key, Riva model key, SSH private key.
Nor on the node: not in any command line while conversion and publish run (the process
list), nor on its disk afterwards."""
from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pulumi import automation as auto

from tests.integration.harness import Deployment
from tests.integration.node_watch import disk_bytes, leaked, process_list
from riva_tir.emulator import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN
from riva_tir.emulator.riva_tools import make_riva_archive

pytestmark = [pytest.mark.engine, pytest.mark.emulator]

NGC_KEY = "nvapi-ngc-secret-4c1d8e"
MODEL_KEY = "riva-model-key-7e21b9"
# Engine and provider logs (plugin stderr) to stderr. Pulumi's own -v 9 trace dumps resource
# inputs in plaintext by design (its docs warn verbose logs may hold secrets): not scanned.
VERBOSITY = 7


def _key_pair() -> tuple[str, str]:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return private, f"{public} ops@example"


def test_no_secret_in_state_logs_errors_or_request_log(deployment: Deployment) -> None:
    dep = deployment
    private, public = _key_pair()
    make_riva_archive(dep.artifact, model="parakeet-ctc-0.6b-en-us", key=MODEL_KEY, size_bytes=1 << 20)
    dep.set("riva-tir:modelKey", MODEL_KEY, secret=True)
    dep.set("riva-tir:ngcApiKey", NGC_KEY, secret=True)
    dep.set("riva-tir:node.sshPublicKey", public)
    dep.stack.set_config("riva-tir:sshPrivateKey", auto.ConfigValue(private, secret=True))

    texts: list[str] = []
    with process_list() as command_lines:
        up = dep.stack.up(log_verbosity=VERBOSITY, log_to_std_err=True, log_flow=True, on_output=texts.append)
    texts += [up.stdout, up.stderr]
    out = {k: v.value for k, v in up.outputs.items()}
    with dep.tir() as tir:
        repo = tir.model_repositories.get(out["repository_id"])
    assert repo.credentials is not None and repo.credentials.secret_key is not None
    bucket_secret = repo.credentials.secret_key.get_secret_value()

    # A failed run's exception texts too: the TIR API fails on a change that has to call it.
    dep.set("riva-tir:triton.replicas", 2)
    dep.faults([{"fault": "error", "status": 503, "path": "^/myaccount/"}])
    with pytest.raises(auto.CommandError) as info:
        dep.stack.up(log_verbosity=VERBOSITY, log_to_std_err=True)
    texts.append(str(info.value))
    dep.clear_faults()

    state = dep.export()
    assert '"secure"' in state or "ciphertext" in state  # secrets are there, encrypted
    texts.append(state)
    texts.append(json.dumps(dep.control.requests()))
    texts += [p.read_text(errors="replace") for p in dep.tmp.glob("pulumi-*.log")]
    everything = "\n".join(texts)
    # The scan saw real content: engine output, provider logs (the client's retry warnings),
    # the request log.
    assert "riva-node-power" in everything and "retrying after attempt" in everything
    assert "apikey=***" in everything
    body = "".join(private.splitlines()[1:-1])
    secrets = {"TIR API key": DEFAULT_API_KEY, "TIR token": DEFAULT_AUTH_TOKEN, "NGC key": NGC_KEY,
               "model key": MODEL_KEY, "bucket secret key": bucket_secret,
               "SSH private key": body[:40], "SSH private key (end)": body[-40:]}
    assert leaked(secrets, everything) == []

    # The node: the watch saw the conversion and publish run, and no secret in any argv.
    seen = "\n".join(command_lines)
    assert "riva-build" in seen and "riva-deploy" in seen and "mc mirror" in seen
    assert leaked(secrets, seen) == []
    disk = dep.emulator.state.machines.disk_path(out["node_id"])
    assert list(disk.rglob("*.rmir")), "the scan would not see the conversion's files"
    assert leaked(secrets, disk_bytes(disk)) == []
