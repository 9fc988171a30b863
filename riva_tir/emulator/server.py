"""`EmulatorServer`: the whole emulator (API + S3 + SSH machines + data plane) in one object.

Serving uses Werkzeug's threaded server with a request handler that can drop a connection
without answering (the `drop` fault) and never prints request lines (they hold the apikey).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from riva_tir.emulator.app import create_app
from riva_tir.emulator.control_client import EmulatorControl
from riva_tir.emulator.dataplane import DataPlane
from riva_tir.emulator.alternatives import Alternatives
from riva_tir.emulator.faults import FaultPlan
from riva_tir.emulator.lifecycle import Clock, Lifecycle, Speed, SystemClock
from riva_tir.emulator.loopback import free_port, require_loopback
from riva_tir.emulator.machines import MachineHost
from riva_tir.emulator.middleware import DropConnection
from riva_tir.emulator.ingress import GrpcIngress, TestCa
from riva_tir.emulator.objectstore import ObjectStore
from riva_tir.emulator.state import DEFAULT_API_KEY, DEFAULT_AUTH_TOKEN, Credentials, EmulatorState
from riva_tir.emulator.store import Store

SERVER_STATE_FILE = "emulator.json"


class EmulatorRequestHandler(WSGIRequestHandler):
    """Closes the socket for injected drops; stays silent (the request log is the masked record)."""

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        if isinstance(error, DropConnection):
            self.close_connection = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Werkzeug would print the request line, apikey included: never do that."""


class EmulatorServer:
    """Start/stop the emulator on loopback; state lives in ``data_dir`` and survives restarts."""

    def __init__(
        self,
        port: int = 0,
        data_dir: Path | str | None = None,
        speed: Speed = "instant",
        api_key: str | None = None,
        auth_token: str | None = None,
        seed: int = 0,
        *,
        host: str = "127.0.0.1",
        clock: Clock | None = None,
        grpc_port: int = 0,
        alternatives: Alternatives | None = None,
    ) -> None:
        require_loopback(host)
        self._own_dir = data_dir is None
        self.data_dir = Path(tempfile.mkdtemp(prefix="tir-emulator-")) if data_dir is None else Path(data_dir)
        self.host, self._port, self._grpc_port = host, port, grpc_port
        self._ingress: GrpcIngress | None = None
        self.clock: Clock = clock or SystemClock()
        self.credentials = Credentials(api_key or DEFAULT_API_KEY, auth_token or DEFAULT_AUTH_TOKEN)
        self.faults = FaultPlan(seed)
        self.alternatives = alternatives or Alternatives()
        self.lifecycle = Lifecycle(self.clock, speed)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.state: EmulatorState | None = None
        self._cleanup = ExitStack()

    def __repr__(self) -> str:
        return f"EmulatorServer(url={self.url if self._server else None!r}, data_dir={str(self.data_dir)!r})"

    def start(self) -> None:
        """Start S3, the machine host, resume persisted resources, then serve HTTP."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            objectstore = ObjectStore(self.data_dir / "objectstore")
            objectstore.start()
            self._cleanup.callback(objectstore.stop)
            machines = MachineHost(self.data_dir / "machines", alternatives=self.alternatives)
            machines.start()
            self._cleanup.callback(machines.stop)
            dataplane = DataPlane(objectstore, self.data_dir / "dataplane")
            self._cleanup.callback(dataplane.stop_all)
            store = Store(self.data_dir / "tir.sqlite3")
            self._cleanup.callback(store.close)
            self.state = EmulatorState(store, self.lifecycle, objectstore, machines, dataplane, self.credentials,
                                       self.alternatives)
            self.tls = TestCa(self.data_dir / "tls")
            self._ingress = GrpcIngress(self.state, self.tls, self.host, self._choose_port("grpc_port", self._grpc_port))
            self._cleanup.callback(self._ingress.stop)
            app = create_app(self.state, self.clock, self.faults)
            server = make_server(self.host, self._choose_port("port", self._port), app, threaded=True,
                                 request_handler=EmulatorRequestHandler)
            self._cleanup.callback(server.server_close)
            self._server = server
            self.state.public_url = self.url
            (self.data_dir / SERVER_STATE_FILE).write_text(json.dumps({"port": self.port, "grpc_port": self.grpc_port}))
            self.state.resume()
            self._thread = threading.Thread(target=server.serve_forever, name="tir-emulator-http", daemon=True)
            self._thread.start()
            self._cleanup.callback(self._thread.join, 10)
            self._cleanup.callback(server.shutdown)
        except BaseException:
            self.stop()
            raise

    def _choose_port(self, key: str, requested: int) -> int:
        """The requested port, else the last one used with this data dir (stable addresses:
        stacks keep them in their config), else a new one below the kernel's ephemeral range,
        which no outgoing connection takes while the emulator restarts (docs/emulator.md, "Ports")."""
        if requested:
            return requested
        saved = self.data_dir / SERVER_STATE_FILE
        last = json.loads(saved.read_text()).get(key) if saved.exists() else None
        return free_port(self.host, preferred=last if isinstance(last, int) else 0)

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator is not started")
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:8700``; the API root is ``url + /myaccount/api/v1/gpu/``."""
        return f"http://{self.host}:{self.port}"

    @property
    def grpc_port(self) -> int:
        if self._ingress is None:
            raise RuntimeError("emulator is not started")
        return self._ingress.port

    @property
    def grpc_address(self) -> str:
        """The gRPC ingress, `host:port` (TLS with `ca_file`), like `infer-grpc.e2enetworks.net:9000`."""
        return f"{self.host}:{self.grpc_port}"

    @property
    def ca_file(self) -> Path:
        """The test CA that issued the ingress's certificate (PEM)."""
        return self.data_dir / "tls" / "ca.pem"

    @property
    def api_root(self) -> str:
        return f"{self.url}/myaccount/api/v1/gpu/"

    @property
    def control(self) -> EmulatorControl:
        """A client of this emulator's control API (`/_emulator/`)."""
        return EmulatorControl(self.url)

    def stop(self) -> None:
        """Stop serving and the machinery (reverse start order); keep the data dir unless temporary."""
        self._cleanup.close()
        self._server = None
        self._ingress = None
        self._thread = None
        self.state = None
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
