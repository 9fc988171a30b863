"""Post-deploy verification: is the deployed Riva usable, the way a client would see it?

- Triton over HTTP (tritonclient) through the endpoint's `triton_http_url`, with TIR's
  `Authorization: Bearer <auth token>`: server ready, then each converted model ready.
- Triton over gRPC through TIR's ingress (TLS, routing metadata, `x-auth-token`; docs/tir.md
  §8.9): server ready.
- The Riva API server through the same ingress (nvidia-riva-client's channel):
  grpc.health.v1 SERVING, its ASR model list, then speech: the shipped audio
  (riva_tir/audio/) streamed with `StreamingRecognize` and, where an offline pipeline is
  deployed, sent with `Recognize`; each transcript's word error rate against the audio's
  text must not exceed the stack's `verifyMaxWer`. A mode the stack deploys (its
  `speech_models` output) fails when the server does not serve it; ASR of other languages
  must be listed.
- Punctuation (`PunctuateText`) of a known sentence, and each voice's speech (`Synthesize`)
  recognized back by the en-US ASR (docs/speech-services.md §5).

`scripts/verify [--stack NAME]` runs it for a user (reading the stack's outputs and its
auth token); with `riva-tir:verify: true` the stack runs it as its last step
(riva_tir/verification.py). Exit status 0 only if every check passed.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from riva_tir import speech
from riva_tir.ingress import TOKEN_ENV, ca_path, target_of
from riva_tir.tir.endpoints import GrpcTarget

TIMEOUT = 10.0
# Lowercase words without punctuation, as ASR hands them to punctuation.
PUNCTUATION_INPUT = "what is the weather like in delhi today i hope it is sunny"
# ASSUMPTION: simple common words, which the emulator's recognizer hears well in synthesized speech.
SYNTHESIS_INPUT = "hello world this is a test of speech synthesis"
# The word error rate on the shipped audio above which recognition fails (the stack's
# `verifyMaxWer` overrides it).
DEFAULT_MAX_WER = 0.25


@dataclass(frozen=True)
class Check:
    name: str  # what was checked: the service and model
    ok: bool
    detail: str
    seconds: float | None = None  # how long the service took to answer


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]


def triton_checks(http_url: str, models: Sequence[str], token: str | None) -> list[Check]:
    """Server readiness, then each model's, over Triton's HTTP/REST API (KServe v2)."""
    import tritonclient.http as triton

    parts = urlsplit(http_url)
    headers = {"Authorization": f"Bearer {token}"} if token else None
    where = f"{parts.scheme}://{parts.netloc}{parts.path}"
    try:
        client = triton.InferenceServerClient(url=f"{parts.netloc}{parts.path.rstrip('/')}",
                                              ssl=parts.scheme == "https", connection_timeout=TIMEOUT,
                                              network_timeout=TIMEOUT)
        try:
            ready = client.is_server_ready(headers=headers)
            checks = [Check("triton server", ready, f"{where} {'ready' if ready else 'NOT ready'}")]
            for model in models:
                model_ready = client.is_model_ready(model, headers=headers)
                checks.append(Check(f"triton model {model}", model_ready, "ready" if model_ready else "NOT ready"))
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return [Check("triton server", False, f"{where} unreachable: {_first_line(exc)}")]
    return checks


def triton_grpc_checks(target: GrpcTarget, token: str | None) -> list[Check]:
    """Triton's ServerReady through the ingress."""
    import tritonclient.grpc as triton

    ca = ca_path(target)
    where = f"{target.address} ({target.metadata.get('svc')})"
    try:
        client = triton.InferenceServerClient(target.address, ssl=True,
                                              root_certificates=str(ca) if ca else None)
        try:
            ready = client.is_server_ready(headers=dict(target.call_metadata(token or "")), client_timeout=TIMEOUT)
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return [Check("triton grpc", False, f"{where} unreachable: {_first_line(exc)}")]
    return [Check("triton grpc", ready, f"{where} {'ready' if ready else 'NOT ready'}")]


def riva_checks(target: GrpcTarget, token: str | None, max_wer: float = DEFAULT_MAX_WER,
                expected: Sequence[speech.Mode] = (), others: Sequence[str] = ()) -> list[Check]:
    """gRPC health of the Riva API server through the ingress, its ASR models and, for
    each kind deployed (streaming, offline), recognition of the shipped audio; a kind the
    stack deploys (`expected`) that the server does not list fails. ASR pipelines of other
    languages (`others`: no audio of theirs is shipped) must be listed."""
    import grpc
    import riva.client
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from riva.client.proto import riva_asr_pb2

    ca = ca_path(target)
    auth = riva.client.Auth(uri=target.address, use_ssl=True, ssl_root_cert=ca,
                            metadata_args=[list(pair) for pair in target.call_metadata(token or "")])
    metadata = auth.get_auth_metadata()
    where = f"{target.address} ({target.metadata.get('svc')})"
    try:
        # types-grpcio-health-checking declares HealthStub without the Check it sets up.
        status = health_pb2_grpc.HealthStub(auth.channel).Check(  # type: ignore[attr-defined]
            health_pb2.HealthCheckRequest(), timeout=TIMEOUT, metadata=metadata).status
    except grpc.RpcError as exc:
        return [Check("riva api", False, f"{where} unreachable: {_first_line(exc)}")]
    serving = status == health_pb2.HealthCheckResponse.SERVING
    checks = [Check("riva api", serving, f"{where} {health_pb2.HealthCheckResponse.ServingStatus.Name(status)}")]
    try:
        config = riva.client.ASRService(auth).stub.GetRivaSpeechRecognitionConfig(
            riva_asr_pb2.RivaSpeechRecognitionConfigRequest(), timeout=TIMEOUT, metadata=metadata)
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.UNIMPLEMENTED:
            return checks + [Check("riva asr models", True, "not listed by this server")]
        return checks + [Check("riva asr models", False, _first_line(exc))]
    names = sorted({c.model_name for c in config.model_config})
    checks.append(Check("riva asr models", bool(names), ", ".join(names) or "none"))
    # The shipped audio is English: the pipelines it can check are en-US ones.
    by_kind = {c.parameters.get("type", "online"): c.model_name for c in config.model_config
               if c.parameters.get("language_code", speech.LANGUAGE) == speech.LANGUAGE}
    listed = [Check(f"riva asr {name}", name in names, "listed" if name in names else f"not listed (only {names})")
              for name in others]
    pipelines: tuple[tuple[str, speech.Mode], ...] = (("online", "streaming"), ("offline", "offline"))
    return checks + listed + [
        recognition_check(target, token, mode, max_wer, by_kind[kind]) if kind in by_kind
        else Check(f"riva recognition ({mode})", False, f"no {kind} pipeline served")
        for kind, mode in pipelines if kind in by_kind or mode in expected]


def recognition_check(target: GrpcTarget, token: str | None, mode: speech.Mode, max_wer: float,
                      model: str) -> Check:
    """The shipped audio recognized by the deployment, against its text: health and the
    model list pass while recognition is broken (docs/riva.md §10)."""
    import grpc

    name = f"riva recognition ({mode})"
    try:
        result = speech.transcribe(target, token or "", speech.AUDIO, mode)
    except grpc.RpcError as exc:
        return Check(name, False, _first_line(exc))
    wer = speech.word_error_rate(speech.REFERENCE, result.text)
    first = f"{result.first_result_seconds:.2f} s" if result.first_result_seconds is not None else "none"
    return Check(name, wer <= max_wer,
                 f"{model}: {result.text!r} WER {wer:.2f} (max {max_wer:.2f}), first result {first}",
                 result.first_result_seconds)


def punctuation_check(target: GrpcTarget, token: str | None, language: str, model: str) -> Check:
    """A known unpunctuated sentence comes back capitalized and punctuated, its words kept."""
    import grpc

    name = f"riva punctuation {model}"
    started = time.monotonic()
    try:
        text = speech.punctuate(target, token or "", [PUNCTUATION_INPUT], language)[0]
    except grpc.RpcError as exc:
        return Check(name, False, _first_line(exc))
    kept = speech.word_error_rate(PUNCTUATION_INPUT, text) == 0
    ok = kept and text[:1].isupper() and text.rstrip()[-1:] in ".?!"
    return Check(name, ok, f"{PUNCTUATION_INPUT!r} -> {text!r}", time.monotonic() - started)


def synthesis_check(target: GrpcTarget, token: str | None, voice: Mapping[str, Any], max_wer: float,
                    recognizer: speech.Mode | None) -> Check:
    """A known sentence synthesized by the voice at its sample rate, then recognized by the
    deployed en-US ASR (`recognizer`: its mode) against the sentence."""
    import grpc

    name = f"riva tts {voice['voice']}"
    started = time.monotonic()
    try:
        audio = speech.synthesize(target, token or "", SYNTHESIS_INPUT, str(voice["voice"]), str(voice["language"]),
                                  int(voice["sample_rate"]))
    except grpc.RpcError as exc:
        return Check(name, False, _first_line(exc))
    latency = time.monotonic() - started
    heard = f"{audio.seconds:.1f} s at {audio.sample_rate} Hz"
    if audio.sample_rate != int(voice["sample_rate"]) or not 0.5 <= audio.seconds <= 30:
        return Check(name, False, f"{heard}: expected {voice['sample_rate']} Hz and 0.5-30 s", latency)
    if recognizer is None:
        return Check(name, True, f"{heard} (no en-US ASR deployed to hear it)", latency)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthesized.wav"
        audio.write_wav(path)
        try:
            text = speech.transcribe(target, token or "", path, recognizer).text
        except grpc.RpcError as exc:
            return Check(name, False, f"{heard}; recognizing it: {_first_line(exc)}", latency)
    wer = speech.word_error_rate(SYNTHESIS_INPUT, text)
    return Check(name, wer <= max_wer, f"{heard}, heard {text!r} WER {wer:.2f} (max {max_wer:.2f})", latency)


def verify(outputs: Mapping[str, Any], token: str | None, max_wer: float = DEFAULT_MAX_WER) -> list[Check]:
    """All checks for a stack's outputs (as `pulumi stack output --json` prints them)."""
    models = [str(m) for m in outputs.get("models") or []]
    grpc = outputs.get("triton_grpc")
    pipelines = outputs.get("speech_models") or []
    asr = [p for p in pipelines if p["service"] == "asr"]
    english = [p for p in asr if p["language"] == speech.LANGUAGE]
    modes: list[speech.Mode] = sorted({"offline" if p["mode"] == "offline" else "streaming" for p in english})
    target = target_of(outputs["riva_grpc"])
    return (triton_checks(str(outputs["triton_http_url"]), models, token)
            + (triton_grpc_checks(target_of(grpc), token) if grpc else
               [Check("triton grpc", True, "not reached through the ingress (a custom container: HTTP only)")])
            + riva_checks(target, token, max_wer, modes, [p["name"] for p in asr if p not in english])
            + [punctuation_check(target, token, p["language"], p["name"]) for p in pipelines if p["service"] == "nlp"]
            + [synthesis_check(target, token, p, max_wer, modes[0] if modes else None)
               for p in pipelines if p["service"] == "tts"])


def table(checks: Sequence[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = [f"  {'':4}  {'check'.ljust(width)}  {'latency':>7}  detail", f"  {'':4}  {'-' * width}  {'-' * 7}  {'-' * 6}"]
    lines += [f"  {'ok' if c.ok else 'FAIL':4}  {c.name.ljust(width)}  "
              f"{'' if c.seconds is None else f'{c.seconds:.2f} s':>7}  {c.detail}" for c in checks]
    passed = sum(c.ok for c in checks)
    return "\n".join(["Verification:", *lines, f"  {passed}/{len(checks)} checks passed"])


def _pulumi(*args: str, check: bool = True) -> str:
    return subprocess.run(["pulumi", *args], check=check, capture_output=True, text=True).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a deployed riva-tir stack (Triton and Riva API).")
    parser.add_argument("--stack", help="read the addresses from this stack's outputs")
    parser.add_argument("--outputs", help="instead of --stack: the stack's outputs as JSON "
                                           "(what `pulumi stack output --json` prints)")
    parser.add_argument("--max-wer", type=float, help="word error rate allowed on the shipped audio "
                                                      f"(default: the stack's verifyMaxWer, else {DEFAULT_MAX_WER})")
    args = parser.parse_args(argv)
    # The token is never an argument (it would show in process listings and logs).
    token = os.environ.get(TOKEN_ENV)
    max_wer = args.max_wer
    if args.stack:
        outputs = json.loads(_pulumi("stack", "output", "--json", "--stack", args.stack))
        if token is None:
            token = _pulumi("config", "get", "riva-tir:tirAuthToken", "--stack", args.stack, check=False).strip() or None
        if max_wer is None:
            configured = _pulumi("config", "get", "riva-tir:verifyMaxWer", "--stack", args.stack, check=False).strip()
            max_wer = float(configured) if configured else None
    elif args.outputs:
        outputs = json.loads(args.outputs)
    else:
        parser.error("give --stack, or --outputs")
    checks = verify(outputs, token, DEFAULT_MAX_WER if max_wer is None else max_wer)
    print(table(checks), flush=True)
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
