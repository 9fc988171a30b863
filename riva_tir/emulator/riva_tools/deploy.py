"""`riva-deploy`: turn an `.rmir` into a Triton model repository (docs/riva.md §5, §6).

Shape: `riva-deploy [-f] IN.rmir[:key] MODEL_REPO_DIR`. The key must open the RMIR (same
decryption errors as riva-build). Other models already in MODEL_REPO_DIR are kept, so a
streaming and an offline pipeline can share one repository; the pipeline's own model
directories are replaced only with `-f`. The "TensorRT engine" (`model.plan`) is the
decrypted RMIR payload: no GPU work happens, but sizes stay realistic. A model whose engine
needs TensorRT plugins (the RMIR's `trt_plugins`) gets them as stand-in shared libraries in
`plugins/` beside MODEL_REPOSITORY_DIR (empty but real: the dynamic loader preloads them), and
its acoustic model's `config.pbtxt` names them (docs/emulator.md, "Inside the machines").
"""

from __future__ import annotations

import hashlib
import shutil
import struct
import sys
from pathlib import Path

from riva_tir.emulator.riva_tools.archive import RMIR_FORMAT, ArchiveError, OpenArchive, open_archive
from riva_tir.emulator.riva_tools.cli import USAGE_EXIT, KeyedPath, ToolError, run_tool, split_keyed
from riva_tir.emulator.riva_tools.keys import KeyMismatch
from riva_tir.emulator.riva_tools.speech_layout import (
    CAPITALIZATION_LABELS,
    PUNCTUATION_LABELS,
    PunctuationModels,
    SynthesisModels,
)
from riva_tir.emulator.riva_tools.triton_layout import (
    VOCABULARY,
    PipelineModels,
    acoustic_config,
    decoder_config,
    ensemble_config,
)

USAGE = "usage: riva-deploy [-f] INPUT.rmir[:KEY] MODEL_REPOSITORY_DIR"
_LEXICON = "hello\t▁he llo\nworld\t▁wor ld\nriva\t▁ri va\n"
_VOCABULARY = "".join(f"{symbol}\n" for symbol in VOCABULARY)


def _progress(message: str) -> None:
    print(f"[riva-deploy] {message}", flush=True)


def _unlock(archive: OpenArchive, source: KeyedPath) -> bytes | None:
    try:
        return archive.unlock(source.key)
    except LookupError:
        detail = "the RMIR is encrypted and no key was given"
    except KeyMismatch:
        detail = "wrong key (decryption error)"
    raise ToolError(
        f"failed to decrypt '{source.path}': {detail}. Pass it as {source.path.name}:KEY")


def _write_model_plan(archive: OpenArchive, cipher_key: bytes | None, target: Path) -> str:
    digest = hashlib.sha256()
    with target.open("wb") as handle:
        for chunk in archive.payload(cipher_key):
            digest.update(chunk)
            handle.write(chunk)
    return digest.hexdigest()


def shared_library(soname: str) -> bytes:
    """The smallest x86-64 ELF shared library the dynamic loader maps: one PT_LOAD over the
    file, a dynamic section (hash, symbol and string tables, DT_SONAME) and no code."""
    strtab = b"\0" + soname.encode() + b"\0"
    hash_table, symtab = struct.pack("<4I", 1, 1, 0, 0), bytes(24)  # one bucket; the null symbol
    dyn_at = 64 + 2 * 56  # after the ELF header and two program headers
    tags = 7
    hash_at = dyn_at + 16 * tags
    sym_at = hash_at + len(hash_table)
    str_at = sym_at + len(symtab)
    size = str_at + len(strtab)
    dynamic = b"".join(struct.pack("<qQ", tag, value) for tag, value in (
        (4, hash_at), (5, str_at), (6, sym_at), (10, len(strtab)), (11, 24), (14, 1), (0, 0)))
    header = b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack(
        "<HHIQQQIHHHHHH", 3, 62, 1, 0, 64, 0, 0, 64, 56, 2, 64, 0, 0)
    load = struct.pack("<IIQQQQQQ", 1, 6, 0, 0, 0, size, size, 0x1000)
    dyn = struct.pack("<IIQQQQQQ", 2, 6, dyn_at, dyn_at, dyn_at, 16 * tags, 16 * tags, 8)
    return header + load + dyn + dynamic + hash_table + symtab + strtab


def _write_plugins(repo: Path, plugins: list[str]) -> None:
    """Stand-in plugin libraries, preloadable like the ones riva_start.sh preloads."""
    folder = repo.parent / "plugins"
    for plugin in plugins:
        folder.mkdir(parents=True, exist_ok=True)
        _progress(f"Writing TensorRT plugin {folder / plugin}")
        (folder / plugin).write_bytes(shared_library(plugin))


def _write_parts(archive: OpenArchive, cipher_key: bytes | None, targets: list[Path]) -> None:
    """The RMIR's payload split into its parts (the built models, in order), one file each."""
    sizes = [int(part["size"]) for part in archive.manifest["parts"]]
    chunks = archive.payload(cipher_key)
    pending = b""
    for target, size in zip(targets, sizes, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            while size > 0:
                pending = pending or next(chunks, b"")
                if not pending:
                    raise ToolError(f"{archive.path.name}: payload shorter than its parts")
                handle.write(pending[:size])
                size, pending = size - len(pending[:size]), pending[size:]


def _replace(repo: Path, names: tuple[str, ...], force: bool) -> None:
    """Clear the pipeline's own model directories (only with -f when they exist)."""
    existing = [repo / name for name in names if (repo / name).exists()]
    if existing and not force:
        raise ToolError(f"model directory '{existing[0]}' already exists; use -f to overwrite")
    for target in existing:
        _progress(f"Removing existing {target.name}")
        shutil.rmtree(target)


def _write_configs(repo: Path, configs: dict[str, str], rmir: Path) -> None:
    """Each model's config and version directory; a version holds at least `deployed_from.txt`
    (the RMIR it came from), since an object store keeps no empty folder and Triton loads no
    model without its version."""
    for name, config in configs.items():
        (repo / name / "1").mkdir(parents=True, exist_ok=True)
        (repo / name / "config.pbtxt").write_text(config)
        (repo / name / "1" / "deployed_from.txt").write_text(f"{rmir.name}\n")


def _deploy_punctuation(archive: OpenArchive, cipher_key: bytes | None, repo: Path, force: bool) -> tuple[str, ...]:
    manifest = archive.manifest
    language = str(manifest["language_code"])
    models = PunctuationModels.for_pipeline(str(manifest["name"]), language)
    _replace(repo, models.names, force)
    _progress(f"Building TensorRT engine for {models.network} (emulated, no GPU)")
    _write_parts(archive, cipher_key, [repo / models.network / "1" / "model.plan"])
    _write_configs(repo, models.configs(language), archive.path)
    labels = repo / models.ensemble / "1"
    (labels / "punct_label_ids.csv").write_text("".join(f"{label}\n" for label in PUNCTUATION_LABELS))
    (labels / "capit_label_ids.csv").write_text("".join(f"{label}\n" for label in CAPITALIZATION_LABELS))
    return models.names


def _deploy_synthesis(archive: OpenArchive, cipher_key: bytes | None, repo: Path, force: bool) -> tuple[str, ...]:
    manifest = archive.manifest
    models = SynthesisModels.for_voice(str(manifest["voice_name"]))
    _replace(repo, models.names, force)
    _progress(f"Building ONNX encoder {models.encoder} and TensorRT engine for {models.vocoder} (emulated, no GPU)")
    _write_parts(archive, cipher_key, [repo / models.encoder / "1" / "model.onnx",
                                       repo / models.vocoder / "1" / "model.plan"])
    flags = manifest.get("flags")
    speakers = int(str(flags.get("num_speakers", 1))) if isinstance(flags, dict) else 1
    _write_configs(repo, models.configs(manifest, speakers), archive.path)
    for member in archive.member_names("assets/"):  # the auxiliary files, for the preprocessor
        (repo / models.preprocessor / "1" / Path(member).name).write_bytes(archive.read_member(member))
    return models.names


def deploy(source: KeyedPath, repo: Path, force: bool) -> tuple[str, ...]:
    """Validate, then write the pipeline's model directories into `repo`; returns their names."""
    if not source.path.is_file():
        raise ToolError(f"input file '{source.path}' does not exist")
    if repo.exists() and not repo.is_dir():
        raise ToolError(f"model repository '{repo}' is not a directory")
    _progress(f"Extracting {source.path}")
    try:
        archive = open_archive(source.path, RMIR_FORMAT)
    except ArchiveError as exc:
        raise ToolError(f"{exc} (expected an .rmir file written by riva-build)") from None
    try:
        cipher_key = _unlock(archive, source)
        manifest = archive.manifest
        pipeline = manifest.get("pipeline")
        if pipeline == "punctuation":
            names = _deploy_punctuation(archive, cipher_key, repo, force)
        elif pipeline == "speech_synthesis":
            names = _deploy_synthesis(archive, cipher_key, repo, force)
        else:
            names = _deploy_recognition(archive, cipher_key, repo, force)
    finally:
        archive.close()
    _progress(f"Deployed pipeline '{archive.manifest['name']}' to {repo}: {', '.join(names)}")
    return names


def _deploy_recognition(archive: OpenArchive, cipher_key: bytes | None, repo: Path, force: bool) -> tuple[str, ...]:
    manifest = archive.manifest
    offline = manifest.get("mode") == "offline"
    flags = manifest.get("flags")
    flags = flags if isinstance(flags, dict) else {}
    acoustic_name = flags.get("acoustic_model_name")
    plugins = archive.trt_plugins()
    models = PipelineModels.for_pipeline(str(manifest["name"]), offline,
                                         str(acoustic_name) if acoustic_name else None)
    _replace(repo, models.names, force)
    am_dir = repo / models.acoustic / "1"
    am_dir.mkdir(parents=True)
    _progress(f"Building TensorRT engine for {models.acoustic} (emulated, no GPU)")
    plan_sha = _write_model_plan(archive, cipher_key, am_dir / "model.plan")
    (am_dir / "vocabulary.txt").write_text(_VOCABULARY, encoding="utf-8")  # the output classes
    _write_plugins(repo, plugins)
    (repo / models.acoustic / "config.pbtxt").write_text(acoustic_config(models, plugins))

    decoder_dir = repo / models.decoder / "1"
    decoder_dir.mkdir(parents=True)
    (decoder_dir / "vocabulary.txt").write_text(_VOCABULARY, encoding="utf-8")
    (repo / models.decoder / "config.pbtxt").write_text(decoder_config(models))

    ens_dir = repo / models.ensemble / "1"
    ens_dir.mkdir(parents=True)
    _progress(f"Writing {models.ensemble}")
    (ens_dir / "lexicon.txt").write_text(_LEXICON, encoding="utf-8")
    (ens_dir / f"{plan_sha[:32]}_tokenizer.model").write_bytes(plan_sha.encode())
    for member in archive.member_names("assets/"):
        (ens_dir / Path(member).name).write_bytes(archive.read_member(member))
    (repo / models.ensemble / "config.pbtxt").write_text(
        ensemble_config(models, offline, str(manifest.get("language_code", "en-US")), flags,
                        int(str(manifest["model_ms_per_timestep"])))
    )
    return models.names


def main(args: list[str]) -> int:
    if args and args[0] in {"-h", "--help"}:
        print(USAGE)
        return 0
    force = False
    positional: list[str] = []
    for arg in args:
        if arg in {"-f", "--force"}:
            force = True
        elif arg.startswith("-") and len(arg) > 1:
            raise ToolError(f"unrecognized argument: {arg}", USAGE_EXIT)
        else:
            positional.append(arg)
    if len(positional) != 2:
        print(USAGE, file=sys.stderr)
        raise ToolError("expected INPUT.rmir[:KEY] and MODEL_REPOSITORY_DIR", USAGE_EXIT)
    source = split_keyed(positional[0])
    deploy(source, Path(positional[1]), force)
    return 0


def entrypoint() -> int:
    return run_tool("riva-deploy", main)
