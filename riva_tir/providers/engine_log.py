"""Progress lines from dynamic providers into `pulumi up` output.

Python dynamic providers have no engine connection of their own (pulumi#6065), so
`pulumi.log` from a provider goes nowhere visible. The engine does pass its address to
every resource plugin as the first argument, and the servicer's gRPC request carries
the resource URN: this module uses both to send the engine the same LogRequest a
language SDK sends, attached to the resource being created or updated.
"""
from __future__ import annotations

import inspect
import sys
import threading

_lock = threading.Lock()
_stub: object | None = None


def _engine() -> object | None:
    global _stub
    with _lock:
        if _stub is None and len(sys.argv) > 1 and ":" in sys.argv[1]:
            import grpc
            from pulumi.runtime.proto import engine_pb2_grpc

            _stub = engine_pb2_grpc.EngineStub(grpc.insecure_channel(sys.argv[1]))
        return _stub


def current_urn() -> str:
    """URN of the resource whose provider method is running (found on the servicer's
    frame, which holds the gRPC request); "" outside a provider call."""
    frame = inspect.currentframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        urn = getattr(request, "urn", None)
        if isinstance(urn, str) and urn.startswith("urn:pulumi:"):
            return urn
        frame = frame.f_back
    return ""


def progress(message: str, *, urn: str | None = None, ephemeral: bool = False) -> None:
    """Show `message` under the resource in `pulumi up`; ephemeral lines only update the
    status column. Silently a no-op outside the engine (unit tests, scripts)."""
    stub = _engine()
    if stub is None:
        return
    from pulumi.runtime.proto import engine_pb2

    request = engine_pb2.LogRequest(severity=engine_pb2.INFO, message=message,
                                    urn=current_urn() if urn is None else urn, ephemeral=ephemeral)
    try:
        stub.Log(request)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - progress is best effort; never fail a deployment over it
        pass
