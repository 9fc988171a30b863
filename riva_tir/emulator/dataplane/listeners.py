"""HTTP (Werkzeug) and gRPC listeners on loopback that try a requested port first.

Reusing the requested port keeps endpoint addresses stable across stop/start and emulator
restarts; if it is taken, a fresh port is used and reported. gRPC's SO_REUSEPORT is turned
off so two listeners in one process can never share a port silently.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import overload

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

WSGIApp = Callable[..., object]


def _listen(host: str, port: int) -> socket.socket | None:
    """A listening socket on host:port, or None when that port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        return None
    return sock


class _QuietHandler(WSGIRequestHandler):
    """No per-request access log lines (health probes would flood the emulator's output)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class HttpListener:
    """A threaded Werkzeug server running in a daemon thread."""

    def __init__(self, app: WSGIApp, host: str, port: int | None, name: str) -> None:
        # Bind ourselves: werkzeug's make_server exits the process when a port is taken.
        sock = _listen(host, port) if port else None
        sock = sock or _listen(host, 0)
        assert sock is not None
        self._server = make_server(host, sock.getsockname()[1], app,  # type: ignore[arg-type]
                                   threaded=True, request_handler=_QuietHandler,
                                   fd=sock.fileno())
        sock.close()  # the server holds its own duplicate of the descriptor
        self._thread = threading.Thread(target=self._server.serve_forever, name=name, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def start_grpc(host: str, port: int | None,
               register: Callable[[grpc.Server], None]) -> tuple[grpc.Server, int]:
    """Build, register services on, bind and start a gRPC server; returns it and its port."""
    server = grpc.server(ThreadPoolExecutor(max_workers=8), options=[("grpc.so_reuseport", 0)])
    register(server)
    bound = 0
    if port:
        try:
            bound = server.add_insecure_port(f"{host}:{port}")
        except RuntimeError:
            bound = 0
    if not bound:
        bound = server.add_insecure_port(f"{host}:0")
    server.start()
    return server, bound


class DynamicHealth(health.HealthServicer):
    """`grpc.health.v1.Health` whose status is re-evaluated on every Check/Watch."""

    def __init__(self, is_serving: Callable[[], bool], services: tuple[str, ...]) -> None:
        super().__init__()
        self._is_serving = is_serving
        self._services = ("",) + services

    def add_to(self, server: grpc.Server) -> None:
        health_pb2_grpc.add_HealthServicer_to_server(self, server)

    def _refresh(self) -> None:
        status = (health_pb2.HealthCheckResponse.SERVING if self._is_serving()
                  else health_pb2.HealthCheckResponse.NOT_SERVING)
        for service in self._services:
            self.set(service, status)

    def Check(self, request: health_pb2.HealthCheckRequest,  # noqa: N802 (gRPC name)
              context: grpc.ServicerContext) -> health_pb2.HealthCheckResponse:
        self._refresh()
        return super().Check(request, context)

    @overload
    def Watch(self, request: health_pb2.HealthCheckRequest,  # noqa: N802 (gRPC name)
              context: grpc.ServicerContext,
              send_response_callback: None = None) -> health._Watcher: ...

    @overload
    def Watch(self, request: health_pb2.HealthCheckRequest,  # noqa: N802 (gRPC name)
              context: grpc.ServicerContext,
              send_response_callback: Callable[..., object]) -> None: ...

    def Watch(self, request: health_pb2.HealthCheckRequest,  # noqa: N802 (gRPC name)
              context: grpc.ServicerContext,
              send_response_callback: Callable[..., object] | None = None,
              ) -> health._Watcher | None:
        self._refresh()
        if send_response_callback is None:
            return super().Watch(request, context)  # a blocking response generator
        super().Watch(request, context, send_response_callback)
        return None


@Request.application
def generic_app(request: Request) -> Response:
    """Any other custom container: 200 on `/` and `/health`, 404 elsewhere."""
    if request.path in {"/", "/health"}:
        return Response('{"status": "ok"}', status=200, mimetype="application/json")
    return Response('{"error": "not found"}', status=404, mimetype="application/json")
