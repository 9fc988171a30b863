"""`python -m bench [--quick] [--only full,upload,scale] [--out DIR]`: run the benchmarks side by side
with their floors in one run, print the table, write bench/results.md (full runs; quick
ones write bench/out/results.md) and the raw figures to bench/out/results.json."""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench import full, report, scale, upload
from bench.stacks import Bench

HERE = Path(__file__).resolve().parent
PARTS = ("full", "upload", "scale")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small files, short delays, fewer N")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated subset of {PARTS}")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="folder of the raw figures and quick tables")
    args = parser.parse_args(argv)
    parts = [p for p in args.only.split(",") if p]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown parts {sorted(unknown)}")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    header = report.machine()
    print("\n".join(header), flush=True)
    start = time.perf_counter()
    results: dict[str, Any] = {}
    with Bench(out / "run") as bench:
        if "full" in parts:
            print("full stack: calls, end-to-end up, no-op preview and up ...", flush=True)
            results["full"] = full.run(bench, args.quick)
        if "upload" in parts:
            print("artifact upload ...", flush=True)
            results["upload"] = upload.run(out, args.quick)
        if "scale" in parts:
            print("scale ...", flush=True)
            results["scale"] = scale.run(bench, args.quick)
    minutes = (time.perf_counter() - start) / 60
    # The machine is shared: how loaded it was at the end too, beside the start's figure.
    header.append(report.load_at_end())
    table = report.rows(results)
    print("\n" + report.terminal(header, table) + f"\n\n{minutes:.1f} min")
    (out / "results.json").write_text(json.dumps(results, indent=1, default=_plain))
    target = out / "results.md" if args.quick or parts != list(PARTS) else HERE / "results.md"
    target.write_text(report.markdown(header, table, minutes, argv))
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
