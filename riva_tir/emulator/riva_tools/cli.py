"""What the emulated command-line tools share: `file:key` arguments and error reporting."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

USAGE_EXIT = 2
FAILURE_EXIT = 1


class ToolError(Exception):
    """A failure reported as `<tool>: error: <message>` with a non-zero exit status."""

    def __init__(self, message: str, exit_code: int = FAILURE_EXIT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class KeyedPath:
    """A `path[:key]` argument. The key is kept out of repr."""

    path: Path
    key: str | None

    def __repr__(self) -> str:
        return f"KeyedPath(path={str(self.path)!r}, key={'***' if self.key else None})"


def split_keyed(arg: str) -> KeyedPath:
    """Parse `path[:key]`; an empty path, an empty key or a second colon is a usage error."""
    path, sep, key = arg.partition(":")
    if not path:
        raise ToolError(f"invalid file argument '{_safe(arg)}': missing file name", USAGE_EXIT)
    if not sep:
        return KeyedPath(Path(path), None)
    if not key or ":" in key:
        raise ToolError(
            f"invalid file argument for '{path}': expected FILE or FILE:KEY", USAGE_EXIT
        )
    return KeyedPath(Path(path), key)


def _safe(arg: str) -> str:
    """An argument with any key part masked, for messages."""
    path, sep, _key = arg.partition(":")
    return f"{path}:***" if sep else path


def run_tool(
    tool: str, main: Callable[[list[str]], int], argv: list[str] | None = None,
    label: str = "error:",
) -> int:
    """Run `main`, turning ToolError into the tool's `<tool>: <label> <message>` line."""
    args = sys.argv[1:] if argv is None else argv
    try:
        return main(args)
    except ToolError as exc:
        print(f"{tool}: {label} {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
