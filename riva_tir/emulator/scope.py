"""Request-independent helpers shared by the per-kind models: scoping, timestamps, and the
collection base every kind's models build on (its records in the store, found within a scope)."""

from __future__ import annotations

import builtins
import dataclasses
import functools
import threading
import typing
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Concatenate, Generic, ParamSpec, Protocol, TypeVar, cast

from riva_tir.emulator.envelope import NotFound, ValidationFailed
from riva_tir.emulator.lifecycle import Clock
from riva_tir.emulator.store import Store
from riva_tir.emulator.validation import Body

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Scope:
    """A TIR resource lives in one project and one region."""

    project_id: int
    location: str


def iso(timestamp: float) -> str:
    """Wire form of a clock time (ISO 8601, UTC)."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


class Locked(Protocol):
    lock: threading.RLock


S = TypeVar("S", bound=Locked)


def synchronized(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Serialise a model method on the shared state lock (lazy transitions have side effects)."""

    @functools.wraps(method)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.lock:
            return method(self, *args, **kwargs)

    return cast(Callable[Concatenate[S, P], R], wrapper)


class InScope:
    """A record that lives in one project and region (the dataclass declares both fields)."""

    project_id: int
    location: str

    @property
    def scope(self) -> Scope:
        return Scope(self.project_id, self.location)


class Record(Protocol):
    """What a collection stores: a dataclass with an id and, unless account-wide, a scope."""

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    @property
    def id(self) -> int: ...

    @property
    def scope(self) -> Scope | None: ...


class Updatable(Record, Protocol):
    """A record that keeps when it last changed (every kind with updates or actions)."""

    updated_at: float


T = TypeVar("T", bound=Record)
C = TypeVar("C", bound=Updatable)
Change = Callable[[R, Body], None]


@functools.cache
def _nested(cls: type) -> dict[str, type | None]:
    """Each field of dataclass `cls` and the dataclass it holds, if any."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] if dataclasses.is_dataclass(hints[f.name]) else None
            for f in dataclasses.fields(cls)}


def from_doc(cls: type[R], doc: Mapping[str, Any]) -> R:
    """A stored document as `cls`, leaving out fields an older emulator wrote that `cls` no
    longer has (in nested records too), so a store from before a field was removed still loads."""
    fields = _nested(cast(type, cls))
    values = {name: from_doc(nested, value) if (nested := fields[name]) and isinstance(value, Mapping) else value
              for name, value in doc.items() if name in fields}
    return cls(**values)


class Collection(ABC, Generic[T]):
    """One kind's records in the store: ids, saving, finding or listing them within a scope
    (`None`: everywhere, for the control API), and changing one; every read passes a record through
    `_advance`, where a kind with timed transitions takes those that are due."""

    def __init__(self, store: Store, clock: Clock, lock: threading.RLock, kind: str, first_id: int,
                 record: type[T], not_found: Callable[[int], NotFound]) -> None:
        self.store, self.clock, self.lock = store, clock, lock
        self._kind, self._first_id, self._record, self._not_found = kind, first_id, record, not_found
        # The kind's named actions (`?action=` or the body's `action`), in the order the 400 lists them.
        self.actions: Mapping[str, Change[T]] = {}

    @synchronized
    def get(self, scope: Scope | None, resource_id: int) -> T:
        doc = self.store.get(self._kind, resource_id)
        record = None if doc is None else from_doc(self._record, doc)
        if record is None or scope is not None and record.scope != scope:
            raise self._not_found(resource_id)
        return self._advance(record)

    @synchronized
    def list(self, scope: Scope | None) -> builtins.list[T]:
        docs = (self.store.list(self._kind) if scope is None
                else self.store.list(self._kind, scope.project_id, scope.location))
        return [self._advance(from_doc(self._record, doc)) for doc in docs]

    @synchronized
    def action(self: Collection[C], scope: Scope, resource_id: int, action: object, body: Body) -> C:
        """One of the kind's `actions` (an unknown id is 404 before an unknown action is 400)."""
        return self._change(scope, resource_id, lambda record, given: self._dispatch(action)(record, given), body)

    @abstractmethod
    def to_wire(self, record: T) -> dict[str, Any]:
        """The record as TIR answers it."""

    def _advance(self, record: T) -> T:
        return record

    @synchronized
    def _change(self: Collection[C], scope: Scope, resource_id: int, change: Change[C], body: Body) -> C:
        """Apply `change` to the record in scope, stamp and save it, and read it back: how every
        documented update and action of every kind is done."""
        record = self.get(scope, resource_id)
        change(record, body)
        record.updated_at = self.clock.now()
        self._save(record)
        return self._advance(record)

    def _new_id(self) -> int:
        return self.store.next_id(self._kind, self._first_id)

    def _save(self, record: T) -> None:
        scope = record.scope
        project_id, location = (None, None) if scope is None else (scope.project_id, scope.location)
        self.store.put(self._kind, record.id, asdict(record), project_id, location)

    def _remove(self, resource_id: int) -> bool:
        return self.store.delete(self._kind, resource_id)

    def _dispatch(self, action: object) -> Change[T]:
        if not isinstance(action, str) or action not in self.actions:
            raise ValidationFailed("action", f"allowed values are {', '.join(self.actions)}")
        return self.actions[action]


M = TypeVar("M", bound=Collection[Any])


def change(handler: Callable[[M, R, Body], None]) -> Callable[[M, Scope, int, Body], R]:
    """A documented update with a route of its own, written as a change of one record: called
    with the scope and id, it goes through `Collection._change` like every named action."""

    @functools.wraps(handler)
    def apply(self: M, scope: Scope, resource_id: int, body: Body) -> R:
        result: R = self._change(scope, resource_id, functools.partial(handler, self), body)
        return result

    return apply
