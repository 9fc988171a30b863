"""Shared verbs of project-scoped resource clients (nodes, repositories, endpoints)."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any, Generic, TypeGuard, TypeVar

from riva_tir.tir._http import Transport
from riva_tir.tir._models import Resource, as_list, parse
from riva_tir.tir.errors import NotFound
from riva_tir.tir.paging import Page, collect_pages, iter_pages
from riva_tir.tir.read_cache import SAME_MOMENT_SECONDS
from riva_tir.tir.validation import NamedSpec
from riva_tir.tir.waiter import Pacing, wait_for

M = TypeVar("M", bound=Resource)
S = TypeVar("S", bound="NamedSpec")


class ResourceClient(Generic[M, S]):
    """get / find / list / list_all / create / create_idempotent / delete / wait_*.

    Every method makes exactly the calls its docstring says; only ``read_shared`` answers
    from the client's read cache.
    """

    def __init__(
        self,
        transport: Transport,
        pacing: Pacing,
        *,
        model: type[M],
        path: str,
        kind: str,
        ready_timeout: float,
    ) -> None:
        self._t = transport
        self._pacing = pacing
        self._model = model
        self._path = path
        self._kind = kind
        self._ready_timeout = ready_timeout

    def _item(self, resource_id: int, suffix: str = "") -> str:
        return f"{self._path}{resource_id}/{suffix}"

    def _context(self) -> dict[str, Any]:
        return {"status_aliases": self._t.config.status_aliases}

    def _parse(self, data: Any) -> M:
        return parse(self._model, data, self._context())

    def _plan(self, spec: S) -> str | None:
        """Plan named in capacity errors; None disables capacity retries."""
        return None

    def get(self, resource_id: int) -> M:
        """GET one resource; raises ``NotFound`` when it does not exist."""
        return self._parse(self._t.request("GET", self._item(resource_id), scoped=True))

    def record(self, resource_id: int) -> dict[str, Any]:
        """GET one resource as TIR sends it, every field kept (what `scripts/doctor` reads
        to find fields no source names)."""
        data = self._t.request("GET", self._item(resource_id), scoped=True)
        return dict(data) if isinstance(data, dict) else {}

    def list(self, page_no: int = 1, per_page: int = 50) -> Page[M]:
        """GET one page of the project's resources."""
        data = self._t.request("GET", self._path, scoped=True, params={"page_no": page_no, "per_page": per_page})
        return Page(tuple(self._parse(item) for item in as_list(data, self._kind)), page_no, per_page)

    def list_all(self, per_page: int = 100) -> builtins.list[M]:
        """Every resource of the kind, page by page."""
        return collect_pages(self.list, key=lambda m: m.id, per_page=per_page)

    def find(self, name: str) -> M | None:
        """The resource with this exact name, or None: pages until found (all pages when absent)."""
        return next((m for m in iter_pages(self.list, key=lambda m: m.id) if m.name == name), None)

    def create(self, spec: S) -> M:
        """POST once; only "no capacity" refusals are retried (within the capacity budget)."""
        return self._t.create(
            self._path, spec.to_wire(), scoped=True, parse=self._parse, find_existing=None, plan=self._plan(spec)
        )

    def create_idempotent(self, spec: S) -> M:
        """POST, and after a lost/failed response look the name up before re-sending."""
        return self._t.create(
            self._path,
            spec.to_wire(),
            scoped=True,
            parse=self._parse,
            find_existing=lambda: self.find(spec.name),
            plan=self._plan(spec),
        )

    def delete(self, resource_id: int) -> M | None:
        """DELETE; returns the deleted object when TIR echoes it (endpoints do), else None.

        Raises ``NotFound`` if it is already gone before the call; a DELETE whose
        response was lost is not re-sent once GET answers 404 (the echo is then lost too).
        """

        def gone() -> dict[str, Any] | None:
            return {} if self.get_or_none(resource_id) is None else None

        data = self._t.request("DELETE", self._item(resource_id), scoped=True, settled=gone)
        return self._parse(data) if isinstance(data, dict) and "id" in data else None

    def get_or_none(self, resource_id: int) -> M | None:
        """``get`` that reads 404 as "gone" (what waiters and providers' read need)."""
        try:
            return self.get(resource_id)
        except NotFound:
            return None

    def read_shared(self, resource_id: int) -> M | None:
        """``get_or_none`` for a provider's `read`: one GET answers every client of the read
        cache that asks for this object within ``SAME_MOMENT_SECONDS`` (or while it is in
        flight). Without a read cache, a GET of its own."""
        try:
            return self._parse(self._t.shared_get(self._item(resource_id), scoped=True, params={},
                                                  ttl=SAME_MOMENT_SECONDS))
        except NotFound:
            return None

    def _showing(self, resource_id: int, statuses: frozenset[str]) -> Callable[[], M | None]:
        """For re-sends of a lost action: the resource if it already shows the action's effect."""

        def check() -> M | None:
            current = self.get_or_none(resource_id)
            return current if current is not None and current.status in statuses else None

        return check

    def wait_ready(self, resource_id: int, timeout: float | None = None) -> M:
        """Poll until ready; ``ResourceFailed`` on a failure status or disappearance."""

        def ready(m: M | None) -> TypeGuard[M]:
            return m is not None and m.is_ready

        return wait_for(
            lambda: self.get_or_none(resource_id),
            ready,
            lambda m: m is None or m.is_failed,
            self._ready_timeout if timeout is None else timeout,
            what=f"{self._kind} {resource_id} ready",
            pacing=self._pacing,
        )

    def wait_deleted(self, resource_id: int, timeout: float | None = None) -> None:
        """Poll until GET answers 404."""

        def gone(m: M | None) -> TypeGuard[None]:
            return m is None

        wait_for(
            lambda: self.get_or_none(resource_id),
            gone,
            lambda m: False,
            self._ready_timeout if timeout is None else timeout,
            what=f"{self._kind} {resource_id} deletion",
            pacing=self._pacing,
        )

    def _wait_status(self, resource_id: int, statuses: frozenset[str], timeout: float | None, what: str) -> M:
        def reached(m: M | None) -> TypeGuard[M]:
            return m is not None and m.status in statuses

        return wait_for(
            lambda: self.get_or_none(resource_id),
            reached,
            lambda m: m is None or m.is_failed,
            self._ready_timeout if timeout is None else timeout,
            what=f"{self._kind} {resource_id} {what}",
            pacing=self._pacing,
        )
