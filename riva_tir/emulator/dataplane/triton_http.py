"""Triton's HTTP/REST (KServe v2) surface for health, metadata and the repository index.

Inference is not emulated: `/infer` answers 400 with a clear error. Not-ready answers use
HTTP 400 with `{"error": ...}`, as Triton does.
"""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from google.protobuf import json_format
from tritonclient.grpc import model_config_pb2 as mc

from riva_tir.emulator.dataplane.repository import ModelState, TritonRepository

# ASSUMPTION: riva-speech 2.19.0 bundles a Triton of the 24.x line; the exact server version
# string is not documented in our sources.
TRITON_VERSION = "2.53.0"
EXTENSIONS = ["classification", "sequence", "model_repository", "schedule_policy",
              "model_configuration", "system_shared_memory", "binary_tensor_data", "statistics"]


def datatype(dtype: int) -> str:
    """`TYPE_FP32` → `FP32` (the v2 protocol's datatype names; STRING is BYTES)."""
    name = str(mc.DataType.Name(dtype)).removeprefix("TYPE_")
    return "BYTES" if name == "STRING" else name


def model_metadata(model: ModelState) -> dict[str, object]:
    config = model.config or mc.ModelConfig()
    return {
        "name": model.name,
        "versions": [model.version] if model.version else [],
        "platform": config.platform or config.backend,
        "inputs": [{"name": t.name, "datatype": datatype(t.data_type), "shape": list(t.dims)}
                   for t in config.input],
        "outputs": [{"name": t.name, "datatype": datatype(t.data_type), "shape": list(t.dims)}
                    for t in config.output],
    }


def create_triton_app(repo: TritonRepository) -> Flask:
    app = Flask("triton-standin")

    def error(message: str, status: int = 400) -> ResponseReturnValue:
        return jsonify({"error": message}), status

    def ready_model(name: str) -> ModelState | None:
        model = repo.snapshot().models.get(name)
        return model if model is not None and model.ready else None

    @app.get("/v2/health/live")
    def live() -> ResponseReturnValue:
        return "", 200

    @app.get("/v2/health/ready")
    def ready() -> ResponseReturnValue:
        return ("", 200) if repo.snapshot().ready else ("", 400)

    @app.get("/v2")
    def server_metadata() -> ResponseReturnValue:
        return jsonify({"name": "triton", "version": TRITON_VERSION, "extensions": EXTENSIONS})

    @app.post("/v2/repository/index")
    def repository_index() -> ResponseReturnValue:
        body = request.get_json(silent=True) or {}
        only_ready = bool(body.get("ready")) if isinstance(body, dict) else False
        entries = []
        for model in repo.snapshot().models.values():
            if only_ready and not model.ready:
                continue
            entry = {"name": model.name, "version": model.version, "state": model.state}
            if model.reason:
                entry["reason"] = model.reason
            entries.append(entry)
        return jsonify(entries)

    @app.get("/v2/models/<name>")
    @app.get("/v2/models/<name>/versions/<version>")
    def metadata(name: str, version: str = "") -> ResponseReturnValue:
        model = ready_model(name)
        if model is None or (version and version != model.version):
            return error(f"Request for unknown model: '{name}' is not found")
        return jsonify(model_metadata(model))

    @app.get("/v2/models/<name>/ready")
    @app.get("/v2/models/<name>/versions/<version>/ready")
    def model_ready(name: str, version: str = "") -> ResponseReturnValue:
        model = ready_model(name)
        ok = model is not None and (not version or version == model.version)
        return ("", 200) if ok else ("", 400)

    @app.get("/v2/models/<name>/config")
    @app.get("/v2/models/<name>/versions/<version>/config")
    def model_config(name: str, version: str = "") -> ResponseReturnValue:
        model = ready_model(name)
        if model is None or model.config is None:
            return error(f"Request for unknown model: '{name}' is not found")
        return jsonify(json_format.MessageToDict(model.config, preserving_proto_field_name=True))

    @app.post("/v2/models/<name>/infer")
    @app.post("/v2/models/<name>/versions/<version>/infer")
    def infer(name: str, version: str = "") -> ResponseReturnValue:
        return error(f"inference is not emulated (model '{name}')")

    return app
