"""How values reach a shell on the node: as quoted data, and secrets never on a command line.

Everything the program puts into a remote script (file names, bucket names, prefixes,
pipeline flags) goes through `quote`; secrets travel in the environment (which the command
plugin sends over stdin, docs/security.md) and are read by the tools from there:

- the Riva model key: riva-build and riva-deploy take it only as `PATH:KEY` arguments, so
  `keyed_tool` starts them through a constant Python launcher that appends the key from
  `$RIVA_MODEL_KEY` inside its own process; the process list shows the paths only;
- bucket credentials: `mc` reads them from `MC_HOST_<alias>`, composed inside the shell,
  with a throwaway `MC_CONFIG_DIR` removed when the step ends (`mc_session`).
"""
from __future__ import annotations

import shlex

# The one quoting helper: POSIX single quotes, safe for any byte string but NUL.
quote = shlex.quote

# Tool output passes through this filter: it replaces the secrets (taken literally) by ***.
MASK = ("awk 'BEGIN { k[1] = ENVIRON[\"RIVA_MODEL_KEY\"]; k[2] = ENVIRON[\"BUCKET_SECRET_KEY\"] }"
        " { for (n in k) while (k[n] != \"\" && (i = index($0, k[n])) > 0)"
        " $0 = substr($0, 1, i - 1) \"***\" substr($0, i + length(k[n])); print; fflush() }'")

# ASSUMPTION (docs/security.md): riva-build and riva-deploy in the riva-speech image are
# Python console scripts, so they run in-process with the keyed argv set here; the key
# is never in any process's command line.
_KEYED_LAUNCHER = """\
import os, runpy, shutil, sys
tool, keyed, *args = sys.argv[1:]
path = shutil.which(tool)
if path is None:
    sys.exit(tool + ': command not found')
marked = {int(i) for i in keyed.split(',')}
key = os.environ['RIVA_MODEL_KEY']
sys.argv = [path] + [a + ':' + key if i in marked else a for i, a in enumerate(args)]
runpy.run_path(path, run_name='__main__')
"""

# ASSUMPTION: the riva-speech image has no MinIO client; TIR documents `mc` for EOS, so a
# node without it fetches the official static binary once (real TIR nodes reach the web).
MC_URL = "https://dl.min.io/client/mc/release/linux-amd64/mc"
MC_ALIAS = "rivatir"


def script(*lines: str) -> str:
    """A bash script that stops at the first failing command (also inside pipes)."""
    return "\n".join(["set -euo pipefail", *lines])


def keyed_tool(tool: str, args: list[str], keyed: list[int]) -> str:
    """`tool args…` with `:$RIVA_MODEL_KEY` appended to the args at positions `keyed`.

    Args are shell words: literal values must already be `quote`d; `"$var"` expands."""
    marks = ",".join(str(i) for i in keyed)
    return " ".join(["python3", "-c", quote(_KEYED_LAUNCHER), quote(tool), marks, *args])


def mc_session() -> list[str]:
    """Lines that make `mc` usable with alias `MC_ALIAS` from $BUCKET_ENDPOINT,
    $BUCKET_ACCESS_KEY and $BUCKET_SECRET_KEY, leaving nothing on the node's disk."""
    return [
        'export PATH="$HOME/riva-tir/bin:$PATH"',
        f'command -v mc >/dev/null || {{ mkdir -p "$HOME/riva-tir/bin" && '
        f'curl -fsSL -o "$HOME/riva-tir/bin/mc" {quote(MC_URL)} && chmod +x "$HOME/riva-tir/bin/mc"; }}',
        'MC_CONFIG_DIR="$(mktemp -d)"; export MC_CONFIG_DIR',
        "trap 'rm -rf -- \"$MC_CONFIG_DIR\"' EXIT",
        # mc reads MC_HOST_<alias>=scheme://ACCESS:SECRET@host (the secret must not hold '@').
        f'export MC_HOST_{MC_ALIAS}="${{BUCKET_ENDPOINT%%://*}}://$BUCKET_ACCESS_KEY:$BUCKET_SECRET_KEY'
        '@${BUCKET_ENDPOINT#*://}"',
    ]
