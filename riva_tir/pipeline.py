"""Riva ASR pipeline presets: the `riva-build` flags for a model (docs/riva.md §4). The Triton
models `riva-deploy` makes from them are read from its output (riva_tir/conversion.py):
flags such as `--acoustic_model_name` change them."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Mode = Literal["streaming", "streaming-throughput", "offline"]
# A riva-build flag name: words joined by dots (`max_batch_size`, `nn.use_trt_fp32`), the
# form NVIDIA's documented flags take (docs/riva.md §4).
FLAG_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")

# Featurizer flags every Parakeet CTC preset shares.
_FEATURIZER = {
    "featurizer.use_utterance_norm_params": "False",
    "featurizer.precalc_norm_time_steps": "0",
    "featurizer.precalc_norm_params": "False",
}
# NVIDIA's values for parakeet-0.6b-en-US (docs/riva.md §4.3): streaming from the NIM
# riva-build table, offline from NVIDIA's Parakeet CTC tutorial. ms_per_timestep is 80 for
# Parakeet/FastConformer: 40 garbles the output.
_PRESETS: dict[Mode, dict[str, str]] = {
    "streaming": {
        "return_separate_utterances": "False",
        **_FEATURIZER,
        "ms_per_timestep": "80",
        "endpointing.residue_blanks_at_start": "-2",
        "chunk_size": "0.16",
        "left_padding_size": "1.92",
        "right_padding_size": "1.92",
        "decoder_chunk_size": "0.96",
    },
    # ASSUMPTION: docs/riva.md §4.3 leaves the throughput chunk/padding values UNKNOWN; NVIDIA's
    # 2.x Conformer throughput rows use 0.8 s chunks with 1.6 s padding.
    "streaming-throughput": {
        "return_separate_utterances": "False",
        **_FEATURIZER,
        "ms_per_timestep": "80",
        "endpointing.residue_blanks_at_start": "-2",
        "chunk_size": "0.8",
        "left_padding_size": "1.6",
        "right_padding_size": "1.6",
    },
    "offline": {
        "ms_per_timestep": "80",
        "chunk_size": "4.8",
        "left_padding_size": "1.6",
        "right_padding_size": "1.6",
        "return_separate_utterances": "True",
        "endpointing.start_history": "200",
        "endpointing.residue_blanks_at_start": "-2",
        "max_batch_size": "16",
    },
}
_SUFFIX: dict[Mode, str] = {
    "streaming": "asr-streaming",
    "streaming-throughput": "asr-streaming-throughput",
    "offline": "asr-offline",
}


def flags_as_text(value: object) -> object:
    """`pulumi config set --path …extra_flags.max_batch_size 16` stores a number (and
    `true` a boolean): riva-build reads text, Python style for booleans."""
    if isinstance(value, dict):
        return {k: (str(v) if isinstance(v, bool | int | float) else v) for k, v in value.items()}
    return value


class PipelineSpec(BaseModel):
    """How to turn a `.riva` ASR model into a Riva pipeline.

    The defaults build NGC's Parakeet CTC 0.6B en-US for low-latency streaming with the
    greedy decoder (no language-model files needed)."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    model: str = Field(default="parakeet-0.6b", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                       description="model part of the pipeline name")
    language_code: str = Field(default="en-US", pattern=r"^[a-z]{2,3}-[A-Z]{2}$")
    mode: Mode = "streaming"
    decoder: Literal["greedy", "flashlight"] = "greedy"
    lm_binary: str | None = Field(default=None, description="flashlight: on-node path of the LM .bin")
    vocab: str | None = Field(default=None, description="flashlight: on-node path of the vocab .txt")
    extra_flags: dict[str, str] = Field(
        default_factory=dict, description="more `--key=value` flags (an empty value: the switch `--key`); "
                                          "override the preset's")

    @field_validator("extra_flags", mode="before")
    @classmethod
    def _flag_values_as_text(cls, value: object) -> object:
        return flags_as_text(value)

    @model_validator(mode="after")
    def _flashlight_needs_lm(self) -> PipelineSpec:
        if self.decoder == "flashlight" and not (self.lm_binary and self.vocab):
            raise ValueError("decoder 'flashlight' needs lm_binary and vocab (on-node paths); "
                             "use decoder 'greedy' to build without a language model")
        timestep = self.extra_flags.get("ms_per_timestep")
        if self.model.startswith("parakeet") and timestep not in (None, "80"):
            raise ValueError(f"extra_flags ms_per_timestep {timestep}: Parakeet models need 80 "
                             "(another value garbles the transcripts); remove the flag")
        for key in self.extra_flags:
            if not FLAG_NAME.fullmatch(key):
                raise ValueError(f"extra_flags key {key!r}: give the flag name without dashes, "
                                 "e.g. 'endpointing.start_history'")
        return self

    @property
    def name(self) -> str:
        """Pipeline name, as clients select it (docs/riva.md §4.2)."""
        return f"{self.model}-{self.language_code}-{_SUFFIX[self.mode]}"

    def build_flags(self) -> list[str]:
        """The `--key=value` flags for `riva-build speech_recognition`."""
        flags = {"name": self.name, **_PRESETS[self.mode]}
        if self.decoder == "greedy":
            flags |= {"decoder_type": "greedy", "greedy_decoder.asr_model_delay": "-1"}
        else:
            flags |= {
                "decoder_type": "flashlight",
                "flashlight_decoder.asr_model_delay": "-1",
                "decoding_language_model_binary": str(self.lm_binary),
                "decoding_vocab": str(self.vocab),
            }
        flags |= {"language_code": self.language_code, **self.extra_flags}
        rendered = [f"--{k}={v}" if v != "" else f"--{k}" for k, v in flags.items()]
        rendered.append("--nn.fp16_needs_obey_precision_pass")
        if self.mode == "offline":
            rendered.insert(0, "--offline")
        return rendered
