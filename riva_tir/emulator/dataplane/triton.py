"""A Triton endpoint's replica: the real `tritonserver` (nvidia-pytriton's 2.51 build, installed
by scripts/setup into .tools/triton-venv), run with the command and arguments of the endpoint's
container over the model path as TIR mounts it.

What the emulator does in place of the container runtime, and nothing more:
- the model path (bucket prefix) is downloaded into the replica's own folder before the server
  starts, as TIR's model download does, and the container's mount path (`/mnt/models`) in its
  arguments and environment (`LD_PRELOAD`) is that folder;
- the container ports of `--http-port`, `--grpc-port` and `--metrics-port` (Triton's defaults
  when absent) are published on free loopback ports, and the servers listen on loopback only;
- the image decides the backend directory: Riva's backends only in riva-speech images
  (docs/riva.md §6), played by Python-based backends (riva_tir/emulator/triton/backends/).
Everything Triton answers, it answers itself; a flag it rejects ends the replica.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from riva_tir.emulator.loopback import free_port, listening_ports
from riva_tir.emulator.objectstore import BucketNotFound, ObjectStore

_REPO_ROOT = Path(__file__).resolve().parents[3]
_BACKENDS = Path(__file__).resolve().parents[1] / "triton" / "backends"
# Riva's own backends (riva_tir/emulator/riva_tools/triton_layout.py names them in configs).
RIVA_BACKENDS = ("riva_asr_bls", "riva_asr_decoder", "riva_nlp_punctuation", "riva_tts_bls", "riva_tts_preprocessor",
                 "riva_tts_chunker", "riva_tts_postprocessor")
STOCK_BACKENDS = ("python", "tensorrt", "onnxruntime")
# Triton's own default ports, for a port flag the command line leaves out.
PORT_FLAGS = {"--http-port": 8000, "--grpc-port": 8001, "--metrics-port": 8002}
ADDRESS_FLAGS = ("--http-address", "--grpc-address", "--metrics-address")
# The flag that turns each port's service off (a boolean option of tritonserver).
SERVICE_FLAGS = {"--http-port": "--allow-http", "--grpc-port": "--allow-grpc", "--metrics-port": "--allow-metrics"}
_STOP_GRACE_S = 10.0
_BIND_ATTEMPTS = 3
_PROBE_TIMEOUT_S = 2.0
_LISTEN_POLL_S = 0.1


class TritonNotFound(RuntimeError):
    """No Triton installation: run scripts/setup (it installs .tools/triton-venv)."""


@dataclass(frozen=True)
class TritonInstall:
    venv: Path
    server: Path  # pytriton's tritonserver folder: bin/, backends/python/

    @property
    def binary(self) -> Path:
        return self.server / "bin" / "tritonserver"

    @property
    def libraries(self) -> Path:
        return self.server.parents[1] / "nvidia_pytriton.libs"


def find_triton() -> TritonInstall:
    """$RIVA_TIR_TRITON_VENV, else <repo>/.tools/triton-venv."""
    venv = Path(os.environ.get("RIVA_TIR_TRITON_VENV") or _REPO_ROOT / ".tools" / "triton-venv")
    for server in sorted(venv.glob("lib/python3*/site-packages/pytriton/tritonserver")):
        install = TritonInstall(venv, server)
        if install.binary.is_file() and (server / "backends" / "python" / "triton_python_backend_stub").is_file():
            return install
    raise TritonNotFound(f"no tritonserver with its Python backend stub in {venv}: run scripts/setup")


def backend_directory(install: TritonInstall, root: Path, riva_image: bool) -> Path:
    """The image's backend directory (built once per data plane, shared by its replicas)."""
    folder = root / ("riva-speech" if riva_image else "stock")
    if not folder.is_dir():
        staging = root / f".{folder.name}-{os.getpid()}-{threading.get_ident()}"
        staging.mkdir(parents=True)
        (staging / "python").symlink_to(install.server / "backends" / "python")
        for name in (*STOCK_BACKENDS[1:], *(RIVA_BACKENDS if riva_image else ())):
            (staging / name).symlink_to(_BACKENDS / name)
        try:
            staging.rename(folder)
        except OSError:  # another thread built it first
            shutil.rmtree(staging)
    return folder


def _mapped(value: str, mount_path: str, local: Path) -> str:
    """`value` with the container's mount path (as a path of its own) replaced by `local`."""
    mount = re.escape(mount_path.rstrip("/"))
    return re.sub(rf"(?<![^\s=:]){mount}(?=/|$|[\s:])", str(local), value)


def _chosen(published: dict[str, tuple[int, int]]) -> set[int]:
    return {port for _, port in published.values()}


def command_line(argv: list[str], mount_path: str, local: Path,
                 host: str) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """The container's command line as it runs here, and its published ports (flag ->
    (container port, loopback port)). Anything else reaches tritonserver untouched."""
    published: dict[str, tuple[int, int]] = {}
    out: list[str] = []
    for token in argv:
        flag, eq, value = token.partition("=")
        if eq and flag in PORT_FLAGS and value.isdigit():
            published[flag] = (int(value), free_port(host, avoid=_chosen(published)))
            token = f"{flag}={published[flag][1]}"
        out.append(_mapped(token, mount_path, local))
    for flag, default in PORT_FLAGS.items():
        if flag not in published:
            published[flag] = (default, free_port(host, avoid=_chosen(published)))
            out.append(f"{flag}={published[flag][1]}")
    return out + [f"{flag}={host}" for flag in ADDRESS_FLAGS], published


@dataclass(frozen=True)
class ReplicaState:
    ready: bool
    reason: str
    models: list[str]
    crashed: bool = False


class TritonReplica:
    """One replica: download the model path, then run tritonserver until stopped."""

    def __init__(self, store: ObjectStore, bucket: str, prefix: str, argv: list[str], env: dict[str, str],
                 mount_path: str, backends: Path, folder: Path, host: str) -> None:
        if not argv or Path(argv[0]).name != "tritonserver":
            raise ValueError(f"the container's command must run tritonserver, not {argv[:1]}")
        self._install = find_triton()
        self._store, self._bucket, self._prefix = store, bucket, prefix.strip("/")
        self._folder = folder
        self._mount_path, self._host = mount_path, host
        self._backends = backends
        self._env = {key: _mapped(value, mount_path, folder / "models") for key, value in env.items()}
        self._args = argv[1:]
        self.ports: dict[int, int] = {}  # published once the server runs (container -> loopback)
        self._http = ""
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._starting = True
        self._problem = ""
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=f"triton-{folder.name}", daemon=True)
        self._thread.start()

    @property
    def log(self) -> Path:
        return self._folder / "tritonserver.log"

    def _download(self) -> None:
        """TIR's model download: every object under the model path, into the mounted folder."""
        models = self._folder / "models"
        models.mkdir(parents=True)
        prefix = f"{self._prefix}/" if self._prefix else ""
        for key in self._store.list_objects(self._bucket, prefix):
            relative = key[len(prefix):]
            if not relative or relative.endswith("/"):
                continue
            target = models / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            self._store.download(self._bucket, key, target)

    def _environment(self) -> dict[str, str]:
        """The container's environment; the server's own libraries and Python (the backend
        stub embeds the first `python` on PATH) come with the image."""
        base = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "TMPDIR", "USER")}
        return {**base, **self._env,
                "PATH": f"{self._install.venv / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
                "LD_LIBRARY_PATH": str(self._install.libraries)}

    def _run(self) -> None:
        try:
            self._download()
        except BucketNotFound as exc:
            self._problem = f"model download failed: bucket '{exc}' does not exist"
            return
        except Exception as exc:  # noqa: BLE001 - the init container fails with whatever it was
            self._problem = f"model download failed: {exc}"
            return
        # A free port can be taken between choosing it and the server binding it: choose again.
        for _ in range(_BIND_ATTEMPTS):
            launched = self._launch()
            if launched is None or not self._lost_a_port(*launched):
                break
        self._starting = False

    def _launch(self) -> tuple[subprocess.Popen[bytes], set[int]] | None:
        """The server started, and the loopback ports it is to listen on."""
        with self._lock:
            if self._stopped:
                return None
            args, published = command_line(self._args, self._mount_path, self._folder / "models", self._host)
            with self.log.open("wb") as log:
                self._process = subprocess.Popen(
                    [str(self._install.binary), f"--backend-directory={self._backends}", *args],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=self._environment(),
                    cwd=self._folder, start_new_session=True)
            self._http = f"http://{self._host}:{published['--http-port'][1]}"
            self.ports = dict(published.values())
            return self._process, _serving_ports(args, published)

    def _lost_a_port(self, process: subprocess.Popen[bytes], ports: set[int]) -> bool:
        """Waits until the server listens on all of `ports`, or exits; True when it exited
        over a port taken since it was chosen. Triton loads its models, then binds its gRPC,
        HTTP and metrics ports in turn, and ends when one is taken ("failed to start Metrics
        service: ... already in use"): until it holds them all, it is not ready, though it
        may already answer over HTTP."""
        while process.poll() is None:
            if ports <= listening_ports(process.pid):
                return False
            time.sleep(_LISTEN_POLL_S)
        return "already in use" in self.log.read_text(errors="replace")

    def _exit_reason(self, code: int) -> str:
        lines = [line for line in self.log.read_text(errors="replace").splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith(("E", "error", "Error"))] or lines
        failed_model = next((line for line in lines if "failed to load '" in line and "version" in line), "")
        last = errors[-1] if errors else "no output"
        return f"tritonserver exited with status {code}: {last}" + (f"; {failed_model}" if failed_model else "")

    def state(self) -> ReplicaState:
        """Triton's own answer over its HTTP API (KServe v2), or why there is none."""
        if self._problem:
            return ReplicaState(False, self._problem, [], crashed=True)
        process = self._process
        if process is None:
            return ReplicaState(False, "downloading the model path", [])
        if self._starting:
            return ReplicaState(False, "tritonserver is starting", [])
        code = process.poll()
        if code is not None:
            return ReplicaState(False, self._exit_reason(code), [], crashed=True)
        try:
            ready = requests.get(f"{self._http}/v2/health/ready", timeout=_PROBE_TIMEOUT_S).status_code == 200
            index = requests.post(f"{self._http}/v2/repository/index", timeout=_PROBE_TIMEOUT_S).json()
        except (requests.RequestException, ValueError):
            return ReplicaState(False, "tritonserver is starting", [])
        if not isinstance(index, list):  # {"error": "Server not ready"} while it loads its models
            return ReplicaState(False, f"tritonserver: {index.get('error', index) if isinstance(index, dict) else index}",
                                [])
        models = sorted(m["name"] for m in index if m.get("state") == "READY")
        broken = [m for m in index if m.get("state") != "READY"]
        reason = "" if ready else (
            f"model '{broken[0]['name']}' is {broken[0].get('state') or 'not loaded'}: {broken[0].get('reason', '')}"
            if broken else "tritonserver is not ready")
        return ReplicaState(ready, reason.strip(), models)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            process = self._process
        if process is not None:  # the server and its backend stubs (one session)
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(_STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                pass
            # Stubs ignore SIGTERM and outlive a server that exited on its own (a model failed
            # to load): whatever is left of the session goes.
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
        self._thread.join(_STOP_GRACE_S)
        shutil.rmtree(self._folder, ignore_errors=True)


def _serving_ports(args: list[str], published: dict[str, tuple[int, int]]) -> set[int]:
    """The loopback ports of the services the command line leaves on."""
    off = {flag for flag, _, value in (token.partition("=") for token in args)
           if value.strip().lower() in ("false", "off", "0")}
    return {loopback for flag, (_, loopback) in published.items() if SERVICE_FLAGS[flag] not in off}


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass
