"""The emulated NGC serving a full Riva speech service (ngc_catalog.py): `.riva` models and
prebuilt 2.19 RMIRs downloaded with `ngc` over real SSH, deployed into one model repository;
riva-build's refusals for the punctuation and speech-synthesis inputs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

from riva_tir.emulator.machines import MachineHost
from riva_tir.emulator.riva_tools.ngc import SIZE_ENV
from tests.emulator.machinery_harness import NGC_KEY, USER_KEY, Node, public

pytestmark = pytest.mark.emulator

NGC_ENV = {"NGC_CLI_API_KEY": NGC_KEY, "NGC_CLI_ORG": "nvidia", SIZE_ENV: "50000"}
RMIRS = ("rmir_asr_parakeet_0-6b_en_us_str", "rmir_asr_parakeet_0-6b_en_us_ofl", "rmir_asr_conformer_de_de_str_gre",
         "rmir_nlp_punctuation_bert_base_en_us", "rmir_tts_fastpitch_hifigan_en_us_ipa")
RIVAS = ("punctuationcapitalization_en_us_bert_base", "speechsynthesis_en_us_fastpitch_ipa",
         "speechsynthesis_en_us_hifigan_ipa")
PUNCTUATION = "ngc/punctuationcapitalization_en_us_bert_base_vdeployable_v1.0/punctuationcapitalization_en_us_bert_base.riva"
FASTPITCH = "ngc/speechsynthesis_en_us_fastpitch_ipa_vdeployable_v1.0/speechsynthesis_en_us_fastpitch_ipa.riva"
HIFIGAN = "ngc/speechsynthesis_en_us_hifigan_ipa_vdeployable_v1.0/speechsynthesis_en_us_hifigan_ipa.riva"


def _rmir(name: str) -> str:
    return f"ngc/{name}_v2.19.0/{name}.rmir"


@pytest.fixture(scope="module")
def ngc_node(host: MachineHost) -> Iterator[Node]:
    """A node holding every download of RMIRS (at 2.19.0) and RIVAS (at the default tag)."""
    node = Node(host, 9011, host.power_on(9011, [public(USER_KEY)]))
    refs = [f"nvidia/riva/{name}:2.19.0" for name in RMIRS] + [f"nvidia/riva/{name}:deployable_v1.0" for name in RIVAS]
    downloaded = node.run(" && ".join(f"ngc registry model download-version {ref} --dest ngc" for ref in refs),
                          env=NGC_ENV)
    assert downloaded.exit_status == 0, downloaded.stderr
    yield node
    host.destroy(9011)



def _config(repo: Path, name: str) -> mc.ModelConfig:
    return text_format.Parse((repo / name / "config.pbtxt").read_text(), mc.ModelConfig())


def _parameter(config: mc.ModelConfig, key: str) -> str:
    return str(config.parameters[key].string_value)


def test_prebuilt_rmirs_and_built_rivas_deploy_into_one_repository(ngc_node: Node) -> None:
    deploys = " && ".join(f"riva-deploy -f {_rmir(name)}:tlt_encode models" for name in RMIRS)
    builds = (f"riva-build punctuation -f own-punct.rmir {PUNCTUATION}:tlt_encode --name=own-punctuation "
              "--language_code=en-US && "
              f"riva-build speech_synthesis -f own-tts.rmir {FASTPITCH}:tlt_encode {HIFIGAN}:tlt_encode "
              "--voice_name=Own-US --language_code=en-US --phone_set=ipa && "
              "riva-deploy own-punct.rmir models && riva-deploy own-tts.rmir models")
    ngc_node.ok(f"{deploys} && {builds}")
    repo = ngc_node.disk / "models"
    tts = ("fastpitch_hifigan_ensemble-{v}", "riva-onnx-fastpitch_encoder-{v}", "riva-trt-hifigan-{v}",
           "spectrogram_chunker-{v}", "tts_postprocessor-{v}", "tts_preprocessor-{v}")
    assert sorted(p.name for p in repo.iterdir()) == sorted([
        "parakeet-0.6b-en-US-asr-streaming-asr-bls-ensemble",
        "riva-trt-parakeet-0.6b-en-US-asr-streaming-am-streaming",
        "parakeet-0.6b-en-US-asr-streaming-ctc-decoder-cpu-streaming",
        "parakeet-0.6b-en-US-asr-offline-asr-bls-ensemble",
        "riva-trt-parakeet-0.6b-en-US-asr-offline-am-streaming-offline",
        "parakeet-0.6b-en-US-asr-offline-ctc-decoder-cpu-streaming-offline",
        "conformer-de-DE-asr-streaming-asr-bls-ensemble",
        "riva-trt-conformer-de-DE-asr-streaming-am-streaming",
        "conformer-de-DE-asr-streaming-ctc-decoder-cpu-streaming",
        "riva-punctuation-en-US", "riva-trt-riva-punctuation-en-US-nn-bert-base-uncased",
        "own-punctuation-en-US", "riva-trt-own-punctuation-en-US-nn-bert-base-uncased",
        *(name.format(v="English-US") for name in tts), *(name.format(v="Own-US") for name in tts),
    ])
    # NVIDIA's flags for each: the mode's preset, the model's frame duration, the decoder.
    offline = _config(repo, "parakeet-0.6b-en-US-asr-offline-asr-bls-ensemble")
    assert (_parameter(offline, "type"), _parameter(offline, "decoder_type")) == ("offline", "flashlight")
    assert (repo / "parakeet-0.6b-en-US-asr-offline-asr-bls-ensemble" / "1" / "vocab.txt").is_file()
    streaming = _config(repo, "parakeet-0.6b-en-US-asr-streaming-asr-bls-ensemble")
    assert (_parameter(streaming, "type"), _parameter(streaming, "chunk_size")) == ("online", "0.16")
    conformer = _config(repo, "conformer-de-DE-asr-streaming-asr-bls-ensemble")
    assert [_parameter(conformer, key) for key in ("language_code", "decoder_type", "ms_per_timestep")] == [
        "de-DE", "greedy", "40"]
    voice = _config(repo, "fastpitch_hifigan_ensemble-English-US")
    assert [_parameter(voice, key) for key in ("voice_name", "language_code", "sample_rate")] == [
        "English-US", "en-US", "44100"]
    assert _parameter(_config(repo, "riva-punctuation-en-US"), "language_code") == "en-US"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("rmir_asr_parakeet_0-6b_de_de_str:2.19.0", "could not be found"),  # not a language of the model
        ("rmir_asr_parakeet_1-1b_en_us_str_silero:2.19.0", "could not be found"),  # accessories: not served
        ("rmir_asr_parakeet_0-6b_en_us_ofl_thr:2.19.0", "could not be found"),  # throughput is streaming only
        ("rmir_asr_whisper_large_multi_ofl:2.19.0", "could not be found"),
        ("rmir_tts_fastpitch_hifigan_de_de_ipa:2.19.0", "could not be found"),
        ("rmir_nlp_punctuation_bert_base_en_us:deployable_v1.0", "Available: 2.19.0"),
        ("speechsynthesis_en_us_hifigan_ipa:2.19.0", "Version '2.19.0'"),
    ],
)
def test_names_and_versions_ngc_does_not_serve(ngc_node: Node, ref: str, message: str) -> None:
    result = ngc_node.run(f"ngc registry model download-version nvidia/riva/{ref} --dest missing", env=NGC_ENV)
    assert result.exit_status != 0
    assert message in result.stderr
    assert not (ngc_node.disk / "missing").exists()


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (f"riva-build speech_synthesis -f out.rmir {FASTPITCH}:tlt_encode {FASTPITCH}:tlt_encode",
         "holds a 'tts_fastpitch' model; speech_synthesis needs a FastPitch model (tts_fastpitch) first, "
         "then a HiFi-GAN vocoder (tts_hifigan)"),
        (f"riva-build speech_recognition -f out.rmir {PUNCTUATION}:tlt_encode",
         "holds a 'punctuation' model; speech_recognition needs an ASR model"),
        (f"echo 'HELLO  həˈloʊ' > dict.txt && riva-build speech_synthesis -f out.rmir {FASTPITCH}:tlt_encode "
         f"{HIFIGAN}:tlt_encode --phone_dictionary_file=dict.txt",
         "--phone_dictionary_file needs --phone_set=ipa|arpabet"),
        (f"riva-build speech_synthesis -f out.rmir {FASTPITCH}:tlt_encode {HIFIGAN}:tlt_encode "
         "--abbreviations_file=no-such-abbr.txt",
         "invalid value for --abbreviations_file: file not found: no-such-abbr.txt"),
        (f"riva-deploy -f {_rmir('rmir_nlp_punctuation_bert_base_en_us')} repo", "encrypted and no key was given"),
    ],
)
def test_builds_the_real_tools_refuse(ngc_node: Node, command: str, message: str) -> None:
    result = ngc_node.run(command)
    assert result.exit_status != 0
    assert message in result.stderr
    assert not (ngc_node.disk / "out.rmir").exists()
