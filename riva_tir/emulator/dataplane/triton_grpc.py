"""Triton's `inference.GRPCInferenceService` (protos from `tritonclient`), health and metadata only.

Other RPCs (inference, shared memory, statistics...) keep the generated servicer's
UNIMPLEMENTED answer.
"""

from __future__ import annotations

from collections.abc import Iterable

import grpc
from tritonclient.grpc import model_config_pb2 as mc
from tritonclient.grpc import service_pb2 as pb
from tritonclient.grpc import service_pb2_grpc as pb_grpc

from riva_tir.emulator.dataplane.repository import ModelState, TritonRepository
from riva_tir.emulator.dataplane.triton_http import EXTENSIONS, TRITON_VERSION, datatype


def _tensors(
    items: Iterable[mc.ModelInput] | Iterable[mc.ModelOutput],
) -> list[pb.ModelMetadataResponse.TensorMetadata]:
    return [pb.ModelMetadataResponse.TensorMetadata(
        name=t.name, datatype=datatype(t.data_type), shape=list(t.dims)) for t in items]


class TritonGrpcService(pb_grpc.GRPCInferenceServiceServicer):  # type: ignore[misc]
    def __init__(self, repo: TritonRepository) -> None:
        self._repo = repo

    def _model(self, name: str, context: grpc.ServicerContext) -> ModelState:
        model = self._repo.snapshot().models.get(name)
        if model is None or not model.ready:
            context.abort(grpc.StatusCode.NOT_FOUND,
                          f"Request for unknown model: '{name}' is not found")
        assert model is not None
        return model

    def ServerLive(self, request: pb.ServerLiveRequest,  # noqa: N802 (gRPC name)
                   context: grpc.ServicerContext) -> pb.ServerLiveResponse:
        return pb.ServerLiveResponse(live=True)

    def ServerReady(self, request: pb.ServerReadyRequest,  # noqa: N802
                    context: grpc.ServicerContext) -> pb.ServerReadyResponse:
        return pb.ServerReadyResponse(ready=self._repo.snapshot().ready)

    def ModelReady(self, request: pb.ModelReadyRequest,  # noqa: N802
                   context: grpc.ServicerContext) -> pb.ModelReadyResponse:
        model = self._repo.snapshot().models.get(request.name)
        ok = model is not None and model.ready and request.version in ("", model.version)
        return pb.ModelReadyResponse(ready=ok)

    def ServerMetadata(self, request: pb.ServerMetadataRequest,  # noqa: N802
                       context: grpc.ServicerContext) -> pb.ServerMetadataResponse:
        return pb.ServerMetadataResponse(name="triton", version=TRITON_VERSION,
                                         extensions=EXTENSIONS)

    def ModelMetadata(self, request: pb.ModelMetadataRequest,  # noqa: N802
                      context: grpc.ServicerContext) -> pb.ModelMetadataResponse:
        model = self._model(request.name, context)
        config = model.config
        assert config is not None
        return pb.ModelMetadataResponse(
            name=model.name, versions=[model.version],
            platform=config.platform or config.backend,
            inputs=_tensors(config.input), outputs=_tensors(config.output),
        )

    def ModelConfig(self, request: pb.ModelConfigRequest,  # noqa: N802
                    context: grpc.ServicerContext) -> pb.ModelConfigResponse:
        model = self._model(request.name, context)
        return pb.ModelConfigResponse(config=model.config)

    def RepositoryIndex(self, request: pb.RepositoryIndexRequest,  # noqa: N802
                        context: grpc.ServicerContext) -> pb.RepositoryIndexResponse:
        models = [
            pb.RepositoryIndexResponse.ModelIndex(name=m.name, version=m.version,
                                                  state=m.state, reason=m.reason)
            for m in self._repo.snapshot().models.values()
            if m.ready or not request.ready
        ]
        return pb.RepositoryIndexResponse(models=models)


def register_triton(server: grpc.Server, repo: TritonRepository) -> None:
    pb_grpc.add_GRPCInferenceServiceServicer_to_server(TritonGrpcService(repo), server)
