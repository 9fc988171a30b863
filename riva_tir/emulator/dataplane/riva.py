"""Riva API stand-in (`riva_server --triton_uri=HOST:PORT`): health, and the services its
`--asr_service`, `--nlp_service` and `--tts_service` flags turn on (a service that is off is
not registered: its calls are UNIMPLEMENTED, as with the real server). This module: the
Triton probe and speech recognition; riva_speech.py: punctuation and speech synthesis.

It holds no model files: like the split deployment in docs/riva.md §8 it learns everything from
Triton over gRPC. It is SERVING only while that Triton answers ServerReady=true and lists
a READY model of a service that is on (ASR: a `<name>-asr-bls-ensemble`; NLP and TTS: an
entry point whose config parameters name its `task`, riva_tools/speech_layout.py).
ASSUMPTION: one service with a model suffices (a service that is on without a model answers
with empty model lists and "Unavailable model" errors); the real server's rule is UNKNOWN.
`GetRivaSpeechRecognitionConfig`
returns one entry per such model, `model_name` = `<name>` (as the brief for this emulator
asks; docs/riva.md §9 notes clients may also see the full ensemble name), with `type`
(online/offline) and `language_code` from the ensemble's config parameters.

`Recognize` (offline pipelines) and `StreamingRecognize` (online ones) send the audio they
get, as samples and their rate, to the pipeline's `<name>-asr-bls-ensemble` with Triton's
gRPC `ModelInfer`, and return the text Triton's models produce (the emulator's Triton plays
Riva's backends: docs/emulator.md). They work only while Triton serves a pipeline of the
asked type READY; otherwise they fail as Riva does ("Unavailable model requested ...
type=offline"); a failed inference is Riva's INTERNAL error with Triton's message. This
server holds no recognizer of its own. `enable_automatic_punctuation` sends the transcript
through the punctuation model of the request's language (docs/riva.md §8); ASSUMPTION: with
none deployed, or with the NLP service off, the request fails with INVALID_ARGUMENT naming the
language (the real server's behaviour is UNKNOWN; silently unpunctuated text would hide it).
"""

from __future__ import annotations

import io
import threading
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import grpc
import numpy as np
from riva.client.proto import riva_asr_pb2 as asr
from riva.client.proto import riva_asr_pb2_grpc as asr_grpc
from tritonclient.grpc import service_pb2 as tpb
from tritonclient.grpc import service_pb2_grpc as tpb_grpc

from riva_tir.emulator.assumptions import DRAIN_SECONDS

ENSEMBLE_SUFFIX = "-asr-bls-ensemble"
PUNCTUATION_TASK = "punctuation"  # the entry points' `task` parameter (riva_tools/speech_layout.py)
SYNTHESIS_TASK = "speech_synthesis"
_RPC_TIMEOUT_S = 2.0
_INFER_TIMEOUT_S = 60.0
ASR_SERVICE = "nvidia.riva.asr.RivaSpeechRecognition"
NLP_SERVICE = "nvidia.riva.nlp.RivaLanguageUnderstanding"
TTS_SERVICE = "nvidia.riva.tts.RivaSpeechSynthesis"
# riva_server's flag name -> the gRPC service it turns on.
SERVICES = {"asr": ASR_SERVICE, "nlp": NLP_SERVICE, "tts": TTS_SERVICE}


@dataclass(frozen=True)
class RivaModel:
    """A model Riva serves: `name` as clients see it, `triton` its entry point in Triton."""

    name: str
    triton: str
    parameters: dict[str, str]


@dataclass(frozen=True)
class TritonView:
    """What Riva learned from Triton on one probe."""

    ok: bool
    reason: str
    asr: tuple[RivaModel, ...] = ()
    nlp: tuple[RivaModel, ...] = ()
    tts: tuple[RivaModel, ...] = ()

    @property
    def models(self) -> tuple[RivaModel, ...]:
        return self.asr + self.nlp + self.tts


def _tensor(name: str, array: np.ndarray) -> tuple[tpb.ModelInferRequest.InferInputTensor, bytes]:
    """An input tensor and its raw contents (BYTES: each element length-prefixed)."""
    if array.dtype == object:
        raw = b"".join(len(v).to_bytes(4, "little") + v for v in array.reshape(-1))
        datatype = "BYTES"
    else:
        datatype = {"float32": "FP32", "uint32": "UINT32", "int32": "INT32"}[str(array.dtype)]
        raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
    return tpb.ModelInferRequest.InferInputTensor(name=name, datatype=datatype, shape=list(array.shape)), raw


def _output(meta: tpb.ModelInferResponse.InferOutputTensor, raw: bytes) -> np.ndarray:
    if meta.datatype == "BYTES":
        values, at = [], 0
        while at < len(raw):
            size = int.from_bytes(raw[at:at + 4], "little")
            values.append(bytes(raw[at + 4:at + 4 + size]))
            at += 4 + size
        return np.array(values, dtype=object).reshape(list(meta.shape))
    dtype = {"FP32": "<f4", "UINT32": "<u4", "INT32": "<i4"}[meta.datatype]
    return np.frombuffer(raw, dtype).reshape(list(meta.shape))


class TritonUnavailable(RuntimeError):
    """The configured Triton does not answer."""


class TritonProbe:
    """Asks the configured Triton, over gRPC, whether it can serve ASR.

    `--triton_uri` is TIR's in-cluster name (`is-<id>:9000`): `resolve` turns it into the
    address behind it on every probe, so a redeployed Triton is found again."""

    def __init__(self, triton_uri: str, resolve: Callable[[str], str | None],
                 services: frozenset[str] = frozenset(SERVICES)) -> None:
        self.uri = triton_uri.removeprefix("grpc://")
        self.services = services  # riva_server's flags that are on (SERVICES keys)
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
                # Calls in flight to the replaced Triton finish while it drains.
                closing = threading.Timer(DRAIN_SECONDS, self._channel.close)
                closing.daemon = True
                closing.start()
            self._target, self._channel = target, None if target is None else grpc.insecure_channel(target)
        return None if self._channel is None else tpb_grpc.GRPCInferenceServiceStub(self._channel)

    def infer(self, model: str, inputs: dict[str, np.ndarray], outputs: list[str]) -> dict[str, np.ndarray]:
        """One request to a Triton model (Triton's gRPC ModelInfer)."""
        tensors = [_tensor(name, array) for name, array in inputs.items()]
        request = tpb.ModelInferRequest(
            model_name=model, inputs=[t for t, _ in tensors], raw_input_contents=[raw for _, raw in tensors],
            outputs=[tpb.ModelInferRequest.InferRequestedOutputTensor(name=name) for name in outputs])
        with self._lock:
            stub = self._stub()
        if stub is None:
            raise TritonUnavailable(f"triton at {self.uri} unreachable (no such endpoint is listening)")
        reply = stub.ModelInfer(request, timeout=_INFER_TIMEOUT_S)
        return {meta.name: _output(meta, raw) for meta, raw in zip(reply.outputs, reply.raw_output_contents)}

    def transcribe(self, model: RivaModel, samples: np.ndarray, rate: int) -> str:
        """One utterance through the pipeline's ensemble."""
        out = self.infer(model.triton, {"AUDIO_SIGNAL": samples.astype(np.float32)[None, :],
                                        "SAMPLE_RATE": np.array([[rate]], np.uint32)}, ["FINAL_TRANSCRIPTS"])
        return str(out["FINAL_TRANSCRIPTS"].reshape(-1)[0].decode("utf-8"))

    def punctuate(self, model: RivaModel, texts: list[str]) -> list[str]:
        out = self.infer(model.triton, {"TEXT": np.array([t.encode("utf-8") for t in texts], dtype=object)},
                         ["TEXT"])
        return [v.decode("utf-8") for v in out["TEXT"].reshape(-1)]

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
        found: dict[str, list[RivaModel]] = {"asr": [], "nlp": [], "tts": []}
        for entry in index.models:
            if entry.state != "READY":
                continue
            config = stub.ModelConfig(tpb.ModelConfigRequest(name=entry.name),
                                            timeout=_RPC_TIMEOUT_S).config
            params = {k: v.string_value for k, v in config.parameters.items()}
            if entry.name.endswith(ENSEMBLE_SUFFIX):
                found["asr"].append(RivaModel(
                    entry.name.removesuffix(ENSEMBLE_SUFFIX), entry.name,
                    {"type": params.get("type", "online"), "language_code": params.get("language_code", "en-US"),
                     "streaming": params.get("streaming", "true")}))
            elif params.get("task") == PUNCTUATION_TASK:
                found["nlp"].append(RivaModel(entry.name, entry.name, {
                    "language_code": params.get("language_code", "en-US"), "type": PUNCTUATION_TASK}))
            elif params.get("task") == SYNTHESIS_TASK:
                found["tts"].append(RivaModel(entry.name, entry.name, {
                    key: params.get(key, "") for key in ("language_code", "voice_name", "subvoices", "sample_rate")}))
        lacking = [kind for kind in SERVICES if kind in self.services and not found[kind]]
        view = {kind: tuple(sorted(models, key=lambda m: m.name)) if kind in self.services else ()
                for kind, models in found.items()}
        if len(lacking) == len(self.services):
            what = {"asr": f"ASR model (*{ENSEMBLE_SUFFIX})", "nlp": "punctuation model", "tts": "TTS voice"}
            return TritonView(False, "; ".join(f"no {what[kind]} READY in triton at {self.uri} "
                                               f"(--{kind}_service=true)" for kind in lacking), **view)
        return TritonView(True, "", **view)


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
            for m in view.asr
            if not request.model_name or request.model_name in (m.name, m.name + ENSEMBLE_SUFFIX)
        ]
        return asr.RivaSpeechRecognitionConfigResponse(model_config=configs)

    def Recognize(self, request: asr.RecognizeRequest,  # noqa: N802
                  context: grpc.ServicerContext) -> asr.RecognizeResponse:
        model = self._pipeline(request.config, "offline", context)
        samples, rate = _samples(request.audio, request.config.sample_rate_hertz, context)
        text = self._punctuated(request.config, self._transcribe(model, samples, rate, context), context)
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
        text = self._punctuated(config.config, self._transcribe(model, samples, actual, context), context)
        yield _streaming(text, final=True, processed=len(samples) / actual)

    def _punctuated(self, config: asr.RecognitionConfig, text: str, context: grpc.ServicerContext) -> str:
        """The final transcript, through the punctuation model of its language when asked."""
        if not config.enable_automatic_punctuation or not text:
            return text
        language = config.language_code or "en-US"
        view = self._probe.view()
        model = next((m for m in view.nlp if m.parameters["language_code"] == language), None)
        if model is None:  # none deployed, or the NLP service is off
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          f"Error: automatic punctuation requested, but no punctuation model is available for "
                          f"language_code={language}")
        assert model is not None
        return triton_call(context, model, lambda: self._probe.punctuate(model, [text])[0])

    def _transcribe(self, model: RivaModel, samples: np.ndarray, rate: int, context: grpc.ServicerContext) -> str:
        return triton_call(context, model, lambda: self._probe.transcribe(model, samples, rate))

    def _pipeline(self, config: asr.RecognitionConfig, kind: str, context: grpc.ServicerContext) -> RivaModel:
        """The deployed pipeline of `kind` for this request, as Triton serves it now."""
        view = self._probe.view()
        if not view.ok:
            context.abort(grpc.StatusCode.UNAVAILABLE, f"Triton is not ready: {view.reason}")
        language = config.language_code or "en-US"
        for model in view.asr:
            if model.parameters.get("type") == kind and model.parameters.get("language_code") == language \
                    and (not config.model or config.model in (model.name, model.name + ENSEMBLE_SUFFIX)):
                return model
        context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                      f"Error: Unavailable model requested given these parameters: language_code={language}; "
                      f"sample_rate={config.sample_rate_hertz}; type={kind};")
        raise AssertionError("unreachable")


T = TypeVar("T")


def triton_call(context: grpc.ServicerContext, model: RivaModel, call: Callable[[], T]) -> T:
    """`call` (an inference), its failures as Riva reports them."""
    try:
        return call()
    except TritonUnavailable as exc:
        context.abort(grpc.StatusCode.UNAVAILABLE, f"Triton is not ready: {exc}")
    except grpc.RpcError as exc:
        detail = exc.details() if isinstance(exc, grpc.Call) else str(exc)
        context.abort(grpc.StatusCode.INTERNAL, f"Error: inference failed in Triton for model {model.triton}: {detail}")
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


def register_asr(server: grpc.Server, probe: TritonProbe) -> None:
    asr_grpc.add_RivaSpeechRecognitionServicer_to_server(RivaAsrService(probe), server)
