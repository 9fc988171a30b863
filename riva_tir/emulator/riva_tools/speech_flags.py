"""The `riva-build punctuation` and `riva-build speech_synthesis` flags the emulator knows.

Same rules as asr_flags.py: the documented flags (docs/riva.md §4.7, the 2.19 TTS tutorial
command) are checked by type, any other well-formed `--section.key=value` is kept as text,
values are written `--name=value`.

ASSUMPTION (docs/riva.md §4.7, one place): punctuation's Triton names come from `--name`
(default `riva-punctuation`) and the language code: `<name>-<lang>` and
`riva-trt-<name>-<lang>-nn-bert-base-uncased`, as deployed repositories show for the default.
A speech_synthesis build without `--voice_name` is the voice `English-US`, at 44100 Hz
(the tutorial's rate), with one speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from riva_tir.emulator.riva_tools.asr_flags import (
    FlagError,
    Parser,
    boolean,
    existing_file,
    language_code,
    one_of,
    parse_tokens,
    triton_name,
)

DEFAULT_PUNCTUATION_NAME = "riva-punctuation"
DEFAULT_VOICE = "English-US"
DEFAULT_SAMPLE_RATE = 44100
SAMPLE_RATES = (8000, 16000, 22050, 24000, 32000, 44100, 48000)

PUNCTUATION_FLAGS: dict[str, Parser] = {
    "name": triton_name,
    "language_code": language_code,
    "max_batch_size": int,
}


def _sample_rate(text: str) -> int:
    rate = int(text)
    if rate not in SAMPLE_RATES:
        raise ValueError(f"expected one of {', '.join(map(str, SAMPLE_RATES))}")
    return rate


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise ValueError("expected 1 or more")
    return number


def _subvoices(text: str) -> str:
    """`name:id,...` (the format GetRivaSynthesisConfig reports back, docs/riva.md §9)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+:\d+(,[A-Za-z0-9_-]+:\d+)*", text):
        raise ValueError("expected NAME:ID pairs separated by commas, e.g. 0:0,1:1")
    return text


SYNTHESIS_FLAGS: dict[str, Parser] = {
    "voice_name": triton_name,
    "language_code": language_code,
    "sample_rate": _sample_rate,
    "phone_set": one_of("ipa", "arpabet"),
    "phone_dictionary_file": existing_file,
    "abbreviations_file": existing_file,
    "wfst_tokenizer_model": existing_file,
    "wfst_verbalizer_model": existing_file,
    "upper_case_chars": boolean,
    "num_speakers": _positive,
    "subvoices": _subvoices,
    "max_batch_size": int,
}

# The auxiliary files a speech_synthesis RMIR carries (copied as assets).
SYNTHESIS_FILES: tuple[str, ...] = tuple(
    name for name, parser in SYNTHESIS_FLAGS.items() if parser is existing_file)


@dataclass(frozen=True)
class PunctuationConfig:
    name: str
    language_code: str
    values: dict[str, object]

    @property
    def ensemble(self) -> str:
        return f"{self.name}-{self.language_code}"


def parse_punctuation(tokens: list[str]) -> PunctuationConfig:
    values, _ = parse_tokens(tokens, PUNCTUATION_FLAGS, frozenset())
    return PunctuationConfig(str(values.get("name", DEFAULT_PUNCTUATION_NAME)),
                             str(values.get("language_code", "en-US")), values)


@dataclass(frozen=True)
class SynthesisConfig:
    voice: str
    language_code: str
    sample_rate: int
    subvoices: str
    values: dict[str, object]

    @property
    def files(self) -> dict[str, str]:
        """Flag -> auxiliary file path, for the flags given."""
        return {flag: str(self.values[flag]) for flag in SYNTHESIS_FILES if flag in self.values}


def parse_synthesis(tokens: list[str]) -> SynthesisConfig:
    values, _ = parse_tokens(tokens, SYNTHESIS_FLAGS, frozenset())
    speakers = int(str(values.get("num_speakers", 1)))
    subvoices = str(values.get("subvoices", ""))
    too_high = [pair for pair in filter(None, subvoices.split(",")) if int(pair.split(":")[1]) >= speakers]
    if too_high:
        raise FlagError(f"invalid value for --subvoices: speaker id of '{too_high[0]}' is not below "
                        f"--num_speakers={speakers}")
    if ("wfst_tokenizer_model" in values) != ("wfst_verbalizer_model" in values):
        raise FlagError("--wfst_tokenizer_model and --wfst_verbalizer_model go together")
    if "phone_dictionary_file" in values and "phone_set" not in values:
        raise FlagError("--phone_dictionary_file needs --phone_set=ipa|arpabet")
    return SynthesisConfig(str(values.get("voice_name", DEFAULT_VOICE)), str(values.get("language_code", "en-US")),
                           int(str(values.get("sample_rate", DEFAULT_SAMPLE_RATE))), subvoices, values)
