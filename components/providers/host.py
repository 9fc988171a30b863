"""The dynamic-provider process: `python -m pulumi.dynamic`, serving more calls at once.

The SDK serves provider calls on 4 threads (pulumi/dynamic/__main__.py, v3.259), and a
`create` holds its thread while TIR provisions (minutes for a node). A stack of 20
deployments so provisioned 4 things at a time (bench/ benchmark 6). The engine's launcher
starts this module instead (engine/build.sh); with a stock Pulumi CLI the SDK's 4 apply.
"""
from __future__ import annotations

import runpy
from concurrent import futures
from typing import Any

# Provider calls served at once. Threads start only as calls arrive, so an idle pool costs
# nothing; scripts/env.sh lets the engine run as many steps at once (PULUMI_PARALLEL).
PROVIDER_THREADS = 64


class _WidePool(futures.ThreadPoolExecutor):
    def __init__(self, max_workers: int | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(max(max_workers or 0, PROVIDER_THREADS), *args, **kwargs)


if __name__ == "__main__":
    # pulumi.dynamic builds its gRPC server's pool from this name when its main() runs.
    futures.ThreadPoolExecutor = _WidePool  # type: ignore[misc]
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)
