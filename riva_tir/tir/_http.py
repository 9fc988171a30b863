"""HTTP transport: the single home of auth, URL building, envelope unwrapping,
status->error mapping, retries and secret masking.

Everything above this module deals in parsed ``data`` payloads and typed errors.
"""

from __future__ import annotations

import email.utils
import functools
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential_jitter

from riva_tir.tir.config import TirConfig
from riva_tir.tir.errors import (
    AuthError,
    CapacityError,
    Conflict,
    NotFound,
    RateLimited,
    ServerError,
    TirApiError,
    TransportError,
    UnexpectedResponse,
    ValidationFailed,
)
from riva_tir.tir.read_cache import ReadCache

T = TypeVar("T")
Params = Mapping[str, str | int | bool | None]

log = logging.getLogger("tir")

CAPACITY_TEXT = "sku inventory temporarily unavailable"
_APIKEY_RE = re.compile(r"(apikey=)[^&#\s'\"]+", re.IGNORECASE)
_STATUS_ERRORS: dict[int, type[TirApiError]] = {
    400: ValidationFailed,
    401: AuthError,
    403: AuthError,
    404: NotFound,
    409: Conflict,
    422: ValidationFailed,
}
_TRANSIENT_STATUSES = frozenset({502, 503, 504})
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})


def mask_url(url: str) -> str:
    """Replace the ``apikey`` query value so the URL is safe to log or raise."""
    return _APIKEY_RE.sub(r"\1***", url)


class Masker:
    """Masks the apikey parameter plus any literal secret value in a text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = [s for s in secrets if s]

    def __call__(self, text: str) -> str:
        text = mask_url(text)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def rate_limit_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds a 429 asks the client to wait: ``Retry-After`` when sent, else ``ratelimit-reset``,
    which TIR gives as seconds remaining in the window (e.g. ``141``), not an epoch (docs/tir.md §2)."""
    retry_after = parse_retry_after(headers.get("Retry-After"))
    if retry_after is not None:
        return retry_after
    try:
        return max(0.0, float(headers.get("ratelimit-reset") or ""))
    except ValueError:
        return None


def _flatten(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(_flatten(v) for v in value)
    return str(value)


def _describe(body: object) -> tuple[str, dict[str, str], int | None]:
    """(message, field errors, body code) from any of TIR's error body shapes."""
    if not isinstance(body, dict):
        return (str(body)[:200] if body else ""), {}, None
    errors = body.get("errors")
    fields = {str(k): _flatten(v) for k, v in errors.items()} if isinstance(errors, dict) else {}
    message = body.get("message") or body.get("detail") or (errors if isinstance(errors, str) else "")
    code = next((body[k] for k in ("code", "status_code") if isinstance(body.get(k), int)), None)
    return _flatten(message), fields, code


def _body_failure(body: object) -> int | None:
    """Status of a failure signalled inside a 2xx body, else None.

    ASSUMPTION (from e2ectl): ``code``/``status_code`` >= 400, ``errors: true`` or a
    bare ``detail`` without ``data`` mean failure; the latter two are read as 400.
    """
    if not isinstance(body, dict):
        return None
    for key in ("code", "status_code"):
        value = body.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 400:
            return value
    if body.get("errors") is True or (body.get("detail") and "data" not in body):
        return 400
    return None


def error_for_response(
    status: int,
    body: object,
    headers: Mapping[str, str],
    *,
    reason: str,
    method: str,
    url: str,
    mask: Callable[[str], str],
) -> TirApiError:
    """The one status -> exception mapping of the client."""
    message, fields, code = _describe(body)
    message = mask(message or reason or "request failed")
    fields = {k: mask(v) for k, v in fields.items()}
    common: dict[str, Any] = {
        "code": code,
        "field_errors": fields,
        "request_id": headers.get("x-request-id"),
        "method": method,
        "url": url,
    }
    if CAPACITY_TEXT in " ".join([message, *fields.values()]).lower():
        return CapacityError(status, message, **common)
    if status == 429:
        return RateLimited(status, message, retry_after=rate_limit_wait(headers), **common)
    if status >= 500:
        return ServerError(status, message, **common)
    return _STATUS_ERRORS.get(status, TirApiError)(status, message, **common)


def _transient(method: str) -> Callable[[BaseException], bool]:
    """Retry rule for idempotent calls; a GET may also retry a plain 500 (docs/tir.md §2)."""

    def check(exc: BaseException) -> bool:
        if isinstance(exc, (TransportError, RateLimited)):
            return True
        if isinstance(exc, ServerError):
            return exc.status in _TRANSIENT_STATUSES or (method == "GET" and exc.status == 500)
        return False

    return check


def _ambiguous(exc: BaseException) -> bool:
    """A POST failure after which the resource may or may not exist."""
    return isinstance(exc, (TransportError, ServerError, RateLimited))


def _never(exc: BaseException) -> bool:
    return False


class Transport:
    """Sends one logical request, retrying per the policy in ``TirClient``'s docstring."""

    def __init__(
        self,
        config: TirConfig,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        read_cache: ReadCache | None = None,
    ) -> None:
        self.config = config
        self._read_cache = read_cache
        self._session = session or requests.Session()
        self._sleep = sleep
        self._clock = clock
        self.mask = Masker([config.api_key.get_secret_value(), config.auth_token.get_secret_value()])
        self._backoff = wait_exponential_jitter(
            multiplier=config.backoff_initial, max=config.backoff_max, jitter=config.backoff_initial
        )
        self._capacity_backoff = wait_exponential_jitter(
            multiplier=config.capacity_backoff_initial,
            max=config.capacity_backoff_max,
            jitter=config.capacity_backoff_initial,
        )

    def __repr__(self) -> str:
        return f"Transport(api_root={self.config.api_root!r}, project_id={self.config.project_id})"

    def close(self) -> None:
        self._session.close()

    # -- URLs -------------------------------------------------------------------------

    def url(self, path: str, *, scoped: bool) -> str:
        """Absolute URL without query; project-scoped paths follow ``url_style``."""
        cfg = self.config
        if scoped and cfg.url_style == "team-scoped":
            return f"{cfg.api_root}teams/{cfg.team_id}/projects/{cfg.project_id}/{path}"
        return cfg.api_root + path

    def _query(self, scoped: bool, params: Params | None) -> dict[str, str]:
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        if scoped and self.config.url_style == "project-query":
            query["project_id"] = str(self.config.project_id)
        query["location"] = self.config.location
        query["apikey"] = self.config.api_key.get_secret_value()
        return query

    # -- public verbs ------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        scoped: bool,
        params: Params | None = None,
        body: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
        plan: str | None = None,
        settled: Callable[[], Any | None] | None = None,
    ) -> Any:
        """One logical call returning the envelope's ``data``.

        ``idempotent`` defaults by verb (POST is not); ``plan`` names the plan for
        capacity errors and turns on the capacity retry budget. ``settled`` is asked
        before re-sending after a lost or failed response: a non-None answer means the
        first call took effect (TIR refuses e.g. a second stop) and is returned instead.
        """
        if idempotent is None:
            idempotent = method in _IDEMPOTENT_METHODS
        retry_if = _transient(method) if idempotent else _never
        if idempotent and settled is not None:
            # The effect is checked before any re-send, so a plain 500 is as safe to retry
            # as a lost response (a DELETE or stop that failed on 500 would fail the run).
            retry_if = _ambiguous
        send = functools.partial(self._send, method, path, scoped, params, body)
        return self._run(send if settled is None else _unless_settled(send, settled, path), retry_if, plan)

    def shared_get(self, path: str, *, scoped: bool, params: Params, ttl: float | None = None) -> Any:
        """GET answered from the read cache when the client has one: for the reads every
        resource of a run repeats (catalog pages, the access check), and with a short
        `ttl` for an object several resources read at the same moment."""
        def load() -> Any:
            return self.request("GET", path, scoped=scoped, params=params)

        if self._read_cache is None:
            return load()
        cfg = self.config
        # Per account and token too: accounts may see different catalogs, and a token
        # TIR refuses must be asked about again.
        account = hashlib.sha256(f"{cfg.api_key.get_secret_value()}:{cfg.auth_token.get_secret_value()}"
                                 .encode()).hexdigest()
        where = (cfg.url_style, cfg.team_id, cfg.project_id) if scoped else ()
        key = (cfg.api_root, cfg.location, account, *where, path,
               tuple(sorted((k, str(v)) for k, v in params.items())))
        return self._read_cache.get(key, load, ttl)

    def create(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        scoped: bool,
        parse: Callable[[Any], T],
        find_existing: Callable[[], T | None] | None,
        plan: str | None = None,
    ) -> T:
        """POST a new resource.

        Without ``find_existing`` only capacity refusals are retried. With it, a lost
        or failed response (transport error, 5xx, 429) is followed by a lookup by
        name before any re-send, so retries never duplicate the resource.
        """

        def send() -> T:
            return parse(self._send("POST", path, scoped, None, body))

        if find_existing is None:
            return self._run(send, _never, plan)
        return self._run(_unless_settled(send, find_existing, path), _ambiguous, plan)

    # -- internals ---------------------------------------------------------------------

    def _run(self, call: Callable[[], T], retry_if: Callable[[BaseException], bool], plan: str | None) -> T:
        cfg = self.config

        def should_retry(exc: BaseException) -> bool:
            if isinstance(exc, CapacityError):
                return plan is not None
            return retry_if(exc)

        def stop(state: RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            budget = cfg.capacity_retries if isinstance(exc, CapacityError) else cfg.max_retries
            return state.attempt_number > budget

        retrying = Retrying(
            retry=retry_if_exception(should_retry),
            stop=stop,
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
            before_sleep=_log_retry,
        )
        try:
            return retrying(call)
        except CapacityError as exc:
            if plan is None:
                raise
            attempts = int(retrying.statistics.get("attempt_number", 1))
            raise exc.for_plan(plan, attempts) from None

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, CapacityError):
            return float(self._capacity_backoff(state))
        delay = float(self._backoff(state))
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, self.config.retry_after_max))
        return delay

    def _send(self, method: str, path: str, scoped: bool, params: Params | None, body: Mapping[str, Any] | None) -> Any:
        url = self.url(path, scoped=scoped)
        query = self._query(scoped, params)
        shown = mask_url(f"{url}?{urlencode(query)}")
        headers = {"Authorization": f"Bearer {self.config.auth_token.get_secret_value()}", "Accept": "application/json"}
        started = self._clock()
        try:
            resp = self._session.request(
                method,
                url,
                params=query,
                json=body,
                headers=headers,
                timeout=(self.config.connect_timeout, self.config.read_timeout),
            )
        except requests.RequestException as exc:
            elapsed = (self._clock() - started) * 1000
            log.warning("%s %s -> %s (%.0f ms)", method, shown, type(exc).__name__, elapsed)
            raise TransportError(f"{method} {shown}: {type(exc).__name__}: {self.mask(str(exc))}") from None
        elapsed = (self._clock() - started) * 1000
        log.debug("%s %s -> %d (%.0f ms)", method, shown, resp.status_code, elapsed)
        is_json, payload = _decode(resp)
        failure = resp.status_code if resp.status_code >= 400 else _body_failure(payload)
        if failure is not None:
            raise error_for_response(
                failure, payload, resp.headers, reason=resp.reason or "", method=method, url=shown, mask=self.mask
            )
        if not is_json:
            raise UnexpectedResponse(f"{method} {shown}: HTTP {resp.status_code} body is not JSON")
        if isinstance(payload, dict) and "data" in payload:
            return payload["data"]
        return payload


def _param(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _decode(resp: requests.Response) -> tuple[bool, Any]:
    """(is_json, payload); an empty body is JSON ``null``."""
    if not resp.content:
        return True, None
    try:
        return True, resp.json()
    except ValueError:
        return False, None


def _unless_settled(send: Callable[[], T], settled: Callable[[], T | None], path: str) -> Callable[[], T]:
    """``send``, but after a lost/failed response ask ``settled`` first and skip the re-send if it answers."""
    lost = False

    def attempt() -> T:
        nonlocal lost
        if lost:
            outcome = settled()
            if outcome is not None:
                log.warning("%s: the lost call took effect; not re-sending", path)
                return outcome
        try:
            return send()
        except (TransportError, ServerError, RateLimited):
            lost = True
            raise

    return attempt


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    pause = state.next_action.sleep if state.next_action else 0.0
    log.warning("retrying after attempt %d (%s); sleeping %.1fs", state.attempt_number, exc, pause)
