"""Punctuation and speech synthesis end to end: built and deployed on a node with the emulated
riva-build/riva-deploy, served by the real tritonserver (the Riva backends' stand-ins) and the
Riva API stand-in, called with NVIDIA's own client library over real gRPC."""

from __future__ import annotations

import io
import uuid
import wave
from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import numpy as np
import pytest
import riva.client
from riva.client.proto import riva_nlp_pb2 as nlp
from riva.client.proto import riva_tts_pb2 as tts

from riva_tir import speech
from riva_tir.emulator.dataplane import DataPlane
from riva_tir.emulator.objectstore import ObjectStore
from riva_tir.emulator.machines import MachineHost
from tests.emulator.machinery_harness import USER_KEY, Node, public
from tests.emulator.test_dataplane import PIPELINE, _eventually_serving, _port, _settled, _start_triton

pytestmark = pytest.mark.emulator

RIVA_PORT = 50051
VOICE = "English-US"
# Sentences of everyday English (none of them tuned for): the round trip's measured word error
# rate is reported in docs/emulator.md.
SENTENCES = ("Please call me back when you get home.", "Turn left at the next corner.",
             "Thank you very much for your help.")
# The round trip must stay understandable: at most this word error rate over SENTENCES
# (pocketsphinx on eSpeak's formant speech; measured values in docs/emulator.md).
MAX_ROUND_TRIP_WER = 0.5


@dataclass(frozen=True)
class Stack:
    plane: DataPlane
    triton: int
    all_services: int  # riva_server with every service on
    asr_only: int  # riva_server --nlp_service=false --tts_service=false

    def riva(self, endpoint: int) -> str:
        return f"127.0.0.1:{_port(self.plane, endpoint, RIVA_PORT)}"


def _deploy(store: ObjectStore, node: Node, bucket: str) -> None:
    access, secret = store.create_bucket(bucket)
    script = (
        "printf 'approx\\tapproximately\\nSt\\tstreet\\n' > abbr.txt && "
        "python -m riva_tir.emulator.riva_tools make-artifact asr.riva --size 200000 && "
        "python -m riva_tir.emulator.riva_tools make-artifact punct.riva --kind punctuation "
        "--model punctuation-bert-base-en-us --size 100000 && "
        "python -m riva_tir.emulator.riva_tools make-artifact fastpitch.riva --kind tts_fastpitch "
        "--model fastpitch-en-us --size 100000 && "
        "python -m riva_tir.emulator.riva_tools make-artifact hifigan.riva --kind tts_hifigan "
        "--model hifigan-en-us --size 50000 && "
        "riva-build speech_recognition asr.rmir:k asr.riva:tlt_encode "
        f"--name={PIPELINE} --ms_per_timestep=80 --language_code=en-US && "
        "riva-build punctuation punct.rmir:k punct.riva:tlt_encode --language_code=en-US && "
        "riva-build speech_synthesis tts.rmir:k fastpitch.riva:tlt_encode hifigan.riva:tlt_encode "
        f"--voice_name={VOICE} --language_code=en-US --sample_rate=44100 --abbreviations_file=abbr.txt "
        "--num_speakers=2 --subvoices=Female-1:0,Male-1:1 && "
        "for m in asr punct tts; do riva-deploy -f $m.rmir:k models || exit 1; done && "
        f"mc alias set eos {store.endpoint_url} {access} {secret} && "
        f"mc mirror --overwrite models eos/{bucket}/model-repository"
    )
    result = node.run(script)
    assert result.exit_status == 0, result.stderr


@pytest.fixture(scope="module")
def stack(store: ObjectStore, host: MachineHost) -> Iterator[Stack]:
    node = Node(host, 9201, host.power_on(9201, [public(USER_KEY)]))
    bucket = f"speech-{uuid.uuid4().hex[:10]}"
    _deploy(store, node, bucket)
    host.destroy(9201)
    plane = DataPlane(store)
    _start_triton(plane, 201, bucket)
    plane.start_riva(202, "is-201:9000", RIVA_PORT)
    plane.start_riva(203, "is-201:9000", RIVA_PORT, services=frozenset({"asr"}))
    ready = _settled(plane, 201, within=180.0)
    assert ready.ready, ready.reason
    yield Stack(plane, 201, 202, 203)
    plane.stop_all()
    store.delete_bucket(bucket)


def _auth(address: str) -> riva.client.Auth:
    return riva.client.Auth(uri=address)


def _recognize(address: str, pcm: bytes, rate: int, punctuate: bool = False) -> str:
    """Streaming recognition of 16-bit PCM (the deployed pipeline is a streaming one)."""
    config = riva.client.StreamingRecognitionConfig(config=riva.client.RecognitionConfig(
        encoding=riva.client.AudioEncoding.LINEAR_PCM, sample_rate_hertz=rate, language_code="en-US",
        max_alternatives=1, enable_automatic_punctuation=punctuate))
    chunks = [pcm[i:i + 6400] for i in range(0, len(pcm), 6400)]
    service = riva.client.ASRService(_auth(address))
    finals = [r.alternatives[0].transcript for response in service.streaming_response_generator(chunks, config)
              for r in response.results if r.is_final]
    return " ".join(finals)


def test_nvidia_client_synthesizes_speech_the_asr_recognizes(stack: Stack) -> None:
    """The round trip of the lead's verification: TTS, then the deployed en-US ASR."""
    address = stack.riva(stack.all_services)
    service = riva.client.SpeechSynthesisService(_auth(address))
    references, hypotheses = [], []
    for sentence in SENTENCES:
        reply = service.synthesize(sentence, voice_name=None, language_code="en-US", sample_rate_hz=22050)
        samples = np.frombuffer(reply.audio, "<i2")
        words = len(sentence.split())
        assert 0.15 * words < len(samples) / 22050 < 0.8 * words, len(samples)  # speech-like duration
        assert np.abs(samples).max() > 3000  # audible, not silence
        references.append(sentence)
        hypotheses.append(_recognize(address, reply.audio, 22050))
    wer = speech.word_error_rate(" ".join(references), " ".join(hypotheses))
    print(f"TTS->ASR word error rate {wer:.3f}: {hypotheses}")
    assert wer <= MAX_ROUND_TRIP_WER, hypotheses


def test_synthesis_rates_voices_and_streaming(stack: Stack) -> None:
    address = stack.riva(stack.all_services)
    service = riva.client.SpeechSynthesisService(_auth(address))
    config = service.stub.GetRivaSynthesisConfig(tts.RivaSynthesisConfigRequest())
    assert [(c.model_name, dict(c.parameters)) for c in config.model_config] == [
        (f"fastpitch_hifigan_ensemble-{VOICE}", {"language_code": "en-US", "voice_name": VOICE,
                                                 "subvoices": "Female-1:0,Male-1:1", "sample_rate": "44100"})]
    text = "Turn left at the next corner."
    at_44k = np.frombuffer(service.synthesize(text, VOICE, sample_rate_hz=44100).audio, "<i2")
    at_16k = np.frombuffer(service.synthesize(text, f"{VOICE}.Female-1", sample_rate_hz=16000).audio, "<i2")
    assert abs(len(at_44k) / 44100 - len(at_16k) / 16000) < 0.01  # one utterance, resampled
    male = np.frombuffer(service.synthesize(text, f"{VOICE}.Male-1", sample_rate_hz=16000).audio, "<i2")
    assert not np.array_equal(male[:len(at_16k)], at_16k[:len(male)])  # another speaker
    # The build's abbreviations file is applied before the encoder: the same speech as the word.
    def length(words: str) -> int:
        return len(service.synthesize(words, VOICE, sample_rate_hz=16000).audio)

    assert length("approx. ten") == length("approximately ten") != length("approx ten and more")
    # Streaming: the same utterance in several chunks (eSpeak's Klatt noise differs run to run).
    chunks = [r.audio for r in service.synthesize_online(text, VOICE, sample_rate_hz=16000)]
    assert len(chunks) > 2 and len(b"".join(chunks)) == 2 * len(at_16k)

    for voice, language in (("Nobody", "en-US"), (VOICE, "de-DE"), (f"{VOICE}.Child-3", "en-US")):
        with pytest.raises(grpc.RpcError) as missing:
            service.synthesize(text, voice, language_code=language)
        assert missing.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "Unavailable model requested" in str(missing.value.details())


def test_nvidia_client_punctuates_text(stack: Stack) -> None:
    address = stack.riva(stack.all_services)
    service = riva.client.NLPService(_auth(address))
    reply = service.punctuate_text(["thank you very much can you help me",
                                    "i think we should meet on monday but i am busy", "where is the station"])
    assert list(reply.text) == ["Thank you very much. Can you help me?",
                                "I think we should meet on Monday, but I am busy.", "Where is the station?"]
    config = service.stub.GetRivaNLPConfig(nlp.RivaNLPConfigRequest())
    assert [(c.model_name, c.parameters["language_code"]) for c in config.model_config] == [
        ("riva-punctuation-en-US", "en-US")]
    with pytest.raises(grpc.RpcError) as foo:
        service.punctuate_text(["hello"], model_name="foo")
    assert foo.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert foo.value.details() == "Error: Model foo is not a Riva API model, execution cannot be done"
    with pytest.raises(grpc.RpcError) as german:
        service.punctuate_text(["hallo welt"], language_code="de-DE")
    assert "language_code=de-DE" in str(german.value.details())


def test_automatic_punctuation_of_recognized_speech(stack: Stack) -> None:
    address = stack.riva(stack.all_services)
    with wave.open(io.BytesIO(speech.AUDIO.read_bytes())) as wav:
        rate, pcm = wav.getframerate(), wav.readframes(wav.getnframes())
    plain = _recognize(address, pcm, rate)
    punctuated = _recognize(address, pcm, rate, punctuate=True)
    assert plain and plain == plain.lower() and not plain.endswith(".")
    assert punctuated[0].isupper() and punctuated.endswith((".", "?"))
    assert punctuated.lower().rstrip(".?").replace(",", "") == plain
    with pytest.raises(grpc.RpcError) as off:  # the NLP service is off on this server
        _recognize(stack.riva(stack.asr_only), pcm, rate, punctuate=True)
    assert off.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "punctuation" in str(off.value.details())


def test_services_that_are_off_are_not_served(stack: Stack) -> None:
    address = stack.riva(stack.asr_only)
    assert _eventually_serving(_port(stack.plane, stack.asr_only, RIVA_PORT), within=10.0)
    for call in (lambda: riva.client.SpeechSynthesisService(_auth(address)).synthesize("hello"),
                 lambda: riva.client.NLPService(_auth(address)).punctuate_text(["hello"])):
        with pytest.raises(grpc.RpcError) as unimplemented:
            call()
        assert unimplemented.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert stack.plane.readiness(stack.asr_only).models == [PIPELINE]
    assert sorted(stack.plane.readiness(stack.all_services).models) == sorted(
        [PIPELINE, "riva-punctuation-en-US", f"fastpitch_hifigan_ensemble-{VOICE}"])
