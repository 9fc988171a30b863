"""CLI: `python -m riva_tir.emulator serve ...` (foreground) and `python -m riva_tir.emulator inventory --url ...`."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from typing import Any

from riva_tir.emulator.control_client import EmulatorControl

KINDS = ("nodes", "model_repositories", "endpoints", "ssh_keys")


def _speed(value: str) -> str | dict[str, float]:
    """`instant`, `demo`, or a JSON object of per-transition seconds."""
    return json.loads(value) if value.lstrip().startswith("{") else value


def serve(args: argparse.Namespace) -> int:
    from riva_tir.emulator.alternatives import Alternatives, parse_assignments
    from riva_tir.emulator.server import EmulatorServer

    server = EmulatorServer(
        port=args.port, grpc_port=args.grpc_port, data_dir=args.data_dir, speed=_speed(args.speed), seed=args.seed,
        api_key=args.api_key or os.environ.get("TIR_EMULATOR_API_KEY"),
        auth_token=args.auth_token or os.environ.get("TIR_EMULATOR_AUTH_TOKEN"),
        alternatives=Alternatives.model_validate(parse_assignments(args.alternative)),
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    server.start()
    print(f"TIR emulator listening on {server.url} (API root {server.api_root}), gRPC ingress on "
          f"{server.grpc_address} (TLS, CA {server.ca_file}), data in {server.data_dir}", flush=True)
    try:
        done.wait()
    finally:
        server.stop()
    return 0


def _summary(item: dict[str, Any]) -> str:
    parts = [str(item.get("id", item.get("pk", ""))), str(item.get("name", item.get("label", "")))]
    if "status" in item:
        parts.append(str(item["status"]))
    bucket = item.get("bucket")
    if isinstance(bucket, dict):
        parts.append(f"bucket={bucket.get('bucket_name')}")
    return "  ".join(parts)


def inventory(args: argparse.Namespace) -> int:
    data = EmulatorControl(args.url, timeout=30).inventory()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    for kind in KINDS:
        print(f"{kind}: {len(data[kind])}")
        for item in data[kind]:
            print(f"  {_summary(item)}")
    print(f"buckets: {', '.join(data['buckets']) or '-'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m riva_tir.emulator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve_p = sub.add_parser("serve", help="run the emulator in the foreground")
    serve_p.add_argument("--port", type=int, default=8700)
    serve_p.add_argument("--grpc-port", type=int, default=8701, help="the gRPC ingress (TLS)")
    serve_p.add_argument("--data-dir", default=".emulator")
    serve_p.add_argument("--speed", default="demo", help="instant | demo | JSON seconds per transition")
    serve_p.add_argument("--seed", type=int, default=0, help="fault plan seed")
    serve_p.add_argument("--alternative", action="append", default=[], metavar="NAME=VALUE",
                         help="play another answer to one of TIR's unknowns (riva_tir/emulator/alternatives.py), "
                              "e.g. login_user=jovyan; repeatable")
    serve_p.add_argument("--api-key", help="expected apikey (or $TIR_EMULATOR_API_KEY)")
    serve_p.add_argument("--auth-token", help="expected bearer token (or $TIR_EMULATOR_AUTH_TOKEN)")
    serve_p.set_defaults(func=serve)
    inv_p = sub.add_parser("inventory", help="list everything that exists in a running emulator")
    inv_p.add_argument("--url", default="http://127.0.0.1:8700")
    inv_p.add_argument("--json", action="store_true")
    inv_p.set_defaults(func=inventory)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
