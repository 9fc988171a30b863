"""`riva-build`: turn `.riva` files (EFF stand-ins) into an `.rmir` (RMIR stand-in).

Shapes (docs/riva.md §4.1, §4.7):
`riva-build speech_recognition [-f] OUT.rmir[:key] IN.riva[:key] [--flags]`,
`riva-build punctuation [-f] OUT.rmir[:key] IN.riva[:key] [--flags]`,
`riva-build speech_synthesis [-f] OUT.rmir[:key] FASTPITCH.riva[:key] HIFIGAN.riva[:key] [--flags]`.
It checks what the real tool would trip over: the subcommand, `file:key` syntax, that each
input is an EFF archive of the kind its position needs, the key (wrong or missing → decryption
error), an existing output without `-f`, and the flags (asr_flags.py, speech_flags.py). The
payloads are decrypted with the input keys and re-encrypted with the output key, streaming,
one after the other. `translation` and the older NLP tasks are refused as not emulated.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from riva_tir.emulator.riva_tools.archive import EFF_FORMAT, ArchiveError, OpenArchive, open_archive, write_rmir
from riva_tir.emulator.riva_tools.asr_flags import (
    FILE_FLAGS,
    SWITCHES,
    FlagError,
    model_ms_per_timestep,
    parse_flags,
)
from riva_tir.emulator.riva_tools.cli import USAGE_EXIT, KeyedPath, ToolError, run_tool, split_keyed
from riva_tir.emulator.riva_tools.keys import KeyMismatch
from riva_tir.emulator.riva_tools.speech_flags import parse_punctuation, parse_synthesis

T = TypeVar("T")
USAGES = {
    "speech_recognition": "OUTPUT.rmir[:KEY] INPUT.riva[:KEY]",
    "punctuation": "OUTPUT.rmir[:KEY] INPUT.riva[:KEY]",
    "speech_synthesis": "OUTPUT.rmir[:KEY] FASTPITCH.riva[:KEY] HIFIGAN.riva[:KEY]",
}
USAGE = "usage: riva-build {" + ",".join(USAGES) + "} [-f] OUTPUT.rmir[:KEY] INPUT.riva[:KEY]... [--flag=value ...]"
# Subcommands of the real tool, and those emulated.
KNOWN = ("speech_recognition", "speech_synthesis", "punctuation", "token_classification",
         "text_classification", "qa", "translation")
EMULATED = tuple(USAGES)


def _split_args(args: list[str]) -> tuple[bool, list[str], list[str]]:
    force = False
    positional: list[str] = []
    flags: list[str] = []
    for arg in args:
        if arg in {"-f", "--force"}:
            force = True
        elif arg.startswith("--"):
            flags.append(arg)
        elif arg.startswith("-") and len(arg) > 1:
            raise ToolError(f"unrecognized argument: {arg}", USAGE_EXIT)
        elif flags and "=" not in flags[-1] and flags[-1][2:] not in SWITCHES:
            # `--flag value`: name the flag instead of miscounting the positionals.
            name = flags[-1][2:]
            raise ToolError(f"flag --{name} needs a value: --{name}=VALUE", USAGE_EXIT)
        else:
            positional.append(arg)
    return force, positional, flags


def _decryption_error(path: Path, detail: str) -> ToolError:
    return ToolError(
        f"failed to decrypt '{path}': {detail}. Pass the model key as {path.name}:KEY "
        "(NGC models use the key they were encrypted with, usually tlt_encode)"
    )


@dataclass
class _Input:
    """One opened `.riva` of the kind its position needs, with its payload's cipher key."""

    archive: OpenArchive
    cipher_key: bytes | None

    @property
    def model(self) -> str:
        return str(self.archive.manifest.get("model", "model"))

    @property
    def kind(self) -> str:
        return str(self.archive.manifest.get("kind"))

    def source(self) -> dict[str, str]:
        return {"model": self.model, "kind": self.kind, "file": self.archive.path.name}


def _open_input(source: KeyedPath, task: str, kind: str, needs: str) -> _Input:
    """Open `source`, refusing a model of another kind (`needs` says which) or a wrong key."""
    if not source.path.is_file():
        raise ToolError(f"input file '{source.path}' does not exist")
    try:
        archive = open_archive(source.path, EFF_FORMAT)
    except ArchiveError as exc:
        raise ToolError(f"{exc} (expected a .riva file exported by nemo2riva)") from None
    opened = _Input(archive, None)
    try:
        if opened.kind != kind:
            raise ToolError(f"'{source.path}' holds a '{opened.kind}' model; {task} needs {needs}")
        try:
            opened.cipher_key = archive.unlock(source.key)
        except LookupError:
            raise _decryption_error(source.path, "the archive is encrypted and no key was given") from None
        except KeyMismatch:
            raise _decryption_error(source.path, "wrong key (EFF decryption error)") from None
    except ToolError:
        archive.close()
        raise
    if not archive.encrypted and source.key:
        print(f"WARNING: '{source.path}' is not encrypted; ignoring its key", file=sys.stderr)
    return opened


def _check_output(output: KeyedPath, force: bool) -> None:
    if output.path.suffix != ".rmir":
        raise ToolError(f"output '{output.path}' must be an .rmir file", USAGE_EXIT)
    if output.path.exists() and not force:
        raise ToolError(f"output '{output.path}' already exists; use -f to overwrite")


def _flags(parse: Callable[[list[str]], T], tokens: list[str]) -> T:
    try:
        return parse(tokens)
    except FlagError as exc:
        raise ToolError(str(exc), USAGE_EXIT) from None


def _write(output: KeyedPath, manifest: dict[str, Any], inputs: list[_Input], assets: dict[str, Path]) -> None:
    """The RMIR: the inputs' payloads one after the other (their sizes in `parts`)."""
    output.path.parent.mkdir(parents=True, exist_ok=True)
    parts = [{"kind": i.kind, "size": i.archive.payload_size()} for i in inputs]
    plugins = sorted({p for i in inputs for p in i.archive.trt_plugins()})
    write_rmir(
        output.path,
        {**manifest, "parts": parts, "source": inputs[0].source() if len(inputs) == 1 else [i.source() for i in inputs],
         # The engine needs what the model's graph needs (archive.py).
         **({"trt_plugins": plugins} if plugins else {})},
        key=output.key,
        payload_size=sum(int(str(part["size"])) for part in parts),
        payload=itertools.chain.from_iterable(i.archive.payload(i.cipher_key) for i in inputs),
        assets=assets,
    )
    print(f"INFO: wrote {output.path}")


def build(output: KeyedPath, source: KeyedPath, force: bool, flag_tokens: list[str]) -> Path:
    """speech_recognition: validate everything, then write the RMIR; returns its path."""
    config = _flags(parse_flags, flag_tokens)
    _check_output(output, force)
    model = _open_input(source, "speech_recognition", "asr", "an ASR model")
    try:
        name = config.pipeline_name(model.model)
        print(f"INFO: building speech_recognition pipeline '{name}' ({config.mode}) from {source.path}")
        assets = {Path(str(config.values[f])).name: Path(str(config.values[f]))
                  for f in FILE_FLAGS if f in config.values}
        _write(output, {"pipeline": "speech_recognition", "name": name, "mode": config.mode,
                        "language_code": config.language_code, "flags": config.as_manifest(),
                        "model_ms_per_timestep": model_ms_per_timestep(model.model)},
               [model], assets)
    finally:
        model.archive.close()
    return output.path


def build_punctuation(output: KeyedPath, source: KeyedPath, force: bool, flag_tokens: list[str]) -> Path:
    config = _flags(parse_punctuation, flag_tokens)
    _check_output(output, force)
    model = _open_input(source, "punctuation", "punctuation", "a punctuation and capitalization model")
    try:
        print(f"INFO: building punctuation pipeline '{config.ensemble}' from {source.path}")
        _write(output, {"pipeline": "punctuation", "name": config.name, "language_code": config.language_code,
                        "flags": config.values}, [model], {})
    finally:
        model.archive.close()
    return output.path


_SYNTHESIS_NEEDS = "a FastPitch model (tts_fastpitch) first, then a HiFi-GAN vocoder (tts_hifigan)"


def build_synthesis(output: KeyedPath, sources: list[KeyedPath], force: bool, flag_tokens: list[str]) -> Path:
    config = _flags(parse_synthesis, flag_tokens)
    _check_output(output, force)
    inputs: list[_Input] = []
    try:
        for source, kind in zip(sources, ("tts_fastpitch", "tts_hifigan"), strict=True):
            inputs.append(_open_input(source, "speech_synthesis", kind, _SYNTHESIS_NEEDS))
        print(f"INFO: building speech_synthesis pipeline for voice '{config.voice}' ({config.language_code}, "
              f"{config.sample_rate} Hz)")
        assets = {Path(path).name: Path(path) for path in config.files.values()}
        _write(output, {"pipeline": "speech_synthesis", "name": config.voice, "voice_name": config.voice,
                        "language_code": config.language_code, "sample_rate": config.sample_rate,
                        "subvoices": config.subvoices,
                        "files": {flag: Path(path).name for flag, path in config.files.items()},
                        "flags": config.values}, inputs, assets)
    finally:
        for opened in inputs:
            opened.archive.close()
    return output.path


def main(args: list[str]) -> int:
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE)
        return 0 if args else USAGE_EXIT
    sub, rest = args[0], args[1:]
    if sub not in KNOWN:
        raise ToolError(f"argument task: invalid choice: '{sub}' (choose from {', '.join(KNOWN)})",
                        USAGE_EXIT)
    if sub not in EMULATED:
        raise ToolError(f"'{sub}' pipelines are not emulated (riva-tir's emulator builds only "
                        f"{', '.join(EMULATED)})", USAGE_EXIT)
    force, positional, flags = _split_args(rest)
    if len(positional) != USAGES[sub].count(" ") + 1:
        raise ToolError(f"expected {USAGES[sub]}\n{USAGE}", USAGE_EXIT)
    output, sources = split_keyed(positional[0]), [split_keyed(p) for p in positional[1:]]
    if sub == "speech_synthesis":
        build_synthesis(output, sources, force, flags)
    elif sub == "punctuation":
        build_punctuation(output, sources[0], force, flags)
    else:
        build(output, sources[0], force, flags)
    return 0


def entrypoint() -> int:
    return run_tool("riva-build", main)
