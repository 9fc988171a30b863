"""riva-build / riva-deploy / ngc, run over real SSH exec on an emulated node."""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

from riva_tir.pipeline import PipelineSpec
from tests.emulator.machinery_harness import NGC_KEY, USER_KEY, Node, public
from riva_tir.emulator.machines import MachineHost
from riva_tir.emulator.riva_tools.archive import random_chunks
from riva_tir.emulator.riva_tools.ngc import TAGS_ENV

pytestmark = pytest.mark.emulator

# The flags riva-tir passes (riva_tir/pipeline.py): the emulated tool takes them as they are.
STREAMING_FLAGS = shlex.join(PipelineSpec().build_flags())
OFFLINE_FLAGS = shlex.join(PipelineSpec(mode="offline", extra_flags={"max_batch_size": "32"}).build_flags())
SECRET_KEY = "sekrit-model-key"
PAYLOAD = 3_000_000
BUILD_OK = f"asr.rmir:{SECRET_KEY} model.riva:{SECRET_KEY} --ms_per_timestep=80"


@pytest.fixture(scope="module")
def tools_node(host: MachineHost) -> Iterator[Node]:
    port = host.power_on(9001, [public(USER_KEY)])
    node = Node(host, 9001, port)
    made = node.run(
        f"python -m riva_tir.emulator.riva_tools make-artifact model.riva --size {PAYLOAD} "
        f"--key {SECRET_KEY} && python -m riva_tir.emulator.riva_tools make-artifact tts.riva "
        f"--kind tts --size 1000 --key {SECRET_KEY} && echo not a tar > bogus.riva && "
        f"riva-build speech_recognition {BUILD_OK}"
    )
    assert made.exit_status == 0, made.stderr
    yield node
    host.destroy(9001)



def test_build_and_deploy_streaming_and_offline_into_one_repository(tools_node: Node) -> None:
    build = tools_node.ok(f"riva-build speech_recognition -f asr.rmir:{SECRET_KEY} "
                          f"model.riva:{SECRET_KEY} {STREAMING_FLAGS}")
    assert "parakeet-0.6b-en-US-asr-streaming" in build
    tools_node.ok(f"riva-build speech_recognition -f offline.rmir model.riva:{SECRET_KEY} "
                  f"{OFFLINE_FLAGS}")  # output without key: unencrypted RMIR
    deployed = tools_node.ok(f"riva-deploy -f asr.rmir:{SECRET_KEY} models && "
                             "riva-deploy offline.rmir models")
    assert "[riva-deploy] Deployed pipeline 'parakeet-0.6b-en-US-asr-streaming'" in deployed
    repo = tools_node.disk / "models"
    names = sorted(p.name for p in repo.iterdir())
    assert names == [
        "parakeet-0.6b-en-US-asr-offline-asr-bls-ensemble",
        "parakeet-0.6b-en-US-asr-offline-ctc-decoder-cpu-streaming-offline",
        "parakeet-0.6b-en-US-asr-streaming-asr-bls-ensemble",
        "parakeet-0.6b-en-US-asr-streaming-ctc-decoder-cpu-streaming",
        "riva-trt-parakeet-0.6b-en-US-asr-offline-am-streaming-offline",
        "riva-trt-parakeet-0.6b-en-US-asr-streaming-am-streaming",
    ]
    for name in names:
        config = text_format.Parse((repo / name / "config.pbtxt").read_text(), mc.ModelConfig())
        assert config.name == name and (config.backend or config.platform)
        assert (repo / name / "1").is_dir()
    ensemble = text_format.Parse(
        (repo / names[0] / "config.pbtxt").read_text(), mc.ModelConfig())
    assert ensemble.parameters["type"].string_value == "offline"
    assert (repo / names[2] / "1" / "lexicon.txt").is_file()
    decoder = text_format.Parse((repo / names[3] / "config.pbtxt").read_text(), mc.ModelConfig())
    assert decoder.backend == "riva_asr_decoder"  # Riva's own backend (docs/riva.md §6)
    # The "engine" is the model payload, decrypted through .riva key -> .rmir key -> deploy.
    plan = (repo / names[5] / "1" / "model.plan").read_bytes()
    expected = hashlib.sha256(b"".join(random_chunks(0, PAYLOAD))).digest()
    assert hashlib.sha256(plan).digest() == expected
    assert SECRET_KEY.encode() not in (tools_node.disk / "asr.rmir").read_bytes()


def test_flags_users_pass_are_taken_and_name_the_models(tools_node: Node) -> None:
    """NVIDIA's documented flags through `extra_flags` (docs/riva.md §4) build, as with the real
    tool, even a wrong ms_per_timestep (the server garbles instead); `--acoustic_model_name`
    renames the acoustic model riva-deploy writes."""
    extra = {"acoustic_model_name": "my-am", "featurizer_name": "my-feat", "endpointing.start_history": "300",
             "endpointing.stop_history": "800", "ms_per_timestep": "40"}
    flags = shlex.join(PipelineSpec(model="custom", extra_flags=extra).build_flags())
    tools_node.ok(f"riva-build speech_recognition -f own.rmir model.riva:{SECRET_KEY} {flags} && "
                  "riva-deploy -f own.rmir own-models")
    repo = tools_node.disk / "own-models"
    assert sorted(p.name for p in repo.iterdir()) == [
        "custom-en-US-asr-streaming-asr-bls-ensemble", "custom-en-US-asr-streaming-ctc-decoder-cpu-streaming",
        "riva-trt-my-am"]
    ensemble = text_format.Parse((repo / "custom-en-US-asr-streaming-asr-bls-ensemble" / "config.pbtxt").read_text(),
                                 mc.ModelConfig())
    # The pipeline's frame duration and the Parakeet model's own, which the Riva stand-in compares.
    assert ensemble.parameters["ms_per_timestep"].string_value == "40"
    assert ensemble.parameters["model_ms_per_timestep"].string_value == "80"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("riva-build speech_recognition -f out.rmir:k model.riva --ms_per_timestep=80",
         "encrypted and no key was given"),
        ("riva-build speech_recognition -f out.rmir:k model.riva:wrong-key --ms_per_timestep=80",
         "wrong key (EFF decryption error)"),
        (f"riva-build speech_recognition -f out.rmir tts.riva:{SECRET_KEY}",
         "holds a 'tts' model; speech_recognition needs an ASR model"),
        ("riva-build speech_recognition -f out.rmir bogus.riva:k",
         "is not a valid riva-eff archive"),
        ("riva-build speech_recognition -f out.rmir missing.riva:k --ms_per_timestep=80",
         "input file 'missing.riva' does not exist"),
        (f"touch taken.rmir && riva-build speech_recognition taken.rmir model.riva:{SECRET_KEY} "
         "--ms_per_timestep=80", "already exists; use -f"),
        (f"riva-build speech_recognition -f out.rmir: model.riva:{SECRET_KEY}",
         "expected FILE or FILE:KEY"),
        ("riva-build speech_recognition -f out.rmir model.riva:a:b", "expected FILE or FILE:KEY"),
        (f"riva-build speech_recognition -f {BUILD_OK} --decoder-type=triton",
         "unrecognized argument: --decoder-type"),
        (f"riva-build speech_recogniton -f {BUILD_OK}", "invalid choice: 'speech_recogniton'"),
        (f"riva-build speech_recognition -f {BUILD_OK} --nn.use_trt_fp32=True",
         "flag --nn.use_trt_fp32 takes no value"),
        (f"riva-build speech_recognition -f {BUILD_OK} --endpointing.bogus",
         "unrecognized argument: --endpointing.bogus"),
        (f"riva-build speech_recognition -f {BUILD_OK} --chunk_size 0.16",
         "flag --chunk_size needs a value"),
        (f"riva-build speech_recognition -f {BUILD_OK} --chunk_size=fast",
         "invalid value for --chunk_size"),
        (f"riva-build speech_recognition -f out.riva model.riva:{SECRET_KEY} --ms_per_timestep=80",
         "must be an .rmir file"),
        (f"riva-build speech_recognition -f {BUILD_OK} --decoder_type=flashlight",
         "needs --decoding_language_model_binary"),
        ("riva-deploy -f asr.rmir:wrong-key repo", "wrong key (decryption error)"),
        ("riva-deploy -f asr.rmir repo", "encrypted and no key was given"),
        (f"riva-deploy -f model.riva:{SECRET_KEY} repo", "is not a valid riva-rmir archive"),
        (f"riva-deploy asr.rmir:{SECRET_KEY}",
         "expected INPUT.rmir[:KEY] and MODEL_REPOSITORY_DIR"),
    ],
)
def test_bad_command_lines_fail_like_the_real_tools(tools_node: Node, command: str,
                                                    message: str) -> None:
    result = tools_node.run(command)
    assert result.exit_status != 0
    assert message in result.stderr
    assert SECRET_KEY not in result.stderr + result.stdout
    assert "wrong-key" not in result.stderr


def test_deploy_refuses_to_overwrite_without_force(tools_node: Node) -> None:
    tools_node.ok(f"riva-build speech_recognition -f {BUILD_OK} --name=again && "
                  f"riva-deploy asr.rmir:{SECRET_KEY} again-repo")
    second = tools_node.run(f"riva-deploy asr.rmir:{SECRET_KEY} again-repo")
    assert second.exit_status == 1
    assert "already exists; use -f to overwrite" in second.stderr
    assert "Removing existing again-asr-bls-ensemble" in tools_node.ok(
        f"riva-deploy -f asr.rmir:{SECRET_KEY} again-repo")


def test_ngc_download_feeds_riva_build(tools_node: Node) -> None:
    """The catalog serves the tags it is configured with, none built in (ngc.py)."""
    ref = "nvidia/riva/parakeet-ctc-riva-0-6b-en-us:deployable_v2.3"
    env = {"NGC_CLI_API_KEY": NGC_KEY, "NGC_CLI_ORG": "nvidia", TAGS_ENV: "deployable_v1.0,deployable_v2.3"}
    result = tools_node.run(f"ngc registry model download-version {ref} --dest ngc", env=env)
    assert result.exit_status == 0, result.stderr
    riva = Path("ngc/parakeet-ctc-riva-0-6b-en-us_vdeployable_v2.3/parakeet-ctc-riva-0-6b-en-us.riva")
    assert (tools_node.disk / riva).is_file()
    tools_node.ok(f"riva-build speech_recognition -f ngc.rmir:tlt_encode {riva}:tlt_encode "
                  "--ms_per_timestep=80")


@pytest.mark.parametrize(
    ("key", "ref", "message"),
    [
        ("wrong", "nvidia/riva/parakeet-ctc-riva-0-6b-en-us:deployable_v1.0", "Invalid apikey"),
        ("", "nvidia/riva/parakeet-ctc-riva-0-6b-en-us:deployable_v1.0", "Missing API key"),
        (NGC_KEY, "nvidia/riva/no-such-model:deployable_v1.0", "could not be found"),
        # A Riva version is no NGC model tag (docs/riva.md §2: NGC tags are `deployable_vX.Y`).
        (NGC_KEY, "nvidia/riva/parakeet-ctc-riva-0-6b-en-us:2.19.0", "Version '2.19.0'"),
        (NGC_KEY, "parakeet-ctc-riva-0-6b-en-us", "Invalid target"),
    ],
)
def test_ngc_download_errors(tools_node: Node, key: str, ref: str, message: str) -> None:
    result = tools_node.run(f"ngc registry model download-version {ref} --dest bad",
                            env={"NGC_CLI_API_KEY": key})
    assert result.exit_status != 0
    assert message in result.stderr
    assert NGC_KEY not in result.stderr + result.stdout
    assert not (tools_node.disk / "bad").exists()


def test_a_plugin_the_model_declares_must_be_a_file_name(tools_node: Node) -> None:
    """The stand-in archive's `trt_plugins` become files beside the repository: no paths."""
    from riva_tir.emulator.riva_tools import make_riva_archive

    make_riva_archive(tools_node.disk / "evil.riva", key=SECRET_KEY, size_bytes=1000, trt_plugins=("../evil.so",))
    result = tools_node.run(f"riva-build speech_recognition -f evil.rmir evil.riva:{SECRET_KEY}")
    assert result.exit_status != 0 and "trt_plugins must be a list of file names" in result.stderr
    assert not (tools_node.disk / "evil.rmir").exists()
