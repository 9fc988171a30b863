"""The `riva-build speech_recognition` flags the emulator knows, and their validation.

The known set is the streaming and offline flags of docs/riva.md §4 (2.19 `--flag=value` syntax),
checked by type. The real tool has many more (its pipeline configuration is a tree of
`section.key` settings), so any other well-formed `--name=value` (FLAG_NAME) is accepted and
recorded as text: the emulator must not refuse what users legitimately pass. A value for a
switch, a known flag without its value or a malformed name is refused.

ASSUMPTION: value flags must be written `--name=value` (docs/riva.md §4.1 shows only that form); a
space-separated value is refused so generated command lines stay in the documented shape.
A wrong `--ms_per_timestep` is accepted as by the real tool (docs/riva.md §11.3: the server
then returns garbled text); the build records the acoustic model's own frame duration
(`model_ms_per_timestep`), from which the Riva stand-in degrades recognition
(riva_tir/emulator/dataplane/riva.py). A missing flag counts as the Conformer default 40.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class FlagError(Exception):
    """A flag is unknown or has an invalid value (message is shown to the user)."""


def boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    raise ValueError("expected True or False")


def language_code(text: str) -> str:
    if not re.fullmatch(r"[a-z]{2,3}-[A-Z]{2}", text):
        raise ValueError("expected a language code like en-US")
    return text


def triton_name(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", text):
        raise ValueError("expected letters, digits, '.', '_' or '-'")
    return text


def one_of(*choices: str) -> Callable[[str], str]:
    """A flag value that must be one of `choices`."""
    def choice(text: str) -> str:
        if text not in choices:
            raise ValueError(f"expected {' or '.join(choices)}")
        return text
    return choice


def existing_file(text: str) -> str:
    if not Path(text).is_file():
        raise ValueError(f"file not found: {text}")
    return text


Parser = Callable[[str], object]

# Flags that take no value (present = enabled).
SWITCHES: frozenset[str] = frozenset(
    {"offline", "nn.fp16_needs_obey_precision_pass", "nn.use_trt_fp32"}
)

VALUE_FLAGS: dict[str, Parser] = {
    "name": triton_name,
    "language_code": language_code,
    "ms_per_timestep": int,
    "chunk_size": float,
    "left_padding_size": float,
    "right_padding_size": float,
    "decoder_chunk_size": float,
    "max_batch_size": int,
    "acoustic_model_name": triton_name,  # changes the Triton model names (triton_layout.py)
    "featurizer_name": triton_name,
    "endpointing.start_history": int,
    "return_separate_utterances": boolean,
    "featurizer.use_utterance_norm_params": boolean,
    "featurizer.precalc_norm_time_steps": int,
    "featurizer.precalc_norm_params": boolean,
    "featurizer.max_batch_size": int,
    "featurizer.max_execution_batch_size": int,
    "endpointing.residue_blanks_at_start": int,
    "decoder_type": one_of("greedy", "flashlight"),
    "greedy_decoder.asr_model_delay": int,
    "flashlight_decoder.asr_model_delay": int,
    "flashlight_decoder.lm_weight": float,
    "flashlight_decoder.word_insertion_score": float,
    "flashlight_decoder.beam_size": int,
    "flashlight_decoder.beam_threshold": float,
    "flashlight_decoder.num_tokenization": int,
    "decoding_language_model_binary": existing_file,
    "decoding_vocab": existing_file,
    "decoding_language_model_arpa": existing_file,
    "wfst_tokenizer_model": existing_file,
    "wfst_verbalizer_model": existing_file,
    "speech_hints_model": existing_file,
    "profane_words_file": existing_file,
}

# Flags naming files that the RMIR must carry along (copied as assets).
FILE_FLAGS: tuple[str, ...] = tuple(
    name for name, parser in VALUE_FLAGS.items() if parser is existing_file
)

# Any other flag the real tool's configuration tree may hold: `section.key` words.
FLAG_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")

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


def parse_tokens(tokens: list[str], value_flags: dict[str, Parser],
                 switches_known: frozenset[str]) -> tuple[dict[str, object], frozenset[str]]:
    """Validate `--flag[=value]` tokens against one task's known flags (any other
    well-formed `--name=value` is kept as text); raise FlagError naming the first bad one."""
    values: dict[str, object] = {}
    switches: set[str] = set()
    for token in tokens:
        name, sep, raw = token[2:].partition("=")
        if name in switches_known:
            if sep:
                raise FlagError(f"flag --{name} takes no value")
            switches.add(name)
            continue
        parser = value_flags.get(name)
        if parser is None and not (sep and FLAG_NAME.fullmatch(name)):
            raise FlagError(f"unrecognized argument: --{name}")
        if not sep:
            raise FlagError(f"flag --{name} needs a value: --{name}=VALUE")
        if parser is None:
            values[name] = raw
            continue
        try:
            values[name] = parser(raw)
        except ValueError as exc:
            raise FlagError(f"invalid value for --{name}: {exc}") from None
    return values, frozenset(switches)


def parse_flags(tokens: list[str]) -> AsrBuildConfig:
    """The speech_recognition flags, checked together."""
    values, switches = parse_tokens(tokens, VALUE_FLAGS, SWITCHES)
    if values.get("decoder_type") == "flashlight":
        for needed in ("decoding_language_model_binary", "decoding_vocab"):
            if needed not in values:
                raise FlagError(f"--decoder_type=flashlight needs --{needed}=FILE")
    return AsrBuildConfig(values=values, switches=switches)


def model_ms_per_timestep(model: str) -> int:
    """The acoustic model's own output frame duration, which its `.riva` config fixes
    (window stride x subsampling): 80 ms for Parakeet/FastConformer, 40 for Conformer
    (docs/riva.md §4)."""
    return PARAKEET_MS_PER_TIMESTEP if "parakeet" in model.lower() else DEFAULT_MS_PER_TIMESTEP
