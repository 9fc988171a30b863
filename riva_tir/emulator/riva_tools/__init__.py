"""Emulated Riva/NGC/MinIO command-line tools for TIR nodes, and the `.riva` test artifact.

`tools_bin_dir()` holds the executables `riva-build`, `riva-deploy`, `mc` and `ngc`;
MachineHost puts it first on PATH for commands run over SSH. Formats are stand-ins for
NVIDIA's (see archive.py); behaviour follows docs/riva.md.
"""

from pathlib import Path

from riva_tir.emulator.riva_tools.archive import make_riva_archive

TOOLS = ("riva-build", "riva-deploy", "mc", "ngc")


def tools_bin_dir() -> Path:
    """Folder with the tool executables (shipped in the package, `#!/usr/bin/env python3`)."""
    return Path(__file__).resolve().parent / "bin"


__all__ = ["TOOLS", "make_riva_archive", "tools_bin_dir"]
