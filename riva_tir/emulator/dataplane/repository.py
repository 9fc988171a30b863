"""A Triton model repository read from a bucket prefix, judged the way Triton loads it.

A model is a directory `<model>/` under the prefix with a `config.pbtxt` (parsed with
Triton's own ModelConfig protobuf) and at least one numeric version directory. It is READY
when the config parses, its `name` (if set) matches the directory, it names a backend or
platform that the server's image carries (Riva's backends ship only in riva-speech images:
docs/riva.md §6), every TensorRT plugin its config names (`parameters["trt_plugins"]`,
riva_tir/emulator/riva_tools/triton_layout.py) was preloaded, and, for `tensorrt_plan`, the
version holds the plan file. A plugin is preloaded when the container's `LD_PRELOAD` names
it under the mount path and that file is at the repository's root (docs/riva.md §6); other
files at the root are no models, as in Triton. The repository is ready
when it has at least one model and every model is READY (Triton's strict readiness).
Until then each `snapshot()` reloads from S3 (at most every RELOAD_INTERVAL_S), standing in
for the files appearing while Triton polls.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

from riva_tir.emulator.objectstore import BucketNotFound, ObjectStore
from riva_tir.emulator.riva_tools.triton_layout import TRT_PLUGINS

READY = "READY"
UNAVAILABLE = "UNAVAILABLE"
RELOAD_INTERVAL_S = 0.5


@dataclass(frozen=True)
class ModelState:
    name: str
    version: str
    state: str
    reason: str
    config: mc.ModelConfig | None = None

    @property
    def ready(self) -> bool:
        return self.state == READY


@dataclass(frozen=True)
class RepositorySnapshot:
    models: dict[str, ModelState] = field(default_factory=dict)
    problem: str = ""  # why nothing could be listed (bucket missing, empty prefix)

    @property
    def ready(self) -> bool:
        return bool(self.models) and all(m.ready for m in self.models.values())

    @property
    def ready_models(self) -> list[str]:
        return sorted(name for name, m in self.models.items() if m.ready)

    def reason(self, where: str) -> str:
        if self.problem:
            return self.problem
        broken = [m for m in self.models.values() if not m.ready]
        if broken:
            return f"model '{broken[0].name}' is UNAVAILABLE: {broken[0].reason}"
        return "" if self.models else f"no Triton model repository at {where}"


# Backends of TIR's stock Triton images and what riva-speech images add (docs/riva.md §6;
# ASSUMPTION: the stock set beyond Riva's three is Triton's usual one).
STOCK_BACKENDS = frozenset({"python", "tensorrt", "onnxruntime", "pytorch", "tensorflow", "openvino", "fil",
                            "identity", "dali"})
RIVA_BACKENDS = STOCK_BACKENDS | {"riva_asr_decoder", "riva_asr_endpointing", "riva_nlp_detokenizer"}


def _judge(name: str, files: set[str], config_text: str | None, backends: frozenset[str],
           preloaded: frozenset[str] = frozenset()) -> ModelState:
    tops = {f.split("/", 1)[0] for f in files if "/" in f}
    versions = sorted((top for top in tops if top.isdigit()), key=int)
    version = versions[-1] if versions else ""
    if config_text is None:
        return ModelState(name, version, UNAVAILABLE, "missing config.pbtxt")
    config = mc.ModelConfig()
    try:
        text_format.Parse(config_text, config)
    except text_format.ParseError as exc:
        return ModelState(name, version, UNAVAILABLE, f"failed to parse config.pbtxt: {exc}")
    if config.name and config.name != name:
        return ModelState(name, version, UNAVAILABLE,
                          f"unexpected 'name' '{config.name}' in config.pbtxt, expecting '{name}'")
    config.name = name
    if not (config.backend or config.platform):
        return ModelState(name, version, UNAVAILABLE,
                          "config.pbtxt must specify 'backend' or 'platform'")
    if config.backend and config.backend not in backends:
        return ModelState(name, version, UNAVAILABLE,
                          f"unable to find backend library for backend '{config.backend}', "
                          "try specifying runtime on the model configuration.")
    if not versions:
        return ModelState(name, version, UNAVAILABLE,
                          "at least one version must be available under the version policy")
    needed = config.parameters[TRT_PLUGINS].string_value if TRT_PLUGINS in config.parameters else ""
    missing = [p for p in needed.split(",") if p and p not in preloaded]
    if missing:
        # What TensorRT says when an engine's plugin library was not loaded into Triton.
        return ModelState(name, version, UNAVAILABLE,
                          f"unable to deserialize the TensorRT engine: plugin library '{missing[0]}' not found "
                          "(IPluginCreator not found in Plugin Registry: undefined symbol); "
                          "preload it with LD_PRELOAD", config)
    if config.platform == "tensorrt_plan":
        plan = config.default_model_filename or "model.plan"
        if f"{version}/{plan}" not in files:
            return ModelState(name, version, UNAVAILABLE,
                              f"unable to find '{plan}' in version {version}", config)
    return ModelState(name, version, READY, "", config)


class TritonRepository:
    """Loads and caches the repository state for one Triton stand-in."""

    def __init__(self, store: ObjectStore, bucket: str, prefix: str,
                 backends: frozenset[str] = RIVA_BACKENDS, preload: tuple[str, ...] = (),
                 mount_path: str = "/mnt/models") -> None:
        self._store = store
        self._backends = backends
        # LD_PRELOAD entries in the repository's root: the file names the loader would open.
        mount = mount_path.rstrip("/")
        self._preload = frozenset(p.rpartition("/")[2] for p in preload if p.rpartition("/")[0] == mount)
        self._bucket = bucket
        cleaned = prefix.strip("/")
        self._prefix = f"{cleaned}/" if cleaned else ""
        self._lock = threading.Lock()
        self._snapshot = RepositorySnapshot(problem="not loaded yet")
        self._loaded_at = 0.0

    @property
    def location(self) -> str:
        return f"{self._bucket}/{self._prefix}"

    def _load(self) -> RepositorySnapshot:
        try:
            keys = self._store.list_objects(self._bucket, self._prefix)
        except BucketNotFound:
            return RepositorySnapshot(problem=f"bucket '{self._bucket}' does not exist")
        per_model: dict[str, set[str]] = {}
        root: set[str] = set()
        for key in keys:
            model, sep, rest = key[len(self._prefix):].partition("/")
            if sep and model:
                per_model.setdefault(model, set()).add(rest)
            elif model:
                root.add(model)
        preloaded = self._preload & root  # a missing file is skipped by the loader
        models: dict[str, ModelState] = {}
        for name, files in sorted(per_model.items()):
            text: str | None = None
            if "config.pbtxt" in files:
                try:
                    raw = self._store.get_object(self._bucket, f"{self._prefix}{name}/config.pbtxt")
                    text = raw.decode("utf-8", errors="replace")
                except (KeyError, BucketNotFound):
                    text = None
            models[name] = _judge(name, files, text, self._backends, preloaded)
        return RepositorySnapshot(models=models)

    def snapshot(self, force: bool = False) -> RepositorySnapshot:
        """Current state; reloads from S3 while not ready (`force` skips the rate limit)."""
        with self._lock:
            stale = force or time.monotonic() - self._loaded_at >= RELOAD_INTERVAL_S
            if not self._snapshot.ready and stale:
                self._snapshot = self._load()
                self._loaded_at = time.monotonic()
            return self._snapshot
