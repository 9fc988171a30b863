"""SQLite persistence: every resource is a JSON document keyed by (kind, id).

The emulator must survive being killed mid-deployment, so state lives in a file in the data
directory (WAL mode) rather than in memory; ids come from per-kind counters that never go back,
even after a reset, so a stale id from an earlier test can never hit a new resource.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (kind TEXT PRIMARY KEY, next_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    project_id INTEGER,
    location TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
"""

Doc = dict[str, Any]


class Store:
    """Thread-safe document store (one connection guarded by a lock)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def next_id(self, kind: str, first: int) -> int:
        """Allocate the next id of ``kind``; the first one is ``first``."""
        with self._lock:
            row = self._db.execute("SELECT next_id FROM counters WHERE kind = ?", (kind,)).fetchone()
            new_id = first if row is None else max(int(row[0]), first)
            self._db.execute(
                "INSERT INTO counters (kind, next_id) VALUES (?, ?) "
                "ON CONFLICT(kind) DO UPDATE SET next_id = excluded.next_id",
                (kind, new_id + 1),
            )
            return new_id

    def put(self, kind: str, resource_id: int, doc: Doc, project_id: int | None, location: str | None) -> None:
        """Insert or replace one document."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO resources (kind, id, project_id, location, doc) VALUES (?, ?, ?, ?, ?)",
                (kind, resource_id, project_id, location, json.dumps(doc)),
            )

    def get(self, kind: str, resource_id: int) -> Doc | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM resources WHERE kind = ? AND id = ?", (kind, resource_id)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def list(self, kind: str, project_id: int | None = None, location: str | None = None) -> list[Doc]:
        """Documents of ``kind`` in id order, optionally scoped to a project and location."""
        query = "SELECT doc FROM resources WHERE kind = ?"
        params: list[Any] = [kind]
        if project_id is not None:
            query += " AND project_id = ?"
            params.append(project_id)
        if location is not None:
            query += " AND location = ?"
            params.append(location)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id", params).fetchall()
        return [dict(json.loads(row[0])) for row in rows]

    def delete(self, kind: str, resource_id: int) -> bool:
        with self._lock:
            cursor = self._db.execute("DELETE FROM resources WHERE kind = ? AND id = ?", (kind, resource_id))
        return cursor.rowcount > 0

    def clear(self) -> None:
        """Drop every resource but keep the id counters."""
        with self._lock:
            self._db.execute("DELETE FROM resources")

    def close(self) -> None:
        with self._lock:
            self._db.close()
