"""Pages of list results.

ASSUMPTION: TIR list responses carry no total count (``data`` is a plain array),
so a full page means "maybe more" and a short page means "last".
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    page_no: int
    per_page: int

    @property
    def has_next(self) -> bool:
        return len(self.items) == self.per_page


def collect_pages(fetch: Callable[[int, int], Page[T]], key: Callable[[T], Hashable], per_page: int = 100) -> list[T]:
    """All items across pages.

    Stops at a short page, or at a page that brings nothing new: a server that
    ignores ``page_no`` would otherwise return the same full page forever.
    """
    seen: set[Hashable] = set()
    out: list[T] = []
    page_no = 1
    while True:
        page = fetch(page_no, per_page)
        fresh = [item for item in page.items if key(item) not in seen]
        seen.update(key(item) for item in fresh)
        out.extend(fresh)
        if not page.has_next or not fresh:
            return out
        page_no += 1
