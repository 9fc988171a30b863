"""What the emulated NGC registry serves: `.riva` models and NVIDIA's prebuilt 2.19 RMIRs.

Names follow the 2.19 quick start's `config.sh` and NVIDIA's tutorials (docs/emulator.md, the
`ngc` tool; docs/riva.md §2, §4.7):
- `.riva` models (RIVA_MODELS), at the tags ngc.py serves;
- `rmir_asr_<model>_<ll_rr>_<str|str_thr|ofl>[_gre]` for the models and languages of
  ASR_LANGUAGES (the model written with `.` as `-`: `parakeet_0-6b`). `_gre` is the greedy
  decoder; without it, flashlight with a language model. Flags: riva-tir's presets for the
  mode (riva_tir/pipeline.py), the model's own `--ms_per_timestep`; pipeline name
  `<model>-<lang>-asr-<mode>` with NVIDIA's spelling of the model (`parakeet-0.6b`);
- `rmir_nlp_punctuation_bert_base_<ll_rr>`: `riva-build punctuation --language_code=<lang>`;
- `rmir_tts_fastpitch_hifigan_<ll_rr>_ipa` for the languages of TTS_VOICES:
  `riva-build speech_synthesis --voice_name=<voice> --language_code=<lang> --sample_rate=44100
  --phone_set=ipa`.
All at RMIR_VERSION. The accessory variants (VAD, diarizer, telephony) are not served.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from riva_tir.emulator.riva_tools.archive import random_chunks
from riva_tir.emulator.riva_tools.asr_flags import model_ms_per_timestep
from riva_tir.pipeline import Mode, PipelineSpec

ORG = "nvidia/riva/"
# ASSUMPTION: NGC's Riva models, `.riva` and RMIR alike, are encrypted with `tlt_encode`
# (docs/riva.md §3 says default to it).
NGC_MODEL_KEY = "tlt_encode"
RMIR_VERSION = "2.19.0"  # the quick start's riva_ngc_model_version
DEFAULT_SIZE = 4 << 20  # payload bytes of a generated model (the real sizes are UNKNOWN)


@dataclass(frozen=True)
class RivaModel:
    """A `.riva` (EFF stand-in) as make_riva_archive writes it."""

    model: str
    kind: str
    key: str | None = NGC_MODEL_KEY
    size_bytes: int = DEFAULT_SIZE


RIVA_MODELS: dict[str, RivaModel] = {
    f"{ORG}parakeet-ctc-riva-0-6b-en-us": RivaModel("parakeet-ctc-0.6b-en-us", "asr"),
    f"{ORG}punctuationcapitalization_en_us_bert_base": RivaModel("punctuation-bert-base-en-us", "punctuation"),
    f"{ORG}punctuationcapitalization_de_de_bert_base": RivaModel("punctuation-bert-base-de-de", "punctuation"),
    f"{ORG}punctuationcapitalization_ru_ru_bert_base": RivaModel("punctuation-bert-base-ru-ru", "punctuation"),
    f"{ORG}speechsynthesis_en_us_fastpitch_ipa": RivaModel("fastpitch-en-us-ipa", "tts_fastpitch"),
    f"{ORG}speechsynthesis_en_us_hifigan_ipa": RivaModel("hifigan-en-us-ipa", "tts_hifigan"),
}

# The 2.19 quick start's asr_models_languages_map, for the CTC models the emulator builds.
ASR_LANGUAGES: dict[str, tuple[str, ...]] = {
    "conformer": ("ar-AR", "en-US", "en-GB", "de-DE", "es-ES", "es-US", "fr-FR", "hi-IN", "it-IT", "ja-JP",
                  "ru-RU", "ko-KR", "pt-BR", "zh-CN", "nl-NL", "nl-BE"),
    "parakeet_0.6b": ("en-US",),
    "parakeet_1.1b": ("en-US",),
}
# ASSUMPTION: a punctuation RMIR exists for every ASR language (the quick start pulls
# `rmir_nlp_punctuation_bert_base_<lang>` for each one it deploys).
PUNCTUATION_LANGUAGES = frozenset(lang for langs in ASR_LANGUAGES.values() for lang in langs)
# ASSUMPTION: the prebuilt FastPitch + HiFi-GAN voice of a language (deployed en-US repositories
# show `riva-trt-hifigan-English-US`; other languages' voice names are UNKNOWN, so not served).
TTS_VOICES: dict[str, str] = {"en-US": "English-US"}
TTS_SAMPLE_RATE = 44100  # the 2.19 TTS tutorial's rate
_MODES: dict[str, Mode] = {"str": "streaming", "str_thr": "streaming-throughput", "ofl": "offline"}
_LANG = r"(?P<lang>[a-z]{2,3}_[a-z]{2})"
_ASR = re.compile(rf"{ORG}rmir_asr_(?P<model>[a-z0-9_-]+?)_{_LANG}_(?P<mode>str_thr|str|ofl)(?P<greedy>_gre)?")
_PUNCTUATION = re.compile(rf"{ORG}rmir_nlp_punctuation_bert_base_{_LANG}")
_TTS = re.compile(rf"{ORG}rmir_tts_fastpitch_hifigan_{_LANG}_ipa")


@dataclass(frozen=True)
class PrebuiltRmir:
    """How NVIDIA built an RMIR: the riva-build task, its `.riva` inputs in order, and its flags
    (`flags(folder)` writes any file a flag names into `folder`)."""

    task: str
    inputs: tuple[RivaModel, ...]
    flags: Callable[[Path], list[str]]


def _language(ngc: str) -> str:
    """`en_us` -> `en-US`."""
    lang, region = ngc.split("_")
    return f"{lang}-{region.upper()}"


def _asr_flags(model: str, language: str, mode: Mode, greedy: bool, folder: Path) -> list[str]:
    extra = {"ms_per_timestep": str(model_ms_per_timestep(model))}
    if greedy:
        return PipelineSpec(model=model, language_code=language, mode=mode, extra_flags=extra).build_flags()
    # Stand-ins for the n-gram language model NVIDIA's flashlight builds carry.
    lm_binary, vocab = folder / "lm.bin", folder / "vocab.txt"
    lm_binary.write_bytes(b"".join(random_chunks(len(model), 4096)))
    vocab.write_text("hello\nworld\nriva\n")
    return PipelineSpec(model=model, language_code=language, mode=mode, decoder="flashlight",
                        lm_binary=str(lm_binary), vocab=str(vocab), extra_flags=extra).build_flags()


def _asr(match: re.Match[str]) -> PrebuiltRmir | None:
    models = {name.replace(".", "-"): name for name in ASR_LANGUAGES}
    name, language = models.get(match["model"]), _language(match["lang"])
    if name is None or language not in ASR_LANGUAGES[name]:
        return None
    model = name.replace("_", "-")  # NVIDIA's spelling in pipeline names: parakeet-0.6b
    mode, greedy = _MODES[match["mode"]], bool(match["greedy"])
    family, _, size = model.partition("-")  # the `.riva` as NGC names its models: parakeet-ctc-0.6b-en-us
    source = RivaModel("-".join(filter(None, (family, "ctc", size, language.lower()))), "asr")
    return PrebuiltRmir("speech_recognition", (source,),
                        lambda folder: _asr_flags(model, language, mode, greedy, folder))


def _punctuation(match: re.Match[str]) -> PrebuiltRmir | None:
    language = _language(match["lang"])
    if language not in PUNCTUATION_LANGUAGES:
        return None
    source = RivaModel(f"punctuation-bert-base-{language.lower()}", "punctuation")
    return PrebuiltRmir("punctuation", (source,), lambda _: [f"--language_code={language}"])


def _synthesis(match: re.Match[str]) -> PrebuiltRmir | None:
    language = _language(match["lang"])
    voice = TTS_VOICES.get(language)
    if voice is None:
        return None
    inputs = (RivaModel(f"fastpitch-{language.lower()}-ipa", "tts_fastpitch"),
              RivaModel(f"hifigan-{language.lower()}-ipa", "tts_hifigan"))
    return PrebuiltRmir("speech_synthesis", inputs, lambda _: [
        f"--voice_name={voice}", f"--language_code={language}", f"--sample_rate={TTS_SAMPLE_RATE}",
        "--phone_set=ipa"])


_RMIRS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], PrebuiltRmir | None]], ...] = (
    (_ASR, _asr), (_PUNCTUATION, _punctuation), (_TTS, _synthesis))


def lookup(path: str) -> RivaModel | PrebuiltRmir | None:
    """The model NGC serves at `org/team/name`, or None (NGC's 404)."""
    if path in RIVA_MODELS:
        return RIVA_MODELS[path]
    for pattern, make in _RMIRS:
        if match := pattern.fullmatch(path):
            return make(match)
    return None
