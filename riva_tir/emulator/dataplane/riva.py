"""Riva API stand-in (`riva_server --triton_uri=HOST:PORT`): health, the ASR config call and
speech recognition.

It holds no model files: like the split deployment in docs/riva.md §8 it learns everything from
Triton over gRPC. It is SERVING only while that Triton answers ServerReady=true and lists
at least one `<name>-asr-bls-ensemble` model READY. `GetRivaSpeechRecognitionConfig`
returns one entry per such model, `model_name` = `<name>` (as the brief for this emulator
asks; docs/riva.md §9 notes clients may also see the full ensemble name), with `type`
(online/offline) and `language_code` from the ensemble's config parameters.

`Recognize` (offline pipelines) and `StreamingRecognize` (online ones) really recognize the
audio they get, with pocketsphinx and the en-US model its wheel ships: no canned text. They
work only while Triton serves a pipeline of the asked type READY; otherwise they fail as
Riva does ("Unavailable model requested ... type=offline"). docs/emulator.md gives the
recognizer's measured word error rate.

ASSUMPTION (docs/riva.md §11.3 says only that a wrong `ms_per_timestep` garbles the text):
a pipeline built with `ms_per_timestep` M for an acoustic model whose frames last N ms
places every frame M/N times as far apart as it is, so the stand-in recognizes the audio
resampled to M/N of its length (twice as fast for 40 on Parakeet's 80): garbled, not canned.
"""

from __future__ import annotations

import io
import threading
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import numpy as np
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
    time_scale: float = 1.0  # the pipeline's frame duration over the model's (module docstring)


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
                time_scale=_time_scale(params),
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
        pcm = _pcm16k(request.audio, request.config.sample_rate_hertz, context)
        with _RECOGNIZER:
            text = _RECOGNIZER.recognize(_rescale(pcm, model.time_scale))
        return asr.RecognizeResponse(results=[asr.SpeechRecognitionResult(
            alternatives=[asr.SpeechRecognitionAlternative(transcript=text, confidence=1.0)],
            channel_tag=1, audio_processed=len(pcm) / 2 / SAMPLE_RATE)])

    def StreamingRecognize(  # noqa: N802
        self, request_iterator: Iterator[asr.StreamingRecognizeRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[asr.StreamingRecognizeResponse]:
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
        with _INTERIM:
            _INTERIM.start()
            for message in request_iterator:
                received += message.audio_content
                if config.interim_results and len(received) > WAV_HEADER:
                    partial = _INTERIM.feed(_rescale(
                        _pcm16k(bytes(received), rate, context)[-len(message.audio_content):], model.time_scale))
                    if partial:
                        yield _streaming(partial, final=False, processed=len(received) / 2 / SAMPLE_RATE)
            _INTERIM.finish()
        audio = _pcm16k(bytes(received), rate, context)
        # The final result decodes the whole utterance, as Riva's final results do.
        with _RECOGNIZER:
            text = _RECOGNIZER.recognize(_rescale(audio, model.time_scale))
        yield _streaming(text, final=True, processed=len(audio) / 2 / SAMPLE_RATE)

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


class _Recognizer:
    """pocketsphinx's en-US recognizer, one utterance at a time (its decoder is not
    thread-safe); loaded on first use. Whole utterances (`recognize`) decode the same way
    every time; an incremental pass (`feed`) adapts the decoder's normalisation, so interim
    results have a decoder of their own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._decoder: Any = None

    def __enter__(self) -> _Recognizer:
        self._lock.acquire()
        if self._decoder is None:
            from pocketsphinx import Decoder

            self._decoder = Decoder(loglevel="FATAL")
        return self

    def __exit__(self, *_exc: object) -> None:
        self._lock.release()

    def start(self) -> None:
        self._decoder.start_utt()

    def feed(self, pcm: bytes) -> str:
        """Process a chunk; the hypothesis so far."""
        if pcm:
            self._decoder.process_raw(pcm, no_search=False, full_utt=False)
        hyp = self._decoder.hyp()
        return str(hyp.hypstr) if hyp is not None else ""

    def finish(self) -> str:
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        return str(hyp.hypstr) if hyp is not None else ""

    def recognize(self, pcm: bytes) -> str:
        """One whole utterance; none in audio without voice (Riva's pipeline has a voice
        activity detector, docs/riva.md §6; pocketsphinx would make up a word for digital
        silence)."""
        if _silent(pcm):
            return ""
        self.start()
        self._decoder.process_raw(pcm, no_search=False, full_utt=True)
        return self.finish()


# ASSUMPTION: below this RMS (16-bit samples, about -70 dBFS) audio holds no voice.
SILENCE_RMS = 10.0


def _silent(pcm: bytes) -> bool:
    samples = np.frombuffer(pcm[:len(pcm) // 2 * 2], "<i2").astype(np.float64)
    return not samples.size or float(np.sqrt(np.mean(samples ** 2))) < SILENCE_RMS


_RECOGNIZER = _Recognizer()
_INTERIM = _Recognizer()


def _pcm16k(audio: bytes, rate: int, context: grpc.ServicerContext) -> bytes:
    """16-bit mono PCM at 16 kHz from a request's audio (a WAV file or raw LINEAR_PCM)."""
    if audio[:4] == b"RIFF":
        try:
            with wave.open(io.BytesIO(audio)) as wav:
                if wav.getsampwidth() != 2:
                    context.abort(grpc.StatusCode.INVALID_ARGUMENT, "only 16-bit PCM audio is supported")
                rate, channels, audio = wav.getframerate(), wav.getnchannels(), wav.readframes(wav.getnframes())
        except wave.Error as exc:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"unreadable WAV audio: {exc}")
        if channels > 1:  # the channels' mean
            audio = np.frombuffer(audio, "<i2").reshape(-1, channels).mean(axis=1).astype("<i2").tobytes()
    rate = rate or SAMPLE_RATE
    return _rescale(audio, SAMPLE_RATE / rate)


def _rescale(pcm: bytes, factor: float) -> bytes:
    """16-bit PCM resampled to `factor` times its length (linear: enough for a stand-in)."""
    if factor == 1.0:
        return pcm
    samples = np.frombuffer(pcm[:len(pcm) // 2 * 2], "<i2").astype(np.float64)
    at = np.arange(0, len(samples), 1 / factor)
    return bytes(np.interp(at, np.arange(len(samples)), samples).astype("<i2").tobytes())


def _time_scale(params: dict[str, str]) -> float:
    """The pipeline's `ms_per_timestep` over the acoustic model's own (1 when unknown)."""
    try:
        return float(params["ms_per_timestep"]) / float(params["model_ms_per_timestep"])
    except (KeyError, ValueError, ZeroDivisionError):
        return 1.0


def _streaming(text: str, final: bool, processed: float) -> asr.StreamingRecognizeResponse:
    return asr.StreamingRecognizeResponse(results=[asr.StreamingRecognitionResult(
        alternatives=[asr.SpeechRecognitionAlternative(transcript=text, confidence=1.0 if final else 0.0)],
        is_final=final, stability=1.0 if final else 0.5, channel_tag=1, audio_processed=processed)])


def register_riva(server: grpc.Server, probe: TritonProbe) -> None:
    asr_grpc.add_RivaSpeechRecognitionServicer_to_server(RivaAsrService(probe), server)
