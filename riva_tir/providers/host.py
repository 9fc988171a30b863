"""The dynamic-provider process: the SDK's `python -m pulumi.dynamic`, with two changes.

- **More calls at once.** The SDK serves provider calls on 4 threads (pulumi/dynamic/
  __main__.py, v3.259), and a `create` holds its thread while TIR provisions (minutes for a
  node): a stack of 20 deployments provisioned 4 things at a time (bench/ benchmark 6).
- **Previews that tell what the apply does.** Without preview support the engine shows
  every output of a resource being updated as unknown, so a resource that reads an id from
  it (an endpoint's scaling, from `endpoint_id`) shows as replaced in `preview` and is
  only updated by `up`. This host answers the engine's preview `Create`/`Update` calls
  itself, without calling TIR: the outputs an update keeps stay known, those it may change
  are unknown (a provider's `preview_update` says which).
- **It ends with its engine.** The engine starts each plugin in a process group of its own,
  so a `pulumi up` killed with its process group (a cancelled CI job) does not reach this
  host, which would go on creating what the run asked for while the recovery and the next
  `up` run (README "After an interrupted run").

The engine's launcher starts this module (engine/build.sh); with a stock Pulumi CLI the
SDK's own host runs, with 4 threads and the SDK's previews, and riva-tir's providers start
the engine watch themselves (`watch_engine`, from `configure`).
"""
from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping
from concurrent import futures
from typing import Any

from riva_tir.providers.base import UNKNOWN

# Provider calls served at once. Threads start only as calls arrive, so an idle pool costs
# nothing; scripts/env.sh lets the engine run as many steps at once (PULUMI_PARALLEL).
PROVIDER_THREADS = 64


def preview_outputs(provider: Any, olds: Mapping[str, Any] | None, news: Mapping[str, Any],
                    id_: str | None = None) -> dict[str, Any]:
    """The outputs `preview` shows: the new inputs, and each computed output as the old
    state has it (unknown for a create, or where the provider's `preview_update` says)."""
    computed: frozenset[str] = getattr(provider, "computed", frozenset())
    outs = {k: v for k, v in news.items() if not k.startswith("__")}
    for key in computed:
        outs[key] = olds.get(key) if olds is not None else UNKNOWN
    if olds is not None and hasattr(provider, "preview_update"):
        outs.update(provider.preview_update(id_, olds, news))
    return outs


def _wire(value: Any) -> Any:
    """`value` with the SDK's `Unknown` objects back as the wire's unknown sentinel."""
    from pulumi.output import Unknown

    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_wire(v) for v in value]
    return value


def _sdk_host() -> Any:
    """The SDK's provider-host module, loaded without running it: `pulumi/dynamic/__main__.py`
    ends with an unconditional `main()`, so it is compiled here without that last call."""
    import ast
    import importlib.util
    import types

    spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    assert spec is not None and spec.origin is not None
    tree = ast.parse(open(spec.origin, encoding="utf-8").read(), spec.origin)
    tree.body = [node for node in tree.body if not (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name) and node.value.func.id == "main")]
    module = types.ModuleType("pulumi_dynamic_host")
    module.__file__ = spec.origin
    exec(compile(tree, spec.origin, "exec"), module.__dict__)  # noqa: S102 - the SDK's own code
    return module


_WATCHING = threading.Lock()
_watched: list[threading.Thread] = []


def watch_engine() -> None:
    """End this provider process with its engine (whose address the engine gives every
    plugin as its last argument), once per process: in this host, and from the providers'
    `configure` in the SDK's own host, which does not end with its engine."""
    engine = sys.argv[-1] if len(sys.argv) > 1 else ""
    if ":" not in engine or not engine.rsplit(":", 1)[1].isdigit():
        return
    with _WATCHING:
        if not _watched:
            _watched.append(end_with_engine(engine))


def end_with_engine(engine: str, every_seconds: float = 1.0) -> threading.Thread:
    """Watch the engine at `engine` (its gRPC health service, as Go plugins do) and kill
    this process group (the launcher and this host) once it no longer answers."""
    import grpc

    check = grpc.insecure_channel(engine).unary_unary(
        "/grpc.health.v1.Health/Check", request_serializer=bytes, response_deserializer=bytes)

    def watch() -> None:
        while True:
            time.sleep(every_seconds)
            try:
                check(b"")  # an empty HealthCheckRequest
            except grpc.RpcError as err:
                if err.code() == grpc.StatusCode.UNAVAILABLE:  # nothing to tell: stderr went to the engine
                    os.killpg(os.getpgrp(), signal.SIGKILL)

    thread = threading.Thread(target=watch, name="engine-watch", daemon=True)
    thread.start()
    return thread


def main() -> None:
    import grpc
    from pulumi.runtime import proto, rpc
    from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
    from pulumi.runtime.proto import provider_pb2_grpc

    sdk = _sdk_host()
    def serialized(outs: dict[str, Any], provider_key: Any) -> Any:
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(rpc.serialize_properties(
                {**_wire(outs), sdk.PROVIDER_KEY: provider_key}, {}))
        finally:
            loop.close()

    base: Any = sdk.DynamicResourceProviderServicer

    class Servicer(base):  # type: ignore[misc]  # the SDK's servicer is untyped
        def Configure(self, request: Any, context: Any) -> Any:
            response = super().Configure(request, context)
            response.supportsPreview = True
            return response

        def Create(self, request: Any, context: Any) -> Any:
            if not request.preview:
                return super().Create(request, context)
            props = rpc.deserialize_properties(request.properties, True)
            provider = sdk.get_provider(props, self._config)
            outs = preview_outputs(provider, None, props)
            return proto.CreateResponse(id="", properties=serialized(outs, props[sdk.PROVIDER_KEY]))

        def Update(self, request: Any, context: Any) -> Any:
            if not request.preview:
                return super().Update(request, context)
            olds = rpc.deserialize_properties(request.olds, True)
            news = rpc.deserialize_properties(request.news, True)
            provider = sdk.get_provider(olds if news.get(sdk.PROVIDER_KEY) == UNKNOWN else news, self._config)
            outs = preview_outputs(provider, olds, news, request.id)
            return proto.UpdateResponse(properties=serialized(outs, news.get(sdk.PROVIDER_KEY)))

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=PROVIDER_THREADS), options=_GRPC_CHANNEL_OPTIONS)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(Servicer(), server)
    port = server.add_insecure_port(address="127.0.0.1:0")
    server.start()
    sys.stdout.buffer.write(f"{port}\n".encode())
    sys.stdout.buffer.flush()
    watch_engine()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop(0)


if __name__ == "__main__":
    main()
