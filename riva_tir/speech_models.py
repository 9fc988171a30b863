"""The speech models a deployment serves: one entry per Riva pipeline (docs/speech-services.md).

- `asr`: one language in one mode (streaming, streaming-throughput, offline);
- `punctuation`: the punctuation and capitalization model of one language, which automatic
  punctuation of that language's ASR uses;
- `tts`: one voice, from a FastPitch and a HiFi-GAN `.riva` and their auxiliary files.

Each comes from a `.riva` (riva-build runs on the node with NVIDIA's flags for its kind) or
from a prebuilt RMIR (riva-deploy only). Here live what each kind needs: its inputs, its
riva-build command, the Triton names it takes (unique in the one repository), the Riva API
service it turns on, and its GPU memory.
"""
from __future__ import annotations

import os
import re
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Union
from urllib.parse import urlsplit

from pydantic import Discriminator, Field, Tag, ValidationError, field_validator, model_validator

from riva_tir.pipeline import Mode, PipelineSpec, flags_as_text
from riva_tir.schema import Section, project_path

LANGUAGE = r"^[a-z]{2,3}-[A-Z]{2}$"
# A TTS voice name becomes part of Triton model names (docs/speech-services.md §2).
VOICE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$"
Service = Literal["asr", "nlp", "tts"]
SERVICES: tuple[Service, ...] = ("asr", "nlp", "tts")


class _Located(Section):
    """A file riva-tir puts on the node: a local file or an HTTPS URL."""

    file: str | None = None
    url: str | None = Field(default=None, pattern=r"^https://\S+$")

    def local_file(self) -> Path | None:
        """The file, relative paths taken from the project folder."""
        return None if self.file is None else project_path(self.file)

    def url_has_credentials(self) -> bool:
        """A URL with user:password@ must be handled as a secret."""
        return self.url is not None and "@" in urlsplit(self.url).netloc

    def artifact(self) -> dict[str, str]:
        """The source as the artifact provider takes it."""
        local = self.local_file()
        return {"file": str(local)} if local else {"url": str(self.url)}


class _Files(_Located):
    """Where a model comes from: a local file, an HTTPS URL or an NGC reference. A source
    named `*.rmir` (or an NGC `rmir_*` model) is a prebuilt RMIR: riva-build is skipped."""

    ngc: str | None = Field(default=None, pattern=r"^[\w.-]+/([\w.-]+/)?[\w.-]+:[\w.-]+$",
                            description="org/[team/]name:version")

    @field_validator("file")
    @classmethod
    def _model_file(cls, value: str | None) -> str | None:
        if value is not None:
            _check_local(value, archive=True)
        return value

    def given(self) -> bool:
        return any((self.file, self.url, self.ngc))

    @property
    def prebuilt(self) -> bool:
        """An RMIR that riva-build already made (NGC names them `rmir_…`, docs/speech-services.md §1)."""
        if self.ngc:
            return self.ngc.split("/")[-1].startswith("rmir_")
        return (self.file or urlsplit(str(self.url)).path).endswith(".rmir")

    def artifact(self) -> dict[str, str]:
        return {"ngc": self.ngc} if self.ngc else super().artifact()


class ModelSource(_Files):
    """One model file: exactly one of file, url or ngc."""

    @model_validator(mode="after")
    def _one_source(self) -> ModelSource:
        if sum(bool(v) for v in (self.file, self.url, self.ngc)) != 1:
            raise ValueError("set exactly one of file, url or ngc")
        return self


class AuxiliaryFile(_Located):
    """A plain file riva-build reads (a dictionary, a grammar): a local file or an HTTPS URL."""

    @model_validator(mode="after")
    def _one_source(self) -> AuxiliaryFile:
        if (self.file is None) == (self.url is None):
            raise ValueError("set exactly one of file or url")
        return self

    @field_validator("file")
    @classmethod
    def _local(cls, value: str | None) -> str | None:
        if value is not None:
            _check_local(value, archive=False)
        return value


def _check_local(value: str, archive: bool) -> None:
    """What preview can tell of a local file: it is there, readable, not empty and, for a
    model, a Riva archive (ASSUMPTION, docs/speech-services.md §1: `.riva` and `.rmir` files are
    tar archives)."""
    path = project_path(value)
    if not path.is_file():
        raise ValueError(f"{value!r} does not exist or is not a file: give the path of the "
                         f"{'.riva model' if archive else 'file'} (relative to the project folder)")
    if not os.access(path, os.R_OK):
        raise ValueError(f"{value!r} is not readable: fix its permissions")
    if path.stat().st_size == 0:
        raise ValueError(f"{value!r} is empty: download the {'.riva' if archive else 'file'} again")
    if archive:
        if path.suffix not in (".riva", ".rmir"):
            raise ValueError(f"{value!r} must be a .riva (or prebuilt .rmir) model")
        with path.open("rb") as handle:
            head = handle.read(4096)
        if not tarfile.is_tarfile(path) and (head.startswith(b"PK\x03\x04") or _text(head)):
            raise ValueError(f"{value!r} is not a Riva model archive (it is {'a zip file' if head[:2] == b'PK' else 'text'}"
                             f", e.g. an error page or a Git LFS pointer, starting {head[:40]!r}): download the model "
                             "again")


def _text(head: bytes) -> bool:
    """Whether a file starts like text. ASSUMPTION (docs/speech-services.md, "Sources"): a Riva
    archive is binary (tar based), so text in its place is an error page or a pointer file."""
    try:
        return b"\0" not in head and head.decode("utf-8").isprintable() is not None and all(
            c >= 32 or c in (9, 10, 13) for c in head)
    except UnicodeDecodeError:
        return False


class AsrModel(ModelSource):
    """Speech recognition in one language and mode, from its `.riva` (or a prebuilt RMIR)."""

    service: ClassVar[Service] = "asr"
    kind: Literal["asr"]
    language: str = Field(default="en-US", pattern=LANGUAGE, description="BCP-47 code, e.g. en-US")
    mode: Mode = "streaming"
    model: str = Field(default="parakeet-0.6b", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                       description="the acoustic model's architecture, the first part of the pipeline name")
    decoder: Literal["greedy", "flashlight"] = "greedy"
    lm_binary: str | None = None
    vocab: str | None = None
    extra_flags: dict[str, str] = Field(default_factory=dict)

    @field_validator("extra_flags", mode="before")
    @classmethod
    def _flag_values_as_text(cls, value: object) -> object:
        return flags_as_text(value)

    @model_validator(mode="after")
    def _flags(self) -> AsrModel:
        try:
            self.pipeline  # noqa: B018 - the flags' own rules (riva_tir/pipeline.py)
        except ValidationError as exc:
            raise ValueError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
        return self

    @property
    def pipeline(self) -> PipelineSpec:
        return PipelineSpec(model=self.model, language_code=self.language, mode=self.mode, decoder=self.decoder,
                            lm_binary=self.lm_binary, vocab=self.vocab, extra_flags=self.extra_flags)

    @property
    def key(self) -> str:
        """The pipeline's name, unique in the deployment: its Triton models are named from it."""
        return self.pipeline.name

    def sources(self) -> dict[str, _Located]:
        """The files the node needs, by their role in riva-build's command."""
        return {"model": self}


class PunctuationModel(ModelSource):
    """Punctuation and capitalization of one language: Riva links it to that language's ASR
    requests that ask for automatic punctuation (docs/speech-services.md §3)."""

    service: ClassVar[Service] = "nlp"
    kind: Literal["punctuation"]
    language: str = Field(default="en-US", pattern=LANGUAGE, description="BCP-47 code, e.g. en-US")

    @property
    def key(self) -> str:
        return f"riva-punctuation-{self.language}"

    def sources(self) -> dict[str, _Located]:
        return {"model": self}


class TtsVoice(_Files):
    """A FastPitch + HiFi-GAN voice, built with the flags of NVIDIA's TTS tutorial, or a
    prebuilt TTS RMIR (`file`, `url` or `ngc`)."""

    service: ClassVar[Service] = "tts"
    kind: Literal["tts"]
    language: str = Field(default="en-US", pattern=LANGUAGE, description="BCP-47 code, e.g. en-US")
    voice: str = Field(default="English-US", pattern=VOICE, description="the voice name clients ask for")
    sample_rate: Literal[22050, 44100] = 44100
    fastpitch: ModelSource | None = None
    hifigan: ModelSource | None = None
    phone_set: Literal["ipa", "arpabet"] | None = None
    phone_dictionary: AuxiliaryFile | None = None
    abbreviations: AuxiliaryFile | None = None
    wfst_tokenizer: AuxiliaryFile | None = None
    wfst_verbalizer: AuxiliaryFile | None = None

    @model_validator(mode="after")
    def _valid(self) -> TtsVoice:
        if self.given() == bool(self.fastpitch or self.hifigan):
            raise ValueError("give fastpitch and hifigan (each a .riva: file, url or ngc), or one prebuilt TTS "
                             "RMIR (file, url or ngc), not both")
        if self.given():
            if sum(bool(v) for v in (self.file, self.url, self.ngc)) != 1 or not self.prebuilt:
                raise ValueError("a TTS model given as file, url or ngc is one prebuilt RMIR (.rmir, or NGC "
                                 "rmir_tts_…): for .riva models give fastpitch and hifigan")
        elif not (self.fastpitch and self.hifigan):
            raise ValueError("a TTS voice needs both fastpitch and hifigan (.riva models)")
        if (self.phone_set is None) != (self.phone_dictionary is None):
            raise ValueError("phoneSet and phoneDictionary go together (e.g. phoneSet: ipa with the "
                             "ipa_cmudict file of NVIDIA's auxiliary files)")
        if (self.wfst_tokenizer is None) != (self.wfst_verbalizer is None):
            raise ValueError("wfstTokenizer and wfstVerbalizer go together (tokenize_and_classify.far and "
                             "verbalize.far of the language's text normalization)")
        return self

    @property
    def key(self) -> str:
        return f"fastpitch_hifigan_ensemble-{self.voice}"

    def sources(self) -> dict[str, _Located]:
        if self.fastpitch is None or self.hifigan is None:
            return {"model": self}
        found: dict[str, _Located | None] = {
            "fastpitch": self.fastpitch, "hifigan": self.hifigan, "phone-dictionary": self.phone_dictionary,
            "abbreviations": self.abbreviations, "wfst-tokenizer": self.wfst_tokenizer,
            "wfst-verbalizer": self.wfst_verbalizer}
        return {role: source for role, source in found.items() if source is not None}


Entry = AsrModel | PunctuationModel | TtsVoice
KINDS: dict[str, type[Entry]] = {"asr": AsrModel, "punctuation": PunctuationModel, "tts": TtsVoice}


def _kind(value: Any) -> str | None:
    return value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)


# The entry's `kind` picks its schema, so errors name that kind's keys only.
SpeechModel = Annotated[Union[Annotated[AsrModel, Tag("asr")], Annotated[PunctuationModel, Tag("punctuation")],
                              Annotated[TtsVoice, Tag("tts")]],
                        Discriminator(_kind, custom_error_type="kind",
                                      custom_error_message="kind must be asr, punctuation or tts")]


def prebuilt(entry: Entry) -> bool:
    """Whether riva-build is skipped: the entry's one model is an RMIR."""
    model = entry.sources().get("model")
    return isinstance(model, _Files) and model.prebuilt


def build_command(entry: Entry, paths: dict[str, str]) -> tuple[str, list[str], list[str]]:
    """riva-build's task, its model inputs (node paths, in order, each takes the model key)
    and its flags, for one entry (docs/speech-services.md §1)."""
    if isinstance(entry, AsrModel):
        return "speech_recognition", [paths["model"]], entry.pipeline.build_flags()
    if isinstance(entry, PunctuationModel):
        return "punctuation", [paths["model"]], [f"--language_code={entry.language}"]
    flags = [f"--voice_name={entry.voice}", f"--language_code={entry.language}", f"--sample_rate={entry.sample_rate}"]
    if entry.phone_set:
        flags += [f"--phone_set={entry.phone_set}", f"--phone_dictionary_file={paths['phone-dictionary']}"]
    if "abbreviations" in paths:
        flags.append(f"--abbreviations_file={paths['abbreviations']}")
    if "wfst-tokenizer" in paths:
        flags += [f"--wfst_tokenizer_model={paths['wfst-tokenizer']}",
                  f"--wfst_verbalizer_model={paths['wfst-verbalizer']}"]
    return "speech_synthesis", [paths["fastpitch"], paths["hifigan"]], flags


# GPU memory per model, GB, from NVIDIA's support matrix (docs/speech-services.md §4): ASR by
# architecture and mode (2.19), punctuation and TTS (2.15's rough figures: ASSUMPTION that 2.19's
# are alike, its rows are unknown).
ASR_GPU_GB: dict[str, dict[Mode, float]] = {
    "conformer": {"offline": 5.8, "streaming": 3.6, "streaming-throughput": 4.2},
    "parakeet-0.6b": {"offline": 5.8, "streaming": 4.0, "streaming-throughput": 5.0},
    "parakeet-1.1b": {"offline": 6.7, "streaming": 5.0, "streaming-throughput": 5.9},
}
PUNCTUATION_GPU_GB = 0.5
TTS_GPU_GB = 3.5
# Memory of one GPU by the GPU part of a plan code (`GPU-<gpu>-…`), GB: NVIDIA's data sheets;
# ASSUMPTION: TIR's A100 plans are the 80 GB model (its catalog's sku_type `A100-80GB`).
GPU_MEMORY_GB: dict[str, float] = {
    "L4": 24, "A10": 24, "A30": 24, "A40": 48, "L40": 48, "L40S": 48, "A100": 80, "H100": 80, "H200": 141,
    "T4": 16, "V100": 32, "A6000": 48, "RTX8000": 48,
}


def gpu_memory_gb(entry: Entry) -> float:
    """The entry's GPU memory on Triton. ASSUMPTION: an ASR architecture the table lacks
    needs as much as the largest one it has, in that mode."""
    if isinstance(entry, AsrModel):
        known = ASR_GPU_GB.get(entry.model.lower().replace("_", "-").removeprefix("parakeet-ctc-")
                               .replace("ctc-", ""))
        if known is None and entry.model.lower().startswith("parakeet-ctc"):
            known = ASR_GPU_GB.get("parakeet-" + entry.model.lower().split("-")[-1])
        return known[entry.mode] if known else max(row[entry.mode] for row in ASR_GPU_GB.values())
    return PUNCTUATION_GPU_GB if isinstance(entry, PunctuationModel) else TTS_GPU_GB


def gpu_of(plan: str) -> str | None:
    """The GPU of a plan short code (`GPU-<gpu>-<cpu>-<memory>-<count>`, docs/tir.md §3),
    None for a code of another shape."""
    parts = plan.split("-")
    return parts[1] if len(parts) >= 5 and parts[0] == "GPU" and parts[-1] not in ("0", "") else None


def memory_plan(entries: Sequence[Entry], plan: str) -> dict[str, Any]:
    """What the entries need of one GPU of the Triton plan: every model loads on each GPU."""
    gpu = gpu_of(plan)
    return {"plan": plan, "gpu": gpu, "gpu_memory_gb": GPU_MEMORY_GB.get(gpu or ""),
            "models": [{"name": e.key, "gpu_memory_gb": gpu_memory_gb(e)} for e in entries],
            "total_gb": round(sum(gpu_memory_gb(e) for e in entries), 2)}


def duplicates(entries: Sequence[Entry]) -> list[str]:
    """Pipeline names given twice: riva-deploy -f would overwrite one with the other."""
    seen: list[str] = []
    twice: list[str] = []
    for entry in entries:
        (twice if entry.key in seen and entry.key not in twice else seen).append(entry.key)
    return twice


def services(entries: Sequence[Entry]) -> dict[Service, bool]:
    """riva_server's service flags: a service is on when an entry needs it."""
    return {service: any(e.service == service for e in entries) for service in SERVICES}


def unpunctuated_languages(entries: Sequence[Entry]) -> list[str]:
    """ASR languages without a punctuation model: automatic punctuation does nothing for them."""
    punctuated = {e.language for e in entries if isinstance(e, PunctuationModel)}
    return sorted({e.language for e in entries if isinstance(e, AsrModel)} - punctuated)


def slug(key: str) -> str:
    """A pipeline name as part of a Pulumi resource name."""
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
