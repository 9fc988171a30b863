"""`ngc`: the NGC CLI's `registry model download-version`, against the catalog of ngc_catalog.py.

ASSUMPTION: the emulator's "valid" NGC API key is whatever the node environment holds in
RIVA_TIR_EMULATOR_NGC_KEY (MachineHost sets it; default DEFAULT_NGC_KEY). The caller's
key comes from NGC_CLI_API_KEY as with the real CLI (docs/riva.md §2). `.riva` downloads are
generated with make_riva_archive. Their real version tags are not confirmed (docs/riva.md §2,
§13: NGC's Riva tags look like `deployable_vX.Y`), so none is built in: the catalog serves the
tags RIVA_TIR_EMULATOR_NGC_TAGS lists (comma-separated; MachineHost passes its own
environment's on), in that form only.
ASSUMPTION: without it, `deployable_v1.0`, the tag the shipped stacks name.
A prebuilt RMIR (at the Riva version, ngc_catalog.RMIR_VERSION) is written as the emulated
riva-build writes it from generated `.riva` inputs and NVIDIA's flags.
ASSUMPTION: a download lands in `<dest>/<name>_v<version>/<name>.riva|.rmir` (docs/riva.md §2
gives the folder; the file name is UNKNOWN).
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import io
import os
import re
import tempfile
from pathlib import Path

from riva_tir.emulator.riva_tools import build
from riva_tir.emulator.riva_tools.archive import make_riva_archive
from riva_tir.emulator.riva_tools.cli import USAGE_EXIT, ToolError, run_tool
from riva_tir.emulator.riva_tools.ngc_catalog import NGC_MODEL_KEY, RMIR_VERSION, PrebuiltRmir, RivaModel, lookup

EXPECTED_KEY_ENV = "RIVA_TIR_EMULATOR_NGC_KEY"
DEFAULT_NGC_KEY = "nvapi-emulator-test-key"
SIZE_ENV = "RIVA_TIR_EMULATOR_NGC_MODEL_BYTES"
TAGS_ENV = "RIVA_TIR_EMULATOR_NGC_TAGS"
DEFAULT_NGC_TAGS = "deployable_v1.0"
_TAG = re.compile(r"deployable_v\d+\.\d+")
_REF = re.compile(r"(?P<path>[a-z0-9_.-]+(?:/[a-z0-9_.-]+){1,2}):(?P<version>[A-Za-z0-9_.-]+)")


def _check_key() -> None:
    given = os.environ.get("NGC_CLI_API_KEY", "")
    expected = os.environ.get(EXPECTED_KEY_ENV, DEFAULT_NGC_KEY)
    if not given:
        raise ToolError("Missing API key. Set NGC_CLI_API_KEY or run 'ngc config set'.")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ToolError("Invalid apikey. Check NGC_CLI_API_KEY (error 401: Unauthorized).")


def served_tags() -> tuple[str, ...]:
    """The version tags the catalog serves (module docstring); a tag not in NGC's form is a
    mistake in the emulator's set-up."""
    tags = tuple(t.strip() for t in os.environ.get(TAGS_ENV, DEFAULT_NGC_TAGS).split(",") if t.strip())
    wrong = [t for t in tags if not _TAG.fullmatch(t)]
    if wrong or not tags:
        raise ToolError(f"{TAGS_ENV}={os.environ.get(TAGS_ENV)!r}: give NGC tags like deployable_v1.0")
    return tags


def _keyed(path: Path, key: str | None) -> str:
    return f"{path}:{key}" if key else str(path)


def _payload_size(model: RivaModel) -> int:
    return int(os.environ.get(SIZE_ENV, model.size_bytes))


def _write_rmir(entry: PrebuiltRmir, target: Path, seed: int) -> None:
    """Generate the `.riva` inputs beside `target`, then run the emulated riva-build into it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".download-", dir=target.parent) as work:
        folder = Path(work)
        sources = []
        for index, model in enumerate(entry.inputs):
            source = folder / f"{index}-{model.kind}.riva"
            make_riva_archive(source, model=model.model, key=model.key, size_bytes=_payload_size(model),
                              kind=model.kind, seed=seed + index)
            sources.append(_keyed(source, model.key))
        args = [entry.task, "-f", _keyed(target, NGC_MODEL_KEY), *sources, *entry.flags(folder)]
        with contextlib.redirect_stdout(io.StringIO()):  # riva-build's progress is not the CLI's
            build.main(args)


def download_version(ref: str, dest: Path) -> Path:
    """Resolve `org/team/name:version`, then write `<dest>/<name>_v<version>/<name>.riva|.rmir`."""
    match = _REF.fullmatch(ref)
    if match is None:
        raise ToolError(f"Invalid target: '{ref}'. Expected <org>/[<team>/]<model>:<version>.",
                        USAGE_EXIT)
    _check_key()
    path, version = match["path"], match["version"]
    entry = lookup(path)
    if entry is None:
        raise ToolError(f"Model '{path}' could not be found (error 404: Not Found).")
    versions = served_tags() if isinstance(entry, RivaModel) else (RMIR_VERSION,)
    if version not in versions:
        raise ToolError(f"Version '{version}' of model '{path}' could not be found "
                        f"(error 404: Not Found). Available: {', '.join(versions)}")
    name = path.rsplit("/", 1)[-1]
    suffix = ".riva" if isinstance(entry, RivaModel) else ".rmir"
    target = dest / f"{name}_v{version}" / f"{name}{suffix}"
    print(f"Getting files to download...\nDownloading {name}:{version} to {target.parent}")
    if isinstance(entry, RivaModel):
        make_riva_archive(target, model=entry.model, key=entry.key, size_bytes=_payload_size(entry),
                          kind=entry.kind, seed=len(name))
    else:
        _write_rmir(entry, target, len(name))
    print(f"Download completed: {target} ({target.stat().st_size} bytes)")
    return target


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ngc", description="NGC CLI (emulated subset)")
    sub = parser.add_subparsers(dest="group", required=True)
    registry = sub.add_parser("registry").add_subparsers(dest="resource", required=True)
    model = registry.add_parser("model").add_subparsers(dest="action", required=True)
    download = model.add_parser("download-version")
    download.add_argument("target")
    download.add_argument("--dest", default=".")
    return parser


def main(args: list[str]) -> int:
    try:
        parsed = _parser().parse_args(args)
    except SystemExit as exc:  # argparse already printed the usage error
        return int(exc.code or 0)
    download_version(parsed.target, Path(parsed.dest))
    return 0


def entrypoint() -> int:
    return run_tool("ngc", main)
