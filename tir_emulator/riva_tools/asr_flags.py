"""The `riva-build speech_recognition` flags the emulator knows, and their validation.

The set is the streaming and offline flags of docs/riva.md §4.3-§4.5 (2.19 `--flag=value` syntax).
Unknown flags are refused, the way the real argument parser would refuse them.

ASSUMPTION: value flags must be written `--name=value` (docs/riva.md §4.1 shows only that form); a
space-separated value is refused so generated command lines stay in the documented shape.
ASSUMPTION: `--ms_per_timestep` must be 80 for Parakeet/FastConformer models (docs/riva.md §11.3).
The real tool accepts 40 and the server then returns garbled text; the emulator fails the
build instead so the mistake surfaces at build time. A missing flag counts as the
Conformer default 40.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class FlagError(Exception):
    """A flag is unknown or has an invalid value (message is shown to the user)."""


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    raise ValueError("expected True or False")


def _language(text: str) -> str:
    if not re.fullmatch(r"[a-z]{2,3}-[A-Z]{2}", text):
        raise ValueError("expected a language code like en-US")
    return text


def _name(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", text):
        raise ValueError("expected letters, digits, '.', '_' or '-'")
    return text


def _decoder(text: str) -> str:
    if text not in {"greedy", "flashlight"}:
        raise ValueError("expected greedy or flashlight")
    return text


def _existing_file(text: str) -> str:
    if not Path(text).is_file():
        raise ValueError(f"file not found: {text}")
    return text


Parser = Callable[[str], object]

# Flags that take no value (present = enabled).
SWITCHES: frozenset[str] = frozenset(
    {"offline", "nn.fp16_needs_obey_precision_pass", "nn.use_trt_fp32"}
)

VALUE_FLAGS: dict[str, Parser] = {
    "name": _name,
    "language_code": _language,
    "ms_per_timestep": int,
    "chunk_size": float,
    "left_padding_size": float,
    "right_padding_size": float,
    "decoder_chunk_size": float,  # NIM table; 2.19 support UNKNOWN, accepted
    "max_batch_size": int,
    "return_separate_utterances": _bool,
    "featurizer.use_utterance_norm_params": _bool,
    "featurizer.precalc_norm_time_steps": int,
    "featurizer.precalc_norm_params": _bool,
    "featurizer.max_batch_size": int,
    "featurizer.max_execution_batch_size": int,
    "endpointing.residue_blanks_at_start": int,
    "decoder_type": _decoder,
    "greedy_decoder.asr_model_delay": int,
    "flashlight_decoder.asr_model_delay": int,
    "flashlight_decoder.lm_weight": float,
    "flashlight_decoder.word_insertion_score": float,
    "flashlight_decoder.beam_size": int,
    "flashlight_decoder.beam_threshold": float,
    "flashlight_decoder.num_tokenization": int,
    "decoding_language_model_binary": _existing_file,
    "decoding_vocab": _existing_file,
    "wfst_tokenizer_model": _existing_file,
    "wfst_verbalizer_model": _existing_file,
    "speech_hints_model": _existing_file,
    "profane_words_file": _existing_file,
}

# Flags naming files that the RMIR must carry along (copied as assets).
FILE_FLAGS: tuple[str, ...] = tuple(
    name for name, parser in VALUE_FLAGS.items() if parser is _existing_file
)

PARAKEET_MS_PER_TIMESTEP = 80
DEFAULT_MS_PER_TIMESTEP = 40


@dataclass(frozen=True)
class AsrBuildConfig:
    """The validated flags of one build."""

    values: dict[str, object]
    switches: frozenset[str]

    @property
    def offline(self) -> bool:
        return "offline" in self.switches

    @property
    def mode(self) -> str:
        return "offline" if self.offline else "streaming"

    def pipeline_name(self, model: str) -> str:
        """`--name`, else ASSUMPTION: `<model>-asr-<mode>` (the real default is UNKNOWN)."""
        explicit = self.values.get("name")
        return str(explicit) if explicit else f"{model}-asr-{self.mode}"

    @property
    def language_code(self) -> str:
        return str(self.values.get("language_code", "en-US"))

    def as_manifest(self) -> dict[str, object]:
        flags: dict[str, object] = dict(self.values)
        flags.update({name: True for name in sorted(self.switches)})
        return flags


def parse_flags(tokens: list[str]) -> AsrBuildConfig:
    """Validate `--flag[=value]` tokens; raise FlagError naming the first bad one."""
    values: dict[str, object] = {}
    switches: set[str] = set()
    for token in tokens:
        name, sep, raw = token[2:].partition("=")
        if name in SWITCHES:
            if sep:
                raise FlagError(f"flag --{name} takes no value")
            switches.add(name)
            continue
        parser = VALUE_FLAGS.get(name)
        if parser is None:
            raise FlagError(f"unrecognized argument: --{name}")
        if not sep:
            raise FlagError(f"flag --{name} needs a value: --{name}=VALUE")
        try:
            values[name] = parser(raw)
        except ValueError as exc:
            raise FlagError(f"invalid value for --{name}: {exc}") from None
    if values.get("decoder_type") == "flashlight":
        for needed in ("decoding_language_model_binary", "decoding_vocab"):
            if needed not in values:
                raise FlagError(f"--decoder_type=flashlight needs --{needed}=FILE")
    return AsrBuildConfig(values=values, switches=frozenset(switches))


def check_acoustic_model(config: AsrBuildConfig, model: str) -> None:
    """Fail on the known Parakeet pitfall (see module docstring)."""
    ms = config.values.get("ms_per_timestep", DEFAULT_MS_PER_TIMESTEP)
    if "parakeet" in model.lower() and ms != PARAKEET_MS_PER_TIMESTEP:
        raise FlagError(
            f"--ms_per_timestep={ms} does not match the Parakeet/FastConformer acoustic model "
            f"'{model}' (needs --ms_per_timestep={PARAKEET_MS_PER_TIMESTEP}); "
            "the server would return garbled or empty transcripts"
        )
