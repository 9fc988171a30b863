"""Speech through a deployed Riva API, as NVIDIA's clients send it (docs/riva.md §9), through
TIR's gRPC ingress with TLS and its metadata (docs/tir.md §8.9): recognition, streaming
(`StreamingRecognize`, the way `transcribe_file.py` does) or offline (`Recognize`), with
automatic punctuation when asked; punctuation of text (`PunctuateText`); speech synthesis
(`Synthesize`); and the models each service has deployed (`GetRiva*Config`).

The verification (riva_tir/health.py) recognizes the shipped audio (riva_tir/audio/)
and compares it with its text; `scripts/transcribe` (`python -m riva_tir.speech`) is the
same call for a user's own file, and `scripts/synthesize` (`python -m riva_tir.speech
synthesize`) writes speech to a WAV file.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from riva_tir.ingress import TOKEN_ENV, ca_path, target_of
from riva_tir.tir.endpoints import GrpcTarget

AUDIO = Path(__file__).parent / "audio" / "amiable.wav"
REFERENCE = (AUDIO.with_suffix(".txt")).read_text().strip()
Mode = Literal["streaming", "offline"]
# 100 ms of audio per streaming request, as NVIDIA's sample clients send it.
CHUNK_SECONDS = 0.1
TIMEOUT = 60.0
# NVIDIA's client's default synthesis rate (FastPitch + HiFi-GAN's own).
DEFAULT_SAMPLE_RATE = 22050
# The language of the shipped audio.
LANGUAGE = "en-US"


@dataclass(frozen=True)
class Transcript:
    mode: Mode
    text: str
    first_result_seconds: float | None  # from the first audio sent to the first result


def _auth(target: GrpcTarget, token: str) -> Any:
    import riva.client

    return riva.client.Auth(uri=target.address, use_ssl=True, ssl_root_cert=ca_path(target),
                            metadata_args=[list(pair) for pair in target.call_metadata(token)])


def _service(target: GrpcTarget, token: str) -> Any:
    import riva.client

    return riva.client.ASRService(_auth(target, token))


def _config(path: Path, language: str, punctuate: bool) -> Any:
    import riva.client

    with wave.open(str(path)) as wav:
        rate, channels = wav.getframerate(), wav.getnchannels()
    return riva.client.RecognitionConfig(
        encoding=riva.client.AudioEncoding.LINEAR_PCM, sample_rate_hertz=rate, audio_channel_count=channels,
        language_code=language, max_alternatives=1, enable_automatic_punctuation=punctuate)


@dataclass(frozen=True)
class Speech:
    samples: np.ndarray  # int16 mono
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.sample_rate

    def write_wav(self, path: Path) -> None:
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(self.sample_rate)
            wav.writeframes(self.samples.astype("<i2").tobytes())


def synthesize(target: GrpcTarget, token: str, text: str, voice: str | None = None, language: str = LANGUAGE,
               sample_rate: int = DEFAULT_SAMPLE_RATE) -> Speech:
    """The server's speech for `text` (voice None: the first of the language), 16-bit PCM."""
    import riva.client

    service = riva.client.SpeechSynthesisService(_auth(target, token))
    reply = service.synthesize(text, voice_name=voice, language_code=language, sample_rate_hz=sample_rate)
    return Speech(np.frombuffer(reply.audio, "<i2"), sample_rate)


def punctuate(target: GrpcTarget, token: str, texts: list[str], language: str = LANGUAGE) -> list[str]:
    """The texts punctuated and capitalized by the language's punctuation model."""
    import riva.client

    service = riva.client.NLPService(_auth(target, token))
    return list(service.punctuate_text(texts, language_code=language).text)


@dataclass(frozen=True)
class DeployedModel:
    name: str
    parameters: dict[str, str]


def deployed_models(target: GrpcTarget, token: str, service: Literal["asr", "nlp", "tts"]) -> list[DeployedModel]:
    """What a service serves (its GetRiva*Config); raises grpc.RpcError (UNIMPLEMENTED when the
    service is off)."""
    import riva.client
    from riva.client.proto import riva_asr_pb2, riva_nlp_pb2, riva_tts_pb2

    auth = _auth(target, token)
    metadata = auth.get_auth_metadata()
    if service == "asr":
        reply = riva.client.ASRService(auth).stub.GetRivaSpeechRecognitionConfig(
            riva_asr_pb2.RivaSpeechRecognitionConfigRequest(), metadata=metadata, timeout=TIMEOUT)
    elif service == "nlp":
        reply = riva.client.NLPService(auth).stub.GetRivaNLPConfig(
            riva_nlp_pb2.RivaNLPConfigRequest(), metadata=metadata, timeout=TIMEOUT)
    else:
        reply = riva.client.SpeechSynthesisService(auth).stub.GetRivaSynthesisConfig(
            riva_tts_pb2.RivaSynthesisConfigRequest(), metadata=metadata, timeout=TIMEOUT)
    return [DeployedModel(c.model_name, dict(c.parameters)) for c in reply.model_config]


def transcribe(target: GrpcTarget, token: str, path: Path, mode: Mode = "streaming",
               language: str = LANGUAGE, punctuate: bool = False) -> Transcript:
    """The server's transcript of a 16-bit PCM WAV file (raises grpc.RpcError); `punctuate`:
    with Riva's automatic punctuation."""
    import riva.client

    service, config = _service(target, token), _config(path, language, punctuate)
    started = time.monotonic()
    if mode == "offline":
        response = service.offline_recognize(path.read_bytes(), config)
        text = " ".join(r.alternatives[0].transcript.strip() for r in response.results if r.alternatives)
        return Transcript(mode, text.strip(), time.monotonic() - started)
    with wave.open(str(path)) as wav:
        frames = max(1, int(wav.getframerate() * CHUNK_SECONDS))
    streaming = riva.client.StreamingRecognitionConfig(config=config, interim_results=False)
    finals: list[str] = []
    first: float | None = None
    for response in service.streaming_response_generator(
            audio_chunks=riva.client.AudioChunkFileIterator(str(path), frames), streaming_config=streaming):
        for result in response.results:
            if first is None:
                first = time.monotonic() - started
            if result.is_final and result.alternatives:
                finals.append(result.alternatives[0].transcript.strip())
    return Transcript(mode, " ".join(f for f in finals if f), first)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word error rate of lowercased words, punctuation aside (jiwer)."""
    import jiwer

    def words(text: str) -> str:
        return " ".join("".join(c for c in w if c.isalnum() or c == "'") for w in text.lower().split()) or "-"

    return float(jiwer.wer(words(reference), words(hypothesis)))


def _pulumi(*args: str) -> str:
    return subprocess.run(["pulumi", *args], check=True, capture_output=True, text=True).stdout


def _stack_access(stack: str) -> tuple[GrpcTarget, str]:
    outputs = json.loads(_pulumi("stack", "output", "--json", "--stack", stack))
    # The token is never an argument (it would show in process listings and logs).
    token = os.environ.get(TOKEN_ENV) or _pulumi("config", "get", "riva-tir:tirAuthToken", "--stack", stack).strip()
    return target_of(outputs["riva_grpc"]), token


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["synthesize"]:
        return _synthesize_main(args[1:])
    parser = argparse.ArgumentParser(description="Transcribe a WAV file (16-bit PCM) with a deployed stack's "
                                                 "Riva API, through TIR's gRPC ingress.")
    parser.add_argument("audio", type=Path, help="the WAV file")
    parser.add_argument("--stack", required=True, help="the stack whose Riva API to use")
    parser.add_argument("--offline", action="store_true", help="Recognize (an offline pipeline) instead of streaming")
    parser.add_argument("--language", default=LANGUAGE)
    parser.add_argument("--punctuate", action="store_true",
                        help="Riva's automatic punctuation (needs a punctuation model of the language)")
    parsed = parser.parse_args(args)
    target, token = _stack_access(parsed.stack)
    import grpc

    try:
        result = transcribe(target, token, parsed.audio, "offline" if parsed.offline else "streaming",
                            parsed.language, parsed.punctuate)
    except grpc.RpcError as exc:
        print(f"transcribe: {exc.code().name}: {exc.details()}", file=sys.stderr)
        return 1
    print(result.text)
    return 0


def _synthesize_main(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="synthesize", description="Speak a text with a deployed stack's Riva "
                                     "API (TTS), through TIR's gRPC ingress, into a WAV file.")
    parser.add_argument("text")
    parser.add_argument("output", type=Path, help="the WAV file to write")
    parser.add_argument("--stack", required=True, help="the stack whose Riva API to use")
    parser.add_argument("--voice", help="the voice (VOICE or VOICE.SUBVOICE); default: the language's first")
    parser.add_argument("--language", default=LANGUAGE)
    parser.add_argument("--sample-rate", type=int, default=DEFAULT_SAMPLE_RATE)
    parsed = parser.parse_args(args)
    target, token = _stack_access(parsed.stack)
    import grpc

    try:
        result = synthesize(target, token, parsed.text, parsed.voice, parsed.language, parsed.sample_rate)
    except grpc.RpcError as exc:
        print(f"synthesize: {exc.code().name}: {exc.details()}", file=sys.stderr)
        return 1
    result.write_wav(parsed.output)
    print(f"{parsed.output}: {result.seconds:.2f} s at {result.sample_rate} Hz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
