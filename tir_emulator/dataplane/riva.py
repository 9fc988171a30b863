"""Riva API stand-in (`riva_server --triton_uri=HOST:PORT`): health plus the ASR config call.

It holds no model files: like the split deployment in docs/riva.md §8 it learns everything from
Triton over gRPC. It is SERVING only while that Triton answers ServerReady=true and lists
at least one `<name>-asr-bls-ensemble` model READY. `GetRivaSpeechRecognitionConfig`
returns one entry per such model, `model_name` = `<name>` (as the brief for this emulator
asks; docs/riva.md §9 notes clients may also see the full ensemble name), with `type`
(online/offline) and `language_code` from the ensemble's config parameters.
`Recognize` and `StreamingRecognize` answer UNIMPLEMENTED: there is no ASR in the emulator.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import grpc
from riva.client.proto import riva_asr_pb2 as asr
from riva.client.proto import riva_asr_pb2_grpc as asr_grpc
from tritonclient.grpc import service_pb2 as tpb
from tritonclient.grpc import service_pb2_grpc as tpb_grpc

ENSEMBLE_SUFFIX = "-asr-bls-ensemble"
_RPC_TIMEOUT_S = 2.0
ASR_SERVICE = "nvidia.riva.asr.RivaSpeechRecognition"


@dataclass(frozen=True)
class AsrModel:
    name: str
    parameters: dict[str, str]


@dataclass(frozen=True)
class TritonView:
    """What Riva learned from Triton on one probe."""

    ok: bool
    reason: str
    models: tuple[AsrModel, ...] = ()


class TritonProbe:
    """Asks the configured Triton, over gRPC, whether it can serve ASR.

    `--triton_uri` is TIR's in-cluster name (`is-<id>:9000`): `resolve` turns it into the
    address behind it on every probe, so a redeployed Triton is found again."""

    def __init__(self, triton_uri: str, resolve: Callable[[str], str | None]) -> None:
        self.uri = triton_uri.removeprefix("grpc://")
        self._resolve = resolve
        self._target: str | None = None
        self._channel: grpc.Channel | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._channel is not None:
                self._channel.close()

    def _stub(self) -> tpb_grpc.GRPCInferenceServiceStub | None:
        target = self._resolve(self.uri)
        if target != self._target:
            if self._channel is not None:
                self._channel.close()
            self._target, self._channel = target, None if target is None else grpc.insecure_channel(target)
        return None if self._channel is None else tpb_grpc.GRPCInferenceServiceStub(self._channel)

    def view(self) -> TritonView:
        with self._lock:
            stub = self._stub()
            if stub is None:
                return TritonView(False, f"triton at {self.uri} unreachable (no such endpoint is listening)")
            try:
                return self._view(stub)
            except grpc.RpcError as exc:
                code = exc.code() if isinstance(exc, grpc.Call) else None
                name = code.name if code is not None else "ERROR"
                return TritonView(False, f"triton at {self.uri} unreachable ({name})")

    def _view(self, stub: tpb_grpc.GRPCInferenceServiceStub) -> TritonView:
        ready = stub.ServerReady(tpb.ServerReadyRequest(), timeout=_RPC_TIMEOUT_S)
        if not ready.ready:
            return TritonView(False, f"triton at {self.uri} not ready")
        index = stub.RepositoryIndex(tpb.RepositoryIndexRequest(ready=True),
                                           timeout=_RPC_TIMEOUT_S)
        models: list[AsrModel] = []
        for entry in index.models:
            if entry.state != "READY" or not entry.name.endswith(ENSEMBLE_SUFFIX):
                continue
            config = stub.ModelConfig(tpb.ModelConfigRequest(name=entry.name),
                                            timeout=_RPC_TIMEOUT_S).config
            params = {k: v.string_value for k, v in config.parameters.items()}
            models.append(AsrModel(
                name=entry.name.removesuffix(ENSEMBLE_SUFFIX),
                parameters={"type": params.get("type", "online"),
                            "language_code": params.get("language_code", "en-US"),
                            "streaming": params.get("streaming", "true")},
            ))
        if not models:
            return TritonView(
                False, f"no ASR model (*{ENSEMBLE_SUFFIX}) READY in triton at {self.uri}")
        return TritonView(True, "", tuple(sorted(models, key=lambda m: m.name)))


class RivaAsrService(asr_grpc.RivaSpeechRecognitionServicer):  # type: ignore[misc]
    def __init__(self, probe: TritonProbe) -> None:
        self._probe = probe

    def GetRivaSpeechRecognitionConfig(  # noqa: N802 (gRPC name)
        self, request: asr.RivaSpeechRecognitionConfigRequest, context: grpc.ServicerContext
    ) -> asr.RivaSpeechRecognitionConfigResponse:
        view = self._probe.view()
        configs = [
            asr.RivaSpeechRecognitionConfigResponse.Config(model_name=m.name,
                                                           parameters=m.parameters)
            for m in view.models
            if not request.model_name or request.model_name in (m.name, m.name + ENSEMBLE_SUFFIX)
        ]
        return asr.RivaSpeechRecognitionConfigResponse(model_config=configs)

    def Recognize(self, request: asr.RecognizeRequest,  # noqa: N802
                  context: grpc.ServicerContext) -> asr.RecognizeResponse:
        context.abort(grpc.StatusCode.UNIMPLEMENTED,
                      "the TIR emulator's Riva stand-in does not run speech recognition")
        raise AssertionError("unreachable")

    def StreamingRecognize(  # noqa: N802
        self, request_iterator: Iterator[asr.StreamingRecognizeRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[asr.StreamingRecognizeResponse]:
        context.abort(grpc.StatusCode.UNIMPLEMENTED,
                      "the TIR emulator's Riva stand-in does not run speech recognition")
        raise AssertionError("unreachable")


def register_riva(server: grpc.Server, probe: TritonProbe) -> None:
    asr_grpc.add_RivaSpeechRecognitionServicer_to_server(RivaAsrService(probe), server)
