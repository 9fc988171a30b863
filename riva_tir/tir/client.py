"""``TirClient``: the typed entry point to the TIR API."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import requests

from riva_tir.tir._http import Transport
from riva_tir.tir.config import TirConfig
from riva_tir.tir.endpoints.client import EndpointsClient
from riva_tir.tir.images.client import ImagesClient
from riva_tir.tir.model_repositories.client import ModelRepositoriesClient
from riva_tir.tir.nodes.client import NodesClient
from riva_tir.tir.plans.client import PlansClient
from riva_tir.tir.read_cache import ReadCache
from riva_tir.tir.registry.client import RegistryClient
from riva_tir.tir.ssh_keys.client import SshKeysClient
from riva_tir.tir.waiter import Backoff, Pacing


class TirClient:
    """Typed client for one TIR project in one location.

    Every call sends ``apikey`` (query) and ``Authorization: Bearer`` plus
    ``location``; project-scoped paths follow ``config.url_style``. Methods return
    frozen pydantic models and make only the calls their docstrings name.

    Retry policy (all in ``tir._http``, via tenacity; exponential backoff with
    jitter, capped at ``backoff_max``):

    * GET, DELETE and idempotent PUT actions are retried up to ``max_retries``
      times on connection errors/timeouts, 429 and 502/503/504 (GET also on 500).
      A 429's ``Retry-After``, or else its ``ratelimit-reset`` (seconds remaining), is
      honoured (up to ``retry_after_max``).
    * POST is never re-sent blindly. ``create`` sends once; ``create_idempotent``
      re-sends after a transport error, 5xx or 429 only when a lookup by name
      shows the resource was not created.
    * Likewise start, stop and DELETE are re-sent (after a transport error, 429 or
      any 5xx, a plain 500 included) only when a GET shows the lost call did not take
      effect (TIR refuses a second stop, and 404s a second DELETE).
    * "SKU Inventory temporarily unavailable" (``CapacityError``) on create, start
      or a plan change is retried ``capacity_retries`` times with a slower backoff,
      then raised naming the plan.
    * Auth (401/403), validation (400/422), 404 and 409 are never retried.

    Catalog reads (images, plans) and ``check_access`` go through ``read_cache`` when
    given: a cache shared by the clients of one process (``tir.read_cache``).

    Secrets never reach logs (logger ``"tir"``), reprs or exception texts: URLs are
    logged with ``apikey=***`` and bodies are not logged.
    """

    def __init__(
        self,
        config: TirConfig,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        backoff: Backoff | None = None,
        rand: Callable[[], float] = random.random,
        read_cache: ReadCache | None = None,
    ) -> None:
        self.config = config
        self._transport = Transport(config, session=session, sleep=sleep, clock=clock, read_cache=read_cache)
        pacing = Pacing(clock=clock, sleep=sleep, backoff=backoff or Backoff(), rand=rand)
        self.plans = PlansClient(self._transport)
        self.registry = RegistryClient(self._transport)
        self.images = ImagesClient(self._transport)
        self.ssh_keys = SshKeysClient(self._transport)
        self.nodes = NodesClient(self._transport, pacing)
        self.model_repositories = ModelRepositoriesClient(self._transport, pacing)
        self.endpoints = EndpointsClient(self._transport, pacing)

    def __repr__(self) -> str:
        cfg = self.config
        return f"TirClient(api_root={cfg.api_root!r}, project_id={cfg.project_id}, location={cfg.location!r})"

    def check_access(self) -> None:
        """One project-scoped read (a page of one node): raises ``AuthError`` when TIR
        refuses the key or token, ``NotFound``/``ValidationFailed`` for the project or
        region. Answered from the read cache while TIR keeps accepting them."""
        self._transport.shared_get("notebooks/", scoped=True, params={"page_no": 1, "per_page": 1})

    def service_counts(self) -> dict[str, Any]:
        """The official SDK's access check (`dashboard/service-count/`): the project's resource
        counts, or ``AuthError``/``NotFound`` as `check_access` raises them."""
        data = self._transport.request("GET", "dashboard/service-count/", scoped=True)
        return dict(data) if isinstance(data, dict) else {}

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> TirClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
