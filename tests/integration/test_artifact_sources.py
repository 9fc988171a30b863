"""The model from NGC (downloaded on the node with the NGC key) and from an HTTPS URL
(downloaded on the node), end to end against the emulator."""
from __future__ import annotations

import datetime
import functools
import http.server
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.harness import Deployment, triton_index
from riva_tir.emulator.machines.host import CA_BUNDLE_ENV
from riva_tir.emulator.riva_tools import make_riva_archive
from riva_tir.emulator.riva_tools.ngc import DEFAULT_NGC_KEY

pytestmark = [pytest.mark.engine, pytest.mark.emulator]


def _models_ready(outputs: dict[str, object]) -> dict[str, str]:
    index = triton_index(outputs["triton_grpc"])
    return {m["name"]: m["state"] for m in index["models"]}


def _use_source(dep: Deployment, key: str, value: str) -> None:
    dep.stack.remove_config("riva-tir:model.file", path=True)
    dep.set(f"riva-tir:model.{key}", value)


def test_ngc_model(deployment: Deployment) -> None:
    dep = deployment
    _use_source(dep, "ngc", "nvidia/riva/parakeet-ctc-riva-0-6b-en-us:deployable_v1.0")
    dep.set("riva-tir:ngcApiKey", "nvapi-wrong", secret=True)
    with pytest.raises(Exception) as failed:
        dep.stack.up()
    assert "NGC download of nvidia/riva/parakeet-ctc-riva-0-6b-en-us:deployable_v1.0 failed" in str(failed.value)
    assert "nvapi-wrong" not in str(failed.value)

    dep.set("riva-tir:ngcApiKey", DEFAULT_NGC_KEY, secret=True)
    outputs = {k: v.value for k, v in dep.stack.up().outputs.items()}
    assert set(_models_ready(outputs).values()) == {"READY"}
    dep.stack.preview(expect_no_changes=True)


@pytest.fixture
def https_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Serves a `.riva` over HTTPS on loopback with a throwaway CA the nodes trust."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "ca.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    site = tmp_path / "site"
    site.mkdir()
    make_riva_archive(site / "parakeet.riva", model="parakeet-ctc-0.6b-en-us", key="tlt_encode", size_bytes=1 << 20)

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv(CA_BUNDLE_ENV, str(cert_file))
    yield f"https://127.0.0.1:{server.server_address[1]}/parakeet.riva"
    server.shutdown()


@pytest.fixture
def url_deployment(https_model: str, deployment: Deployment) -> tuple[Deployment, str]:
    return deployment, https_model


def test_https_model(url_deployment: tuple[Deployment, str]) -> None:
    dep, url = url_deployment
    _use_source(dep, "url", url)
    outputs = {k: v.value for k, v in dep.stack.up().outputs.items()}
    assert set(_models_ready(outputs).values()) == {"READY"}
    dep.stack.preview(expect_no_changes=True)


def test_https_model_with_credentials_is_a_secret(url_deployment: tuple[Deployment, str]) -> None:
    """A `model.url` with user:password@ is masked in preview, encrypted in state, and on no
    command line of the node (curl reads it from stdin)."""
    from tests.integration.node_watch import leaked, process_list

    dep, url = url_deployment
    password = "pw-7f3e91-secret"
    _use_source(dep, "url", url.replace("https://", f"https://model-user:{password}@"))
    # As plain config the URL would be stored in plaintext: preview refuses it, naming the fix.
    with pytest.raises(Exception, match="riva-tir:model.url: it carries a password"):
        dep.stack.preview()
    dep.set("riva-tir:model.url", url.replace("https://", f"https://model-user:{password}@"), secret=True)
    texts: list[str] = []
    preview = dep.stack.preview(diff=True, on_output=texts.append)
    texts.append(preview.stdout)
    with process_list() as command_lines:
        up = dep.stack.up(on_output=texts.append)
    outputs = {k: v.value for k, v in up.outputs.items()}
    assert set(_models_ready(outputs).values()) == {"READY"}
    texts += [up.stdout, dep.export(), "\n".join(command_lines)]
    assert "curl" in "\n".join(command_lines)  # the watch saw the download
    assert leaked({"url password": password}, "\n".join(texts)) == []
