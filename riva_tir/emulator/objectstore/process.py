"""One real MinIO server process on loopback, with root credentials kept in its data dir.

MinIO is a kept S3 server, so buckets, objects and IAM users survive an emulator restart as
long as the same data dir is used. The root credentials are random per data dir and stored
next to the data (mode 0600); they are passed to MinIO through its environment, never on
the command line, and never logged.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from tenacity import Retrying, retry_if_result, stop_after_delay, wait_fixed

_REPO_ROOT = Path(__file__).resolve().parents[3]
_STATE_FILE = "minio.json"
_READY_TIMEOUT_S = 60.0


class MinioNotFound(RuntimeError):
    """No MinIO binary: set RIVA_TIR_MINIO or run scripts/setup (it builds .tools/bin/minio)."""


class MinioFailed(RuntimeError):
    """MinIO exited or did not become ready."""


@dataclass(frozen=True)
class RootCredentials:
    """The MinIO root user; ``repr`` hides the secret."""

    access_key: str
    secret_key: str

    def __repr__(self) -> str:
        return f"RootCredentials(access_key={self.access_key!r}, secret_key='***')"


def find_minio_binary() -> Path:
    """Resolve the MinIO binary: $RIVA_TIR_MINIO, then <repo>/.tools/bin/minio, then PATH."""
    candidates: list[Path] = []
    if env := os.environ.get("RIVA_TIR_MINIO"):
        candidates.append(Path(env))
    candidates.append(_REPO_ROOT / ".tools" / "bin" / "minio")
    if found := shutil.which("minio"):
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise MinioNotFound(
        "MinIO binary not found (looked at $RIVA_TIR_MINIO, .tools/bin/minio and PATH)"
    )


def _free_port(host: str, preferred: int) -> int:
    """Return `preferred` if it can be bound now, else an ephemeral port chosen by the kernel."""
    for candidate in (preferred, 0) if preferred else (0,):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, candidate))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise MinioFailed(f"no free port on {host}")


def _running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return False


def _stop_orphan(pid: object, data_dir: Path) -> None:
    """Terminate a MinIO left running on this data dir by an emulator that died uncleanly.

    Two servers on one data dir would fight over it, and the old one holds the port.
    """
    if not isinstance(pid, int) or pid <= 0:
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return
    if b"server" in cmdline and os.fsencode(data_dir / "data") in cmdline:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        for _ in range(200):
            if not _running(pid):
                return
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _load_state(path: Path) -> dict[str, object]:
    if path.is_file():
        loaded = json.loads(path.read_text())
        if isinstance(loaded, dict):
            return loaded
    return {}


def _save_state(path: Path, state: dict[str, object]) -> None:
    """Write the state file 0600 from the start (no window with wider permissions)."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(state, fh)
    os.replace(tmp, path)


class MinioProcess:
    """Spawns and stops MinIO; remembers root credentials and the last port per data dir."""

    def __init__(self, data_dir: Path, host: str, port: int) -> None:
        self._data_dir = data_dir
        self._host = host
        self._requested_port = port
        self._proc: subprocess.Popen[bytes] | None = None
        self._port = 0
        self._state_path = data_dir / _STATE_FILE
        self._credentials: RootCredentials | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def credentials(self) -> RootCredentials:
        if self._credentials is None:
            raise MinioFailed("MinIO is not started")
        return self._credentials

    def _prepare(self) -> dict[str, object]:
        self._data_dir.mkdir(parents=True, exist_ok=True)
        state = _load_state(self._state_path)
        _stop_orphan(state.get("pid"), self._data_dir)
        if "root_user" not in state or "root_password" not in state:
            state["root_user"] = "root" + secrets.token_hex(8)
            state["root_password"] = secrets.token_urlsafe(30)
        # Prefer the requested port, else the one used last time, so stored endpoint URLs
        # (repositories keep `bucket.endpoint`) stay valid across emulator restarts.
        last = state.get("port")
        preferred = self._requested_port or (last if isinstance(last, int) else 0)
        state["port"] = _free_port(self._host, preferred)
        _save_state(self._state_path, state)
        return state

    def start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        binary = find_minio_binary()
        state = self._prepare()
        self._port = int(str(state["port"]))
        self._credentials = RootCredentials(str(state["root_user"]), str(state["root_password"]))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self._data_dir),
            "MINIO_ROOT_USER": self._credentials.access_key,
            "MINIO_ROOT_PASSWORD": self._credentials.secret_key,
            "MINIO_BROWSER": "off",
            "MINIO_UPDATE": "off",
        }
        log = (self._data_dir / "minio.log").open("ab")
        # --quiet/--anonymous keep the startup banner (which can echo credentials) out of the log.
        self._proc = subprocess.Popen(
            [
                str(binary), "server", "--quiet", "--anonymous",
                "--address", f"{self._host}:{self._port}",
                str(self._data_dir / "data"),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        state["pid"] = self._proc.pid
        _save_state(self._state_path, state)
        self._wait_ready()

    def _ready_once(self) -> bool:
        if self._proc is None or self._proc.poll() is not None:
            raise MinioFailed(f"MinIO exited early; see {self._data_dir / 'minio.log'}")
        try:
            url = f"http://{self._host}:{self._port}/minio/health/ready"
            return requests.get(url, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def _wait_ready(self) -> None:
        retrying = Retrying(
            retry=retry_if_result(lambda ok: not ok),
            stop=stop_after_delay(_READY_TIMEOUT_S),
            wait=wait_fixed(0.2),
            retry_error_callback=lambda _state: False,
        )
        if not retrying(self._ready_once):
            self.stop()
            raise MinioFailed(f"MinIO not ready after {_READY_TIMEOUT_S:.0f}s")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
