"""The WSGI layer around the Flask app: fault injection, rate-limit headers and the request log.

Faults live only here, never in the models: a faulted request does not reach the API at all
(except `latency`, which delays and then serves). The request log masks secrets in the query.
"""

from __future__ import annotations

import io
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from werkzeug.wrappers import Response

from riva_tir.emulator import assumptions
from riva_tir.emulator.faults import Fault, FaultPlan
from riva_tir.emulator.lifecycle import Clock

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CONTROL_PREFIX = "/_emulator/"
SECRET_PARAMS = ("apikey", "api_key", "token", "auth_token", "access_key", "secret_key")
MAX_ACTION_BODY = 1 << 20


class DropConnection(ConnectionError):
    """Raised so the server closes the socket without sending a response."""


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    status: int | None
    duration_ms: float
    fault: str | None
    at: float


class RequestLog:
    """Bounded in-memory log of API requests (never holds keys or tokens)."""

    def __init__(self, limit: int = 10_000) -> None:
        self._entries: deque[RequestRecord] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._entries.append(record)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(entry) for entry in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def masked_path(path: str, query: str) -> str:
    """Path plus query with secret values replaced by `***`."""
    if not query:
        return path
    pairs = [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(query, keep_blank_values=True)]
    return f"{path}?{urlencode(pairs, safe='*')}"


class RateWindow:
    """Fixed-window counter behind the `ratelimit-*` headers (informational, not enforced)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._window = 0.0
        self._count = 0

    def headers(self, exhausted: bool = False, reset: int | None = None) -> list[tuple[str, str]]:
        """`ratelimit-reset` is the seconds left in the window, not an epoch (docs/tir.md §2);
        ``reset`` overrides it (a 429 tells when the client may try again)."""
        now = self.clock.now()
        size = assumptions.RATE_WINDOW_SECONDS
        window = math.floor(now / size) * size
        with self._lock:
            if window != self._window:
                self._window, self._count = window, 0
            self._count += 1
            remaining = 0 if exhausted else max(0, assumptions.RATE_LIMIT - self._count)
        return [("ratelimit-limit", str(assumptions.RATE_LIMIT)), ("ratelimit-remaining", str(remaining)),
                ("ratelimit-reset", str(max(1, math.ceil(window + size - now)) if reset is None else reset))]


class HttpMiddleware:
    """Wraps the Flask WSGI app; control routes pass straight through."""

    def __init__(self, app: WSGIApplication, faults: FaultPlan, log: RequestLog, clock: Clock) -> None:
        self.app, self.faults, self.log, self.clock = app, faults, log, clock
        self.rate = RateWindow(clock)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self.app(environ, start_response)
        started = time.monotonic()
        method: str = environ.get("REQUEST_METHOD", "GET")
        shown = masked_path(path, environ.get("QUERY_STRING", ""))
        fault = self.faults.decide(method, path, self._action(environ))

        def record(status: int | None) -> None:
            duration = round((time.monotonic() - started) * 1000, 2)
            self.log.add(RequestRecord(method, shown, status, duration, fault.label if fault else None,
                                      self.clock.now()))

        if fault is not None and fault.kind == "drop":
            record(None)
            raise DropConnection("fault plan dropped the connection")
        if fault is not None and fault.kind == "lose_response":
            self._serve_and_discard(environ, record)
            raise DropConnection("fault plan lost the response")
        if fault is not None and fault.kind == "latency":
            time.sleep(fault.latency_ms / 1000)
        elif fault is not None:
            response = self._fault_response(fault)
            record(response.status_code)
            return response(environ, start_response)

        def logging_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            record(int(status.split(" ", 1)[0]))
            return start_response(status, [*headers, *self.rate.headers()], exc_info)

        return self.app(environ, logging_start_response)

    def _serve_and_discard(self, environ: WSGIEnvironment, record: Callable[[int | None], None]) -> None:
        """Run the call to the end (its effect happens) and throw the answer away."""

        def discarding_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            record(int(status.split(" ", 1)[0]))
            return lambda data: None

        result = self.app(environ, discarding_start_response)
        try:
            for _ in result:
                pass
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    def _fault_response(self, fault: Fault) -> Response:
        if fault.kind == "capacity":
            status, message = assumptions.CAPACITY_STATUS, assumptions.CAPACITY_MESSAGE
            errors: dict[str, str] = {"sku": message}
        elif fault.kind == "rate_limit":
            status, message, errors = 429, "Too many requests. Please try again later", {}
        else:
            status, message, errors = fault.status, "Internal error (injected by the emulator fault plan)", {}
        body = json.dumps({"code": status, "data": None, "errors": errors, "message": message})
        response = Response(body, status=status, mimetype="application/json")
        limited = fault.kind == "rate_limit"
        for name, value in self.rate.headers(exhausted=limited, reset=fault.retry_after if limited else None):
            response.headers[name] = value
        if limited and fault.retry_after_header:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response

    @staticmethod
    def _action(environ: WSGIEnvironment) -> str | None:
        """The `action` of a call, from the query (nodes) or the JSON body (endpoints)."""
        query: str = environ.get("QUERY_STRING", "")
        for key, value in parse_qsl(query):
            if key == "action":
                return value
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if not 0 < length <= MAX_ACTION_BODY:
            return None
        raw = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(raw)
        try:
            payload = json.loads(raw)
        except ValueError:
            return None
        action: object = payload.get("action") if isinstance(payload, dict) else None
        return action if isinstance(action, str) else None
