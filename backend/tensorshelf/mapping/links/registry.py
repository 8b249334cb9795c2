"""`<state>/registry.db`: one row per link Tensorshelf created.

A row: app id, the link's path relative to the app's models dir, its source relative to the
library root (a file, or a model dir for a directory link), the model id, the source's
SHA-256 (to re-point a broken link to an identical copy), the link kind (relative /
absolute symlink, hardlink) and when it was made. A link is removed only if its row says we
made it AND the path on disk is still that link pointing where we pointed it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tensorshelf import settings
from tensorshelf.io.sqlite_wal import enable_wal
from tensorshelf.library.metadata.document import utc_now

LinkKind = Literal["relative", "absolute", "hardlink"]
SCHEMA_VERSION = 1
_DDL = (
    "CREATE TABLE IF NOT EXISTS links (app_id TEXT NOT NULL, target TEXT NOT NULL, "
    "source TEXT NOT NULL, model_id TEXT NOT NULL, sha256 TEXT, kind TEXT NOT NULL, "
    "created_at TEXT NOT NULL, PRIMARY KEY (app_id, target)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS idx_links_model ON links(model_id)",
    "CREATE INDEX IF NOT EXISTS idx_links_source ON links(source)",
)


@dataclass(frozen=True, slots=True)
class LinkRow:
    app_id: str
    target: str
    source: str
    model_id: str
    sha256: str | None
    kind: LinkKind
    created_at: str = ""


class Registry:
    def __init__(self, db_path: Path) -> None:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            str(db_path),
            check_same_thread=False,
            isolation_level=None,
            timeout=settings.SQLITE_BUSY_TIMEOUT_MS / 1000,
        )
        enable_wal(self._conn)
        self._conn.execute("PRAGMA synchronous = NORMAL")
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            for ddl in _DDL:
                self._conn.execute(ddl)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._conn.execute("COMMIT")

    def _rows(self, sql: str, params: Iterable[object] = ()) -> list[LinkRow]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT app_id, target, source, model_id, sha256, kind, created_at FROM links "
                + sql,
                list(params),
            ).fetchall()
        return [LinkRow(*r) for r in rows]

    def for_app(self, app_id: str) -> list[LinkRow]:
        return self._rows("WHERE app_id = ? ORDER BY target", (app_id,))

    def for_models(self, app_id: str, model_ids: list[str]) -> list[LinkRow]:
        if not model_ids:
            return []
        marks = ", ".join("?" for _ in model_ids)
        return self._rows(
            f"WHERE app_id = ? AND model_id IN ({marks}) ORDER BY target", (app_id, *model_ids)
        )

    def for_model(self, model_id: str) -> list[LinkRow]:
        return self._rows("WHERE model_id = ? ORDER BY app_id, target", (model_id,))

    def at(self, app_id: str, target: str) -> LinkRow | None:
        rows = self._rows("WHERE app_id = ? AND target = ?", (app_id, target))
        return rows[0] if rows else None

    def add(self, row: LinkRow) -> None:
        self.add_many([row])

    def add_many(self, rows: list[LinkRow]) -> None:
        """Record links in one transaction."""
        if not rows:
            return
        now = utc_now()
        values = [
            (r.app_id, r.target, r.source, r.model_id, r.sha256, r.kind, r.created_at or now)
            for r in rows
        ]
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                "INSERT OR REPLACE INTO links (app_id, target, source, model_id, sha256, kind, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            self._conn.execute("COMMIT")

    def remove(self, app_id: str, target: str) -> None:
        with self._lock:
            self._conn.execute(
                "DELETE FROM links WHERE app_id = ? AND target = ?", (app_id, target)
            )

    def remove_app(self, app_id: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM links WHERE app_id = ?", (app_id,))

    def model_ids(self, app_id: str) -> list[str]:
        """The distinct models with at least one link in the app."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT model_id FROM links WHERE app_id = ? ORDER BY model_id",
                (app_id,),
            ).fetchall()
        return [str(r[0]) for r in rows]

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM links").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()
