"""The Riva API stand-in's punctuation (NLP) and speech-synthesis (TTS) services, and which
services a riva_server registers (riva.py has the Triton probe and ASR).

Like ASR, both only call Triton: `PunctuateText` sends the texts to the punctuation entry point
of the request's model or language (`riva-punctuation-<lang>`), `Synthesize` the text to the
voice's `fastpitch_hifigan_ensemble-<voice>` and returns its audio as 16-bit PCM at the asked
rate (0: the rate the voice was built for). `SynthesizeOnline` streams the same audio in
STREAM_CHUNK_S pieces (ASSUMPTION: Riva streams as its chunker produces; one inference here).
`GetRivaNLPConfig` and `GetRivaSynthesisConfig` list what Triton serves, with the parameters
clients read (`language_code`, `voice_name`, `subvoices`: docs/riva.md §9).

Voice selection (docs/riva.md §9): `voice_name` is `<voice>` or `<voice>.<subvoice>`; empty
takes the first voice of the request's language. What is not deployed fails with
INVALID_ARGUMENT in the words of Riva's ASR error ("Unavailable model requested given these
parameters: ..."; ASSUMPTION: the TTS and NLP wording is UNKNOWN) and a punctuation model name
that is not deployed with Riva's own "Model foo is not a Riva API model, execution cannot be
done".
"""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import numpy as np
from riva.client.proto import riva_audio_pb2 as audio
from riva.client.proto import riva_nlp_pb2 as nlp
from riva.client.proto import riva_nlp_pb2_grpc as nlp_grpc
from riva.client.proto import riva_tts_pb2 as tts
from riva.client.proto import riva_tts_pb2_grpc as tts_grpc

from riva_tir.emulator.dataplane.riva import RivaModel, TritonProbe, register_asr, triton_call

STREAM_CHUNK_S = 0.25


def _unavailable(context: grpc.ServicerContext, parameters: str) -> None:
    context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                  f"Error: Unavailable model requested given these parameters: {parameters}")


class RivaNlpService(nlp_grpc.RivaLanguageUnderstandingServicer):  # type: ignore[misc]
    def __init__(self, probe: TritonProbe) -> None:
        self._probe = probe

    def GetRivaNLPConfig(self, request: nlp.RivaNLPConfigRequest,  # noqa: N802 (gRPC name)
                         context: grpc.ServicerContext) -> nlp.RivaNLPConfigResponse:
        return nlp.RivaNLPConfigResponse(model_config=[
            nlp.RivaNLPConfigResponse.Config(model_name=m.name, parameters=m.parameters)
            for m in self._probe.view().nlp if not request.model_name or request.model_name == m.name])

    def PunctuateText(self, request: nlp.TextTransformRequest,  # noqa: N802
                      context: grpc.ServicerContext) -> nlp.TextTransformResponse:
        models = self._probe.view().nlp
        wanted, language = request.model.model_name, request.model.language_code or "en-US"
        if wanted:
            model = next((m for m in models if m.name == wanted), None)
            if model is None:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                              f"Error: Model {wanted} is not a Riva API model, execution cannot be done")
        else:
            model = next((m for m in models if m.parameters["language_code"] == language), None)
            if model is None:
                _unavailable(context, f"language_code={language}; type=punctuation;")
        assert model is not None
        texts = list(request.text)
        return nlp.TextTransformResponse(
            text=triton_call(context, model, lambda: self._probe.punctuate(model, texts)) if texts else [])


class RivaTtsService(tts_grpc.RivaSpeechSynthesisServicer):  # type: ignore[misc]
    def __init__(self, probe: TritonProbe) -> None:
        self._probe = probe

    def GetRivaSynthesisConfig(self, request: tts.RivaSynthesisConfigRequest,  # noqa: N802
                               context: grpc.ServicerContext) -> tts.RivaSynthesisConfigResponse:
        return tts.RivaSynthesisConfigResponse(model_config=[
            tts.RivaSynthesisConfigResponse.Config(model_name=m.name, parameters=m.parameters)
            for m in self._probe.view().tts if not request.model_name or request.model_name == m.name])

    def Synthesize(self, request: tts.SynthesizeSpeechRequest,  # noqa: N802
                   context: grpc.ServicerContext) -> tts.SynthesizeSpeechResponse:
        pcm, _ = self._synthesize(request, context)
        return tts.SynthesizeSpeechResponse(audio=pcm, meta=tts.SynthesizeSpeechResponseMetadata(text=request.text))

    def SynthesizeOnline(self, request_iterator: Iterator[tts.SynthesizeSpeechRequest],  # noqa: N802
                         context: grpc.ServicerContext) -> Iterator[tts.SynthesizeSpeechResponse]:
        """Each request's audio in pieces. The client library's proto streams requests; 2.19's
        sends one (server streaming): on the wire both are a stream of one or more requests."""
        for request in request_iterator:
            pcm, rate = self._synthesize(request, context)
            step = 2 * max(1, int(rate * STREAM_CHUNK_S))
            for at in range(0, len(pcm), step):
                yield tts.SynthesizeSpeechResponse(audio=pcm[at:at + step])

    def _voice(self, request: tts.SynthesizeSpeechRequest, context: grpc.ServicerContext) -> tuple[RivaModel, int]:
        """The voice's model and speaker id, or INVALID_ARGUMENT."""
        language = request.language_code or "en-US"
        voice, _, subvoice = request.voice_name.partition(".")
        for model in self._probe.view().tts:
            if model.parameters["language_code"] != language or voice not in ("", model.parameters["voice_name"]):
                continue
            speakers = dict(pair.split(":") for pair in filter(None, model.parameters["subvoices"].split(",")))
            if not subvoice:
                return model, 0
            if subvoice in speakers:
                return model, int(speakers[subvoice])
        _unavailable(context, f"language_code={language}; voice_name={request.voice_name};")
        raise AssertionError("unreachable")

    def _synthesize(self, request: tts.SynthesizeSpeechRequest, context: grpc.ServicerContext) -> tuple[bytes, int]:
        """16-bit PCM of the request's text, and its sample rate."""
        if not request.text.strip():
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "Error: the text to synthesize is empty")
        if request.encoding not in (audio.AudioEncoding.LINEAR_PCM, audio.AudioEncoding.ENCODING_UNSPECIFIED):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          f"Error: encoding {audio.AudioEncoding.Name(request.encoding)} is not supported; "
                          "use LINEAR_PCM")
        model, speaker = self._voice(request, context)
        inputs = {"TEXT": np.array([request.text.encode("utf-8")], dtype=object),
                  "SPEAKER": np.array([speaker], np.int32),
                  "SAMPLE_RATE": np.array([request.sample_rate_hz], np.uint32)}
        out = triton_call(context, model, lambda: self._probe.infer(model.triton, inputs, ["AUDIO"]))
        samples = np.clip(out["AUDIO"].reshape(-1), -1.0, 1.0)
        rate = request.sample_rate_hz or int(model.parameters["sample_rate"])
        return bytes((samples * 32767).astype("<i2").tobytes()), rate


def register_riva(server: grpc.Server, probe: TritonProbe) -> None:
    """The services whose riva_server flag is on (TritonProbe.services)."""
    if "asr" in probe.services:
        register_asr(server, probe)
    if "nlp" in probe.services:
        nlp_grpc.add_RivaLanguageUnderstandingServicer_to_server(RivaNlpService(probe), server)
    if "tts" in probe.services:
        tts_grpc.add_RivaSpeechSynthesisServicer_to_server(RivaTtsService(probe), server)
