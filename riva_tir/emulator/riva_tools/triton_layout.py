"""The Triton model repository `riva-deploy` writes for one ASR pipeline (docs/riva.md §6, 2.19).

For a pipeline named N: `N-asr-bls-ensemble/` (entry point, front-end/decoder assets in
`1/`), `riva-trt-N-am-streaming/` (TensorRT acoustic model, `1/model.plan`) and
`N-ctc-decoder-cpu-streaming/` (the CTC decoder, in Riva's own `riva_asr_decoder` Triton
backend, which only the riva-speech image carries: docs/riva.md §6); offline pipelines add
`-offline` to the acoustic and decoder models' names. `--acoustic_model_name=A` names the
acoustic model `riva-trt-A` instead (ASSUMPTION: the prefix stays, the given name replaces
`N-am-streaming[-offline]`; docs/riva.md §4 says the flag changes the Triton model names, not
how). `config.pbtxt` files are rendered
from Triton's own ModelConfig protobuf, so they are valid Triton text format.

ASSUMPTION: the real layout and the other backend names are UNKNOWN; the BLS ensemble is
declared in a Riva backend of its own, `riva_asr_bls` (Riva's backends ship only in the
riva-speech image), and the acoustic model as `tensorrt_plan`. The emulator's Triton plays
these backends with Python-based backends (riva_tir/emulator/triton/backends/): the ensemble
calls the acoustic model and the decoder its parameters name. The acoustic model's output
classes are the vocabulary riva-deploy writes into its version directory and the decoder's
(`vocabulary.txt`, VOCABULARY), plus the CTC blank.
An acoustic model whose engine needs TensorRT plugins names them (comma-separated file names)
in its `parameters["trt_plugins"]`, a stand-in convention: real Triton has no such field, it
just fails to deserialize the engine when a plugin was not preloaded (docs/riva.md §6).
The ensemble's `parameters` carry `type` (online/offline), `language_code`, the pipeline's
`ms_per_timestep` and the acoustic model's own `model_ms_per_timestep`, which the Riva API
stand-in reads through Triton's ModelConfig call.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

from riva_tir.emulator.riva_tools.asr_flags import DEFAULT_MS_PER_TIMESTEP

MAX_BATCH = 64


@dataclass(frozen=True)
class PipelineModels:
    """Directory (= model) names of one deployed pipeline."""

    ensemble: str
    acoustic: str
    decoder: str

    @classmethod
    def for_pipeline(cls, name: str, offline: bool, acoustic_name: str | None = None) -> PipelineModels:
        suffix = "-offline" if offline else ""
        return cls(ensemble=f"{name}-asr-bls-ensemble",
                   acoustic=f"riva-trt-{acoustic_name or f'{name}-am-streaming{suffix}'}",
                   decoder=f"{name}-ctc-decoder-cpu-streaming{suffix}")

    @property
    def names(self) -> tuple[str, str, str]:
        return self.ensemble, self.acoustic, self.decoder


# The character vocabulary of the stand-in acoustic model (SentencePiece's "▁" is the space).
VOCABULARY = ["▁", *"abcdefghijklmnopqrstuvwxyz", "'"]
BLS_BACKEND = "riva_asr_bls"


def ensemble_config(models: PipelineModels, offline: bool, language_code: str,
                    flags: dict[str, object], model_ms_per_timestep: int) -> str:
    config = mc.ModelConfig(
        name=models.ensemble,
        backend=BLS_BACKEND,
        max_batch_size=MAX_BATCH,
        input=[
            mc.ModelInput(name="AUDIO_SIGNAL", data_type=mc.TYPE_FP32, dims=[-1]),
            mc.ModelInput(name="SAMPLE_RATE", data_type=mc.TYPE_UINT32, dims=[1]),
        ],
        output=[
            mc.ModelOutput(name="FINAL_TRANSCRIPTS", data_type=mc.TYPE_STRING, dims=[-1]),
        ],
        instance_group=[mc.ModelInstanceGroup(count=1, kind=mc.ModelInstanceGroup.KIND_CPU)],
    )
    params = {
        "type": "offline" if offline else "online",
        "streaming": "false" if offline else "true",
        "language_code": language_code,
        "acoustic_model": models.acoustic,
        "decoder_model": models.decoder,
        "ms_per_timestep": str(flags.get("ms_per_timestep", DEFAULT_MS_PER_TIMESTEP)),
        "model_ms_per_timestep": str(model_ms_per_timestep),
        "chunk_size": str(flags.get("chunk_size", "")),
        "decoder_type": str(flags.get("decoder_type", "greedy")),
    }
    for key, value in params.items():
        config.parameters[key].string_value = value
    return str(text_format.MessageToString(config))


TRT_PLUGINS = "trt_plugins"


def acoustic_config(models: PipelineModels, plugins: list[str] | None = None) -> str:
    config = mc.ModelConfig(
        name=models.acoustic,
        platform="tensorrt_plan",
        max_batch_size=MAX_BATCH,
        default_model_filename="model.plan",
        input=[mc.ModelInput(name="audio_signal", data_type=mc.TYPE_FP32, dims=[-1])],
        output=[mc.ModelOutput(name="logprobs", data_type=mc.TYPE_FP32, dims=[-1, len(VOCABULARY) + 1])],
        # KIND_AUTO: the GPU where there is one, the CPU on the emulator's machine (Triton
        # refuses KIND_GPU without a GPU); what riva-deploy writes here is not known.
        instance_group=[mc.ModelInstanceGroup(count=1, kind=mc.ModelInstanceGroup.KIND_AUTO)],
    )
    if plugins:
        config.parameters[TRT_PLUGINS].string_value = ",".join(plugins)
    return str(text_format.MessageToString(config))


DECODER_BACKEND = "riva_asr_decoder"


def decoder_config(models: PipelineModels) -> str:
    config = mc.ModelConfig(
        name=models.decoder,
        backend=DECODER_BACKEND,
        max_batch_size=MAX_BATCH,
        input=[mc.ModelInput(name="CLASS_LOGITS", data_type=mc.TYPE_FP32, dims=[-1, len(VOCABULARY) + 1])],
        output=[mc.ModelOutput(name="FINAL_TRANSCRIPTS", data_type=mc.TYPE_STRING, dims=[-1])],
        instance_group=[mc.ModelInstanceGroup(count=1, kind=mc.ModelInstanceGroup.KIND_CPU)],
    )
    return str(text_format.MessageToString(config))
