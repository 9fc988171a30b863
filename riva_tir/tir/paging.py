"""Pages of list results.

ASSUMPTION: TIR list responses carry no total count (``data`` is a plain array). A server
may also ignore ``per_page`` and answer with more or fewer items than asked (SDK lists send
no paging parameters at all, docs/tir.md §2), so the length of a page proves nothing: a
short page is not the last one. Only an empty page, or one that brings nothing new, ends a
listing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
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
        """Maybe more after this page: any non-empty page, whatever its length (see above)."""
        return bool(self.items)


def iter_pages(fetch: Callable[[int, int], Page[T]], key: Callable[[T], Hashable], per_page: int = 100) -> Iterator[T]:
    """Every item across pages, each once, fetching a page only when the one before is used up.

    Stops at an empty page, or at a page that brings nothing new: a server that ignores
    ``page_no`` would otherwise return the same page forever. A short page does not stop
    it (a server that ignores ``per_page`` may page by its own size), so a lookup by name
    never misses an item on a later page, and stops paging once it finds it.
    """
    seen: set[Hashable] = set()
    page_no = 1
    while True:
        page = fetch(page_no, per_page)
        fresh = [item for item in page.items if key(item) not in seen]
        seen.update(key(item) for item in fresh)
        yield from fresh
        if not page.has_next or not fresh:
            return
        page_no += 1


def collect_pages(fetch: Callable[[int, int], Page[T]], key: Callable[[T], Hashable], per_page: int = 100) -> list[T]:
    """All items across pages (``iter_pages`` to the end: one more GET than there are pages)."""
    return list(iter_pages(fetch, key, per_page))
