"""`ngc`: the NGC CLI's `registry model download-version`, against a tiny built-in catalog.

ASSUMPTION: the emulator's "valid" NGC API key is whatever the node environment holds in
RIVA_TIR_EMULATOR_NGC_KEY (MachineHost sets it; default DEFAULT_NGC_KEY). The caller's
key comes from NGC_CLI_API_KEY as with the real CLI (docs/riva.md §2). Downloads are generated
with make_riva_archive.
The model's real version tag is not confirmed (docs/riva.md §2, §13: NGC's Riva tags look like
`deployable_vX.Y`), so none is built in: the catalog serves the tags RIVA_TIR_EMULATOR_NGC_TAGS
lists (comma-separated; MachineHost passes its own environment's on), in that form only.
ASSUMPTION: without it, `deployable_v1.0`, the tag the shipped stacks name.
ASSUMPTION: the NGC model is encrypted with `tlt_encode` (docs/riva.md §3 says default to it).
"""

from __future__ import annotations

import argparse
import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path

from riva_tir.emulator.riva_tools.archive import make_riva_archive
from riva_tir.emulator.riva_tools.cli import USAGE_EXIT, ToolError, run_tool

EXPECTED_KEY_ENV = "RIVA_TIR_EMULATOR_NGC_KEY"
DEFAULT_NGC_KEY = "nvapi-emulator-test-key"
SIZE_ENV = "RIVA_TIR_EMULATOR_NGC_MODEL_BYTES"
TAGS_ENV = "RIVA_TIR_EMULATOR_NGC_TAGS"
DEFAULT_NGC_TAGS = "deployable_v1.0"
_TAG = re.compile(r"deployable_v\d+\.\d+")


@dataclass(frozen=True)
class CatalogModel:
    model: str
    kind: str
    key: str | None
    size_bytes: int


CATALOG: dict[str, CatalogModel] = {
    "nvidia/riva/parakeet-ctc-riva-0-6b-en-us": CatalogModel(
        model="parakeet-ctc-0.6b-en-us", kind="asr", key="tlt_encode",
        size_bytes=4 << 20,
    ),
}

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


def download_version(ref: str, dest: Path) -> Path:
    """Resolve `org/team/name:version`, then write `<dest>/<name>_v<version>/<name>.riva`."""
    match = _REF.fullmatch(ref)
    if match is None:
        raise ToolError(f"Invalid target: '{ref}'. Expected <org>/[<team>/]<model>:<version>.",
                        USAGE_EXIT)
    _check_key()
    path, version = match["path"], match["version"]
    entry = CATALOG.get(path)
    if entry is None:
        raise ToolError(f"Model '{path}' could not be found (error 404: Not Found).")
    tags = served_tags()
    if version not in tags:
        raise ToolError(f"Version '{version}' of model '{path}' could not be found "
                        f"(error 404: Not Found). Available: {', '.join(tags)}")
    name = path.rsplit("/", 1)[-1]
    target = dest / f"{name}_v{version}" / f"{name}.riva"
    size = int(os.environ.get(SIZE_ENV, entry.size_bytes))
    print(f"Getting files to download...\nDownloading {name}:{version} to {target.parent}")
    digest = make_riva_archive(target, model=entry.model, key=entry.key, size_bytes=size,
                               kind=entry.kind, seed=len(name))
    print(f"Download completed: {target} ({size} bytes payload, sha256 {digest[:16]}...)")
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
