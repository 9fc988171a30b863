"""Request parsing shared by every ``routes.py``: state access, scope, body and paging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from flask import current_app, g, request

from riva_tir.emulator import assumptions
from riva_tir.emulator.envelope import ValidationFailed
from riva_tir.emulator.scope import Scope
from riva_tir.emulator.validation import as_int

if TYPE_CHECKING:
    from riva_tir.emulator.state import EmulatorState

T = TypeVar("T")
STATE_KEY = "riva_tir.emulator"


def state() -> EmulatorState:
    result: EmulatorState = current_app.extensions[STATE_KEY]
    return result


def location() -> str:
    """The `location` query parameter, canonicalised; missing means the default region."""
    raw = request.args.get("location")
    if raw is None or raw == "":
        return assumptions.DEFAULT_LOCATION
    for known in assumptions.LOCATIONS:
        if raw.lower() == known.lower():
            return known
    raise ValidationFailed("location", f"allowed values are {', '.join(assumptions.LOCATIONS)}")


def scope() -> Scope:
    """Project from the legacy path (`teams/{t}/projects/{p}/`) or the `project_id` query."""
    project_id = g.get("path_project_id")
    if project_id is None:
        raw = request.args.get("project_id")
        if raw is None or raw == "":
            raise ValidationFailed("project_id", "project_id is mandatory")
        project_id = as_int(raw, "project_id")
    return Scope(project_id=int(project_id), location=location())


def body() -> dict[str, Any]:
    """The JSON object body (empty when there is none)."""
    if not request.get_data():
        return {}
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationFailed("body", "request body must be a JSON object")
    return payload


@dataclass
class Paging:
    """How lists answer paging (control API `PUT /_emulator/paging`).

    By default `per_page` is honoured. With ``ignore_per_page`` the server pages by its own
    ``page_size`` whatever the client asked (more or fewer items than `per_page`), or, with no
    ``page_size``, answers every page with the whole list: servers a client must survive,
    since SDK lists send no paging parameters and the real page size is UNKNOWN
    (docs/tir.md §2).
    """

    ignore_per_page: bool = False
    page_size: int | None = None

    def to_wire(self) -> dict[str, Any]:
        return {"ignore_per_page": self.ignore_per_page, "page_size": self.page_size}


def paginate(items: list[T]) -> list[T]:
    """Slice by `page_no` (from 1) and `per_page`; everything when `per_page` is absent."""
    page_no = as_int(request.args.get("page_no", assumptions.DEFAULT_PAGE_NO), "page_no")
    if page_no < 1:
        raise ValidationFailed("page_no", "page_no must be >= 1")
    paging = state().paging
    if paging.ignore_per_page:
        if paging.page_size is None:
            return items
        start = (page_no - 1) * paging.page_size
        return items[start:start + paging.page_size]
    raw_per_page = request.args.get("per_page")
    if raw_per_page is None:
        return items if page_no == 1 else []
    per_page = as_int(raw_per_page, "per_page")
    if per_page < 1:
        raise ValidationFailed("per_page", "per_page must be >= 1")
    start = (page_no - 1) * per_page
    return items[start:start + per_page]
