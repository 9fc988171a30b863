"""Riva API stand-in (`riva_server --triton_uri=HOST:PORT`): health, the ASR config call and
speech recognition.

It holds no model files: like the split deployment in docs/riva.md §8 it learns everything from
Triton over gRPC. It is SERVING only while that Triton answers ServerReady=true and lists
at least one `<name>-asr-bls-ensemble` model READY. `GetRivaSpeechRecognitionConfig`
returns one entry per such model, `model_name` = `<name>` (as the brief for this emulator
asks; docs/riva.md §9 notes clients may also see the full ensemble name), with `type`
(online/offline) and `language_code` from the ensemble's config parameters.

`Recognize` (offline pipelines) and `StreamingRecognize` (online ones) send the audio they
get, as samples and their rate, to the pipeline's `<name>-asr-bls-ensemble` with Triton's
gRPC `ModelInfer`, and return the text Triton's models produce (the emulator's Triton plays
Riva's backends: docs/emulator.md). They work only while Triton serves a pipeline of the
asked type READY; otherwise they fail as Riva does ("Unavailable model requested ...
type=offline"); a failed inference is Riva's INTERNAL error with Triton's message. This
server holds no recognizer of its own.
"""

from __future__ import annotations

import io
import threading
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import grpc
import numpy as np
from riva.client.proto import riva_asr_pb2 as asr
from riva.client.proto import riva_asr_pb2_grpc as asr_grpc
from tritonclient.grpc import service_pb2 as tpb
from tritonclient.grpc import service_pb2_grpc as tpb_grpc

ENSEMBLE_SUFFIX = "-asr-bls-ensemble"
_RPC_TIMEOUT_S = 2.0
_INFER_TIMEOUT_S = 60.0
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


class TritonUnavailable(RuntimeError):
    """The configured Triton does not answer."""


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

    def transcribe(self, model: AsrModel, samples: np.ndarray, rate: int) -> str:
        """One utterance through the pipeline's ensemble (Triton's ModelInfer)."""
        audio = tpb.ModelInferRequest.InferInputTensor(name="AUDIO_SIGNAL", datatype="FP32",
                                                       shape=[1, len(samples)])
        sample_rate = tpb.ModelInferRequest.InferInputTensor(name="SAMPLE_RATE", datatype="UINT32", shape=[1, 1])
        request = tpb.ModelInferRequest(
            model_name=model.name + ENSEMBLE_SUFFIX, inputs=[audio, sample_rate],
            outputs=[tpb.ModelInferRequest.InferRequestedOutputTensor(name="FINAL_TRANSCRIPTS")],
            raw_input_contents=[samples.astype("<f4").tobytes(), np.array([rate], "<u4").tobytes()])
        with self._lock:
            stub = self._stub()
        if stub is None:
            raise TritonUnavailable(f"triton at {self.uri} unreachable (no such endpoint is listening)")
        reply = stub.ModelInfer(request, timeout=_INFER_TIMEOUT_S)
        raw = reply.raw_output_contents[0]  # BYTES: a 4-byte little-endian length, then the text
        return bytes(raw[4:4 + int.from_bytes(raw[:4], "little")]).decode("utf-8")

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
        model = self._pipeline(request.config, "offline", context)
        samples, rate = _samples(request.audio, request.config.sample_rate_hertz, context)
        text = self._transcribe(model, samples, rate, context)
        return asr.RecognizeResponse(results=[asr.SpeechRecognitionResult(
            alternatives=[asr.SpeechRecognitionAlternative(transcript=text, confidence=1.0)],
            channel_tag=1, audio_processed=len(samples) / rate)])

    def StreamingRecognize(  # noqa: N802
        self, request_iterator: Iterator[asr.StreamingRecognizeRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[asr.StreamingRecognizeResponse]:
        """Interim results (when asked) transcribe the audio so far about once a second of
        new audio; the final result transcribes the whole utterance, as Riva's final results
        do."""
        first = next(request_iterator, None)
        if first is None or not first.HasField("streaming_config"):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "the first message must carry streaming_config")
        assert first is not None
        config = first.streaming_config
        model = self._pipeline(config.config, "online", context)
        rate = config.config.sample_rate_hertz
        # NVIDIA's AudioChunkFileIterator sends the file as it is: its first chunk starts
        # with the WAV header, which the whole stream is read with.
        received = bytearray()
        interim_at = 0.0
        for message in request_iterator:
            received += message.audio_content
            if config.interim_results and len(received) > WAV_HEADER:
                samples, actual = _samples(bytes(received), rate, context)
                if len(samples) / actual >= interim_at + INTERIM_EVERY_S:
                    interim_at = len(samples) / actual
                    partial = self._transcribe(model, samples, actual, context)
                    if partial:
                        yield _streaming(partial, final=False, processed=interim_at)
        samples, actual = _samples(bytes(received), rate, context)
        text = self._transcribe(model, samples, actual, context)
        yield _streaming(text, final=True, processed=len(samples) / actual)

    def _transcribe(self, model: AsrModel, samples: np.ndarray, rate: int, context: grpc.ServicerContext) -> str:
        try:
            return self._probe.transcribe(model, samples, rate)
        except TritonUnavailable as exc:
            context.abort(grpc.StatusCode.UNAVAILABLE, f"Triton is not ready: {exc}")
        except grpc.RpcError as exc:
            detail = exc.details() if isinstance(exc, grpc.Call) else str(exc)
            context.abort(grpc.StatusCode.INTERNAL,
                          f"Error: inference failed in Triton for model {model.name}{ENSEMBLE_SUFFIX}: {detail}")
        raise AssertionError("unreachable")

    def _pipeline(self, config: asr.RecognitionConfig, kind: str, context: grpc.ServicerContext) -> AsrModel:
        """The deployed pipeline of `kind` for this request, as Triton serves it now."""
        view = self._probe.view()
        if not view.ok:
            context.abort(grpc.StatusCode.UNAVAILABLE, f"Triton is not ready: {view.reason}")
        language = config.language_code or "en-US"
        for model in view.models:
            if model.parameters.get("type") == kind and model.parameters.get("language_code") == language \
                    and (not config.model or config.model in (model.name, model.name + ENSEMBLE_SUFFIX)):
                return model
        context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                      f"Error: Unavailable model requested given these parameters: language_code={language}; "
                      f"sample_rate={config.sample_rate_hertz}; type={kind};")
        raise AssertionError("unreachable")


SAMPLE_RATE = 16000
WAV_HEADER = 44  # bytes of a canonical PCM WAV header
INTERIM_EVERY_S = 1.0


def _samples(audio: bytes, rate: int, context: grpc.ServicerContext) -> tuple[np.ndarray, int]:
    """Mono samples in [-1, 1] and their rate from a request's audio (a WAV file or raw
    16-bit LINEAR_PCM at `rate`, 16 kHz when unset)."""
    channels = 1
    if audio[:4] == b"RIFF":
        try:
            with wave.open(io.BytesIO(audio)) as wav:
                if wav.getsampwidth() != 2:
                    context.abort(grpc.StatusCode.INVALID_ARGUMENT, "only 16-bit PCM audio is supported")
                rate, channels, audio = wav.getframerate(), wav.getnchannels(), wav.readframes(wav.getnframes())
        except wave.Error as exc:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"unreadable WAV audio: {exc}")
    pcm = np.frombuffer(audio[:len(audio) // (2 * channels) * 2 * channels], "<i2").astype(np.float32)
    return pcm.reshape(-1, channels).mean(axis=1) / 32768.0, rate or SAMPLE_RATE


def _streaming(text: str, final: bool, processed: float) -> asr.StreamingRecognizeResponse:
    return asr.StreamingRecognizeResponse(results=[asr.StreamingRecognitionResult(
        alternatives=[asr.SpeechRecognitionAlternative(transcript=text, confidence=1.0 if final else 0.0)],
        is_final=final, stability=1.0 if final else 0.5, channel_tag=1, audio_processed=processed)])


def register_riva(server: grpc.Server, probe: TritonProbe) -> None:
    asr_grpc.add_RivaSpeechRecognitionServicer_to_server(RivaAsrService(probe), server)
