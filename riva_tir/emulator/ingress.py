"""TIR's gRPC ingress (docs/tir.md §8.9): one TLS port for every endpoint's gRPC, routed by
the metadata each call carries.

- `x-auth-token` must be the account's auth token, else UNAUTHENTICATED;
- `svc: is-<endpoint id>` picks the endpoint, `e2e-project` must be its project, else NOT_FOUND;
- the call goes to the container port TIR forwards gRPC to (`EndpointModels.serving_port`);
  nothing listening there (stopped, failed, no gRPC port exposed) is UNAVAILABLE.

Calls are relayed as raw bytes, streaming or not, so any service passes: Triton's, Riva's,
gRPC health. The certificate is issued by the emulator's own test CA (`TestCa`), which a
client trusts through its stack config (`tir.dataPlanes.<location>.caFile`).
"""

from __future__ import annotations

import datetime
import ipaddress
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from riva_tir.emulator import assumptions as a
from riva_tir.emulator.envelope import NotFound
from riva_tir.emulator.loopback import require_loopback

if TYPE_CHECKING:
    from riva_tir.emulator.state import EmulatorState

# Relayed calls may carry audio (Riva streaming); the engine-wide gRPC limit is far above.
MAX_MESSAGE = 64 << 20
_OPTIONS = [("grpc.max_receive_message_length", MAX_MESSAGE), ("grpc.max_send_message_length", MAX_MESSAGE)]
_NO_DEADLINE = 1e9  # seconds
# Metadata the ingress consumes; the rest goes on to the container.
_ROUTING = {a.INGRESS_TOKEN_HEADER, a.INGRESS_SERVICE_HEADER, a.INGRESS_PROJECT_HEADER}


class TestCa:
    """The emulator's certificate authority and the ingress's certificate, kept in `folder`
    so that a client's trust (the CA file) survives emulator restarts."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.ca_file = folder / "ca.pem"
        self._key_file, self._cert_file = folder / "ingress.key", folder / "ingress.pem"
        if not (self.ca_file.exists() and self._key_file.exists() and self._cert_file.exists()):
            self._issue()

    def _issue(self) -> None:
        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TIR emulator test CA")])
        ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
              .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=3650))
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
              .sign(ca_key, hashes.SHA256()))
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
                .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=3650))
                .add_extension(x509.SubjectAlternativeName([
                    x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                .sign(ca_key, hashes.SHA256()))
        self._key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
        self._key_file.chmod(0o600)
        self._cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))

    def server_credentials(self) -> grpc.ServerCredentials:
        return grpc.ssl_server_credentials([(self._key_file.read_bytes(), self._cert_file.read_bytes())])


class _Relay(grpc.GenericRpcHandler):
    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._channels: dict[int, grpc.Channel] = {}
        self._lock = threading.Lock()

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[bytes, bytes]:
        method = str(handler_call_details.method)
        return grpc.stream_stream_rpc_method_handler(lambda requests, context: self._relay(method, requests, context))

    def _channel(self, port: int) -> grpc.Channel:
        with self._lock:
            if port not in self._channels:
                self._channels[port] = grpc.insecure_channel(f"127.0.0.1:{port}", options=_OPTIONS)
            return self._channels[port]

    def _route(self, context: grpc.ServicerContext) -> tuple[int, tuple[tuple[str, str | bytes], ...]]:
        metadata = [(k, v) for k, v in context.invocation_metadata()]
        given = dict(metadata)
        token = given.get(a.INGRESS_TOKEN_HEADER)
        if not isinstance(token, str) or token != self._state.credentials.auth_token:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, f"missing or invalid {a.INGRESS_TOKEN_HEADER}")
        svc, project = str(given.get(a.INGRESS_SERVICE_HEADER, "")), str(given.get(a.INGRESS_PROJECT_HEADER, ""))
        project_match = a.INGRESS_PROJECT_VALUE[self._state.alternatives.project_header].match(project)
        if not (svc.startswith("is-") and svc[3:].isdigit()):
            context.abort(grpc.StatusCode.NOT_FOUND, f"{a.INGRESS_SERVICE_HEADER} must be is-<endpoint id>, got {svc!r}")
        endpoint_id = int(svc[3:])
        try:
            endpoint = self._state.endpoints.get(None, endpoint_id)
        except NotFound:
            endpoint = None
        if endpoint is None or project_match is None or int(project_match.group(1)) != endpoint.project_id:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no endpoint {svc} in project {project!r}")
        assert endpoint is not None
        port = self._state.endpoints.serving_port(endpoint_id, "grpc")
        if port is None:
            context.abort(grpc.StatusCode.UNAVAILABLE, f"endpoint {svc} is {endpoint.status}: no upstream")
        assert port is not None
        return port, tuple((k, v) for k, v in metadata if k not in _ROUTING)

    def _relay(self, method: str, requests: Iterator[bytes], context: grpc.ServicerContext) -> Iterator[bytes]:
        port, metadata = self._route(context)
        relay: grpc.StreamStreamMultiCallable[bytes, bytes] = self._channel(port).stream_stream(method)
        remaining = context.time_remaining()  # about 2**63 when the client set no deadline
        call = relay(requests, metadata=metadata, timeout=remaining if remaining < _NO_DEADLINE else None)
        context.add_callback(lambda: None if call.cancel() else None)
        try:
            yield from call
        except grpc.RpcError as exc:
            code, details = exc.code(), exc.details()
            if code == grpc.StatusCode.UNAVAILABLE:
                details = f"upstream connect error: {details}"
            context.abort(code, details or "")

    def close(self) -> None:
        with self._lock:
            for channel in self._channels.values():
                channel.close()
            self._channels.clear()


class GrpcIngress:
    """The ingress server on `host:port` (0 = any free port)."""

    def __init__(self, state: EmulatorState, ca: TestCa, host: str = "127.0.0.1", port: int = 0) -> None:
        require_loopback(host)
        self._relay = _Relay(state)
        # gRPC servers share a port by default (SO_REUSEPORT): one emulator's ingress must
        # not answer for another's that chose the same port.
        self._server = grpc.server(ThreadPoolExecutor(max_workers=32), handlers=[self._relay],
                                   options=[*_OPTIONS, ("grpc.so_reuseport", 0)])
        try:
            self.port = self._server.add_secure_port(f"{host}:{port}", ca.server_credentials())
        except RuntimeError as exc:  # the port is taken
            raise OSError(f"gRPC ingress: cannot listen on {host}:{port}") from exc
        self.host = host
        self._server.start()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def stop(self) -> None:
        self._server.stop(1.0).wait()
        self._relay.close()
