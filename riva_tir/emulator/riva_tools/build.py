"""`riva-build`: turn a `.riva` (EFF stand-in) into an `.rmir` (RMIR stand-in).

Shape (docs/riva.md §4.1): `riva-build speech_recognition [-f] OUT.rmir[:key] IN.riva[:key] [--flags]`.
It checks what the real tool would trip over: the subcommand, `file:key` syntax, that the
input is an EFF archive of an ASR model, the key (wrong or missing → decryption error), an
existing output without `-f`, and the flags (asr_flags.py). The payload is decrypted with the
input key and re-encrypted with the output key, streaming.
"""

from __future__ import annotations

import sys
from pathlib import Path

from riva_tir.emulator.riva_tools.archive import EFF_FORMAT, ArchiveError, open_archive, write_rmir
from riva_tir.emulator.riva_tools.asr_flags import (
    FILE_FLAGS,
    SWITCHES,
    FlagError,
    model_ms_per_timestep,
    parse_flags,
)
from riva_tir.emulator.riva_tools.cli import USAGE_EXIT, KeyedPath, ToolError, run_tool, split_keyed
from riva_tir.emulator.riva_tools.keys import KeyMismatch

USAGE = ("usage: riva-build {speech_recognition} [-f] OUTPUT.rmir[:KEY] INPUT.riva[:KEY] "
         "[--flag=value ...]")
# Subcommands of the real tool; only speech_recognition is emulated.
KNOWN = ("speech_recognition", "speech_synthesis", "punctuation", "token_classification",
         "text_classification", "qa", "translation")
# Model kinds a speech_recognition pipeline accepts from the EFF manifest.
ASR_KINDS = frozenset({"asr"})


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


def build(output: KeyedPath, source: KeyedPath, force: bool, flag_tokens: list[str]) -> Path:
    """Validate everything, then write the RMIR; returns its path."""
    if output.path.suffix != ".rmir":
        raise ToolError(f"output '{output.path}' must be an .rmir file", USAGE_EXIT)
    try:
        config = parse_flags(flag_tokens)
    except FlagError as exc:
        raise ToolError(str(exc), USAGE_EXIT) from None
    if not source.path.is_file():
        raise ToolError(f"input file '{source.path}' does not exist")
    if output.path.exists() and not force:
        raise ToolError(f"output '{output.path}' already exists; use -f to overwrite")
    try:
        archive = open_archive(source.path, EFF_FORMAT)
    except ArchiveError as exc:
        raise ToolError(f"{exc} (expected a .riva file exported by nemo2riva)") from None
    try:
        kind = str(archive.manifest.get("kind"))
        model = str(archive.manifest.get("model", "model"))
        if kind not in ASR_KINDS:
            raise ToolError(
                f"'{source.path}' holds a '{kind}' model; speech_recognition needs an ASR model"
            )
        try:
            cipher_key = archive.unlock(source.key)
        except LookupError:
            raise _decryption_error(source.path,
                                    "the archive is encrypted and no key was given") from None
        except KeyMismatch:
            raise _decryption_error(source.path, "wrong key (EFF decryption error)") from None
        if not archive.encrypted and source.key:
            print(f"WARNING: '{source.path}' is not encrypted; ignoring its key", file=sys.stderr)
        name = config.pipeline_name(model)
        print(f"INFO: building speech_recognition pipeline '{name}' ({config.mode}) "
              f"from {source.path}")
        assets = {Path(str(config.values[f])).name: Path(str(config.values[f]))
                  for f in FILE_FLAGS if f in config.values}
        output.path.parent.mkdir(parents=True, exist_ok=True)
        write_rmir(
            output.path,
            {
                "pipeline": "speech_recognition",
                "name": name,
                "mode": config.mode,
                "language_code": config.language_code,
                "flags": config.as_manifest(),
                "model_ms_per_timestep": model_ms_per_timestep(model),
                "source": {"model": model, "kind": kind, "file": source.path.name},
                # The engine needs what the model's graph needs (archive.py).
                **({"trt_plugins": plugins} if (plugins := archive.trt_plugins()) else {}),
            },
            key=output.key,
            payload_size=archive.payload_size(),
            payload=archive.payload(cipher_key),
            assets=assets,
        )
    finally:
        archive.close()
    print(f"INFO: wrote {output.path}")
    return output.path


def main(args: list[str]) -> int:
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE)
        return 0 if args else USAGE_EXIT
    sub, rest = args[0], args[1:]
    if sub not in KNOWN:
        raise ToolError(f"argument task: invalid choice: '{sub}' (choose from {', '.join(KNOWN)})",
                        USAGE_EXIT)
    if sub != "speech_recognition":
        raise ToolError(f"'{sub}' pipelines are not emulated; only speech_recognition", USAGE_EXIT)
    force, positional, flags = _split_args(rest)
    if len(positional) != 2:
        raise ToolError(f"expected OUTPUT.rmir[:KEY] and INPUT.riva[:KEY]\n{USAGE}", USAGE_EXIT)
    build(split_keyed(positional[0]), split_keyed(positional[1]), force, flags)
    return 0


def entrypoint() -> int:
    return run_tool("riva-build", main)
