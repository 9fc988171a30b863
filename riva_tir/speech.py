"""Speech through a deployed Riva API, as NVIDIA's clients send it (docs/riva.md §9):
streaming (`StreamingRecognize`, the way `transcribe_file.py` does) or offline
(`Recognize`), through TIR's gRPC ingress with TLS and its metadata (docs/tir.md §8.9).

The verification (riva_tir/health.py) recognizes the shipped audio (riva_tir/audio/)
and compares it with its text; `scripts/transcribe` (`python -m riva_tir.speech`) is the
same call for a user's own file.
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

from riva_tir.ingress import TOKEN_ENV, ca_path, target_of
from riva_tir.tir.endpoints import GrpcTarget

AUDIO = Path(__file__).parent / "audio" / "amiable.wav"
REFERENCE = (AUDIO.with_suffix(".txt")).read_text().strip()
Mode = Literal["streaming", "offline"]
# The language of the shipped audio.
LANGUAGE = "en-US"
# 100 ms of audio per streaming request, as NVIDIA's sample clients send it.
CHUNK_SECONDS = 0.1
TIMEOUT = 60.0


@dataclass(frozen=True)
class Transcript:
    mode: Mode
    text: str
    first_result_seconds: float | None  # from the first audio sent to the first result


@dataclass(frozen=True)
class Synthesized:
    samples: bytes  # 16-bit PCM, mono
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / 2 / self.sample_rate

    def write_wav(self, path: Path) -> None:
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(self.sample_rate)
            wav.writeframes(self.samples)


def _auth(target: GrpcTarget, token: str) -> Any:
    import riva.client

    return riva.client.Auth(uri=target.address, use_ssl=True, ssl_root_cert=ca_path(target),
                            metadata_args=[list(pair) for pair in target.call_metadata(token)])


def _config(path: Path, language: str, punctuate: bool) -> Any:
    import riva.client

    with wave.open(str(path)) as wav:
        rate, channels = wav.getframerate(), wav.getnchannels()
    return riva.client.RecognitionConfig(
        encoding=riva.client.AudioEncoding.LINEAR_PCM, sample_rate_hertz=rate, audio_channel_count=channels,
        language_code=language, max_alternatives=1, enable_automatic_punctuation=punctuate)


def transcribe(target: GrpcTarget, token: str, path: Path, mode: Mode = "streaming",
               language: str = LANGUAGE, punctuate: bool = False) -> Transcript:
    """The server's transcript of a 16-bit PCM WAV file, punctuated by the language's
    punctuation model if asked (raises grpc.RpcError)."""
    import riva.client

    service, config = riva.client.ASRService(_auth(target, token)), _config(path, language, punctuate)
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


def punctuate(target: GrpcTarget, token: str, texts: list[str], language: str = LANGUAGE) -> list[str]:
    """The texts punctuated and capitalized by the deployed punctuation model (NVIDIA's client)."""
    import riva.client

    response = riva.client.NLPService(_auth(target, token)).punctuate_text(texts, language_code=language)
    return [str(t) for t in response.text]


def synthesize(target: GrpcTarget, token: str, text: str, voice: str | None = None, language: str = LANGUAGE,
               sample_rate: int = 44100) -> Synthesized:
    """Speech for the text from the deployed voice (NVIDIA's client; raises grpc.RpcError)."""
    import riva.client

    response = riva.client.SpeechSynthesisService(_auth(target, token)).synthesize(
        text, voice_name=voice, language_code=language, encoding=riva.client.AudioEncoding.LINEAR_PCM,
        sample_rate_hz=sample_rate)
    return Synthesized(bytes(response.audio), sample_rate)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word error rate of lowercased words, punctuation aside (jiwer)."""
    import jiwer

    def words(text: str) -> str:
        return " ".join("".join(c for c in w if c.isalnum() or c == "'") for w in text.lower().split()) or "-"

    return float(jiwer.wer(words(reference), words(hypothesis)))


def _pulumi(*args: str) -> str:
    return subprocess.run(["pulumi", *args], check=True, capture_output=True, text=True).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Transcribe a WAV file (16-bit PCM) with a deployed stack's "
                                                 "Riva API, through TIR's gRPC ingress.")
    parser.add_argument("audio", type=Path, help="the WAV file")
    parser.add_argument("--stack", required=True, help="the stack whose Riva API to use")
    parser.add_argument("--offline", action="store_true", help="Recognize (an offline pipeline) instead of streaming")
    parser.add_argument("--language", default="en-US")
    args = parser.parse_args(argv)
    outputs = json.loads(_pulumi("stack", "output", "--json", "--stack", args.stack))
    # The token is never an argument (it would show in process listings and logs).
    token = os.environ.get(TOKEN_ENV) or _pulumi("config", "get", "riva-tir:tirAuthToken", "--stack", args.stack).strip()
    import grpc

    try:
        result = transcribe(target_of(outputs["riva_grpc"]), token, args.audio,
                            "offline" if args.offline else "streaming", args.language)
    except grpc.RpcError as exc:
        print(f"transcribe: {exc.code().name}: {exc.details()}", file=sys.stderr)
        return 1
    print(result.text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
