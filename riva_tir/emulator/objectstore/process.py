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
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from riva_tir.emulator.loopback import free_port, listening_ports

_REPO_ROOT = Path(__file__).resolve().parents[3]
_STATE_FILE = "minio.json"
_READY_TIMEOUT_S = 60.0
_READY_POLL_S = 0.2
# MinIO ends when its port is taken between its choice and MinIO's bind; a port chosen by
# the emulator (none requested) is chosen again this many times.
_PORT_ATTEMPTS = 3
_LOG_TAIL_LINES = 5


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
        self._log_start = 0

    @property
    def port(self) -> int:
        return self._port

    @property
    def credentials(self) -> RootCredentials:
        if self._credentials is None:
            raise MinioFailed("MinIO is not started")
        return self._credentials

    def _prepare(self, fresh_port: bool) -> dict[str, object]:
        self._data_dir.mkdir(parents=True, exist_ok=True)
        state = _load_state(self._state_path)
        _stop_orphan(state.get("pid"), self._data_dir)
        if "root_user" not in state or "root_password" not in state:
            state["root_user"] = "root" + secrets.token_hex(8)
            state["root_password"] = secrets.token_urlsafe(30)
        # Prefer the requested port, else the one used last time, so stored endpoint URLs
        # (repositories keep `bucket.endpoint`) stay valid across emulator restarts.
        last = state.get("port")
        preferred = self._requested_port or (last if isinstance(last, int) and not fresh_port else 0)
        state["port"] = free_port(self._host, preferred)
        _save_state(self._state_path, state)
        return state

    def start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        binary = find_minio_binary()
        attempts = 1 if self._requested_port else _PORT_ATTEMPTS
        for attempt in range(attempts):
            if self._wait_ready(self._launch(binary, self._prepare(fresh_port=attempt > 0))):
                return
        raise MinioFailed(f"MinIO exited before it listened, {attempts} times; {self._log_tail()}")

    def _launch(self, binary: Path, state: dict[str, object]) -> subprocess.Popen[bytes]:
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
        log = self._log.open("ab")
        self._log_start = log.tell()
        # --quiet/--anonymous keep the startup banner (which can echo credentials) out of the log.
        self._proc = proc = subprocess.Popen(
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
        state["pid"] = proc.pid
        _save_state(self._state_path, state)
        return proc

    @property
    def _log(self) -> Path:
        return self._data_dir / "minio.log"

    def _log_tail(self) -> str:
        """The last lines this launch wrote (the log file keeps every launch's)."""
        try:
            with self._log.open("rb") as log:
                log.seek(self._log_start)
                text = log.read().decode(errors="replace")
        except OSError:
            text = ""
        lines = [line for line in text.splitlines() if line.strip()]
        return f"its last lines in {self._log}: " + (" | ".join(lines[-_LOG_TAIL_LINES:]) or "none")

    def _health(self) -> str:
        """Why MinIO cannot take requests yet, or "" once it can. Its `/minio/health/ready`
        answers 200 before it has loaded its drives and users (S3 calls then fail with
        XMinioServerNotInitialized); `/minio/health/cluster` answers 200 only after
        (docs/emulator.md, "Model repositories")."""
        try:
            answer = requests.get(f"http://{self._host}:{self._port}/minio/health/cluster", timeout=2)
        except requests.RequestException as exc:
            return f"no answer from /minio/health/cluster ({type(exc).__name__})"
        if answer.status_code == 200:
            return ""
        status = answer.headers.get("x-minio-server-status", "")
        return f"/minio/health/cluster answered {answer.status_code}" + (f" ({status})" if status else "")

    def _wait_ready(self, proc: subprocess.Popen[bytes]) -> bool:
        """Waits until `proc` listens on its port and takes requests: True then, False when
        it ended before it listened, as it does when its port was taken since it was chosen
        ("Specified port is already in use", or a failed listen after that check)."""
        deadline = time.monotonic() + _READY_TIMEOUT_S
        why = "not started"
        listened = False
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                if not listened and not self._requested_port:
                    return False
                raise MinioFailed(f"MinIO exited with status {proc.returncode}; {self._log_tail()}")
            if self._port not in listening_ports(proc.pid):
                why = f"not listening on port {self._port}"
            else:
                listened = True
                if not (why := self._health()):
                    return True
            time.sleep(_READY_POLL_S)
        self.stop()
        raise MinioFailed(f"MinIO not ready after {_READY_TIMEOUT_S:.0f}s: {why}; {self._log_tail()}")

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
