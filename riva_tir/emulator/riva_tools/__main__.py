"""`python -m riva_tir.emulator.riva_tools make-artifact OUT.riva --size N --key KEY`.

Makes the `.riva` test artifact a node user would otherwise get from nemo2riva or NGC.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from riva_tir.emulator.riva_tools.archive import make_riva_archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m riva_tir.emulator.riva_tools")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make-artifact", help="write a test .riva (EFF stand-in)")
    make.add_argument("output", type=Path)
    make.add_argument("--size", type=int, default=1 << 20, help="payload bytes")
    make.add_argument("--key", default="tlt_encode", help="model key ('' = not encrypted)")
    make.add_argument("--model", default="parakeet-ctc-0.6b-en-us")
    make.add_argument("--kind", default="asr")
    make.add_argument("--seed", type=int, default=0)
    make.add_argument("--trt-plugin", action="append", default=[], metavar="LIB.so",
                      help="a TensorRT plugin library the model needs (repeatable)")
    args = parser.parse_args(argv)
    digest = make_riva_archive(args.output, model=args.model, key=args.key or None,
                               size_bytes=args.size, kind=args.kind, seed=args.seed,
                               trt_plugins=tuple(args.trt_plugin))
    print(f"{args.output} sha256={digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
