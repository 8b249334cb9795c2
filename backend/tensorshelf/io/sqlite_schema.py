"""Schemas and migrations of Tensorshelf's SQLite stores, declared with sqlite-utils.

A store that owns its database (ops.db) lists its migrations in order; migration N takes it
from `PRAGMA user_version` N-1 to N (`ensure_schema`, each step in its own transaction). A
cache sharing cache.db owns one table, versioned in its name (`ensure_table`: a changed
cache gets a new table). sqlite-utils (≈150 ms to import: click, pluggy, dateutil) is
imported only when something has to be created, so opening a current store costs one read
of the catalogue — `scripts/bench` measures the CLI's start-up.

models.db keeps its own DDL (library/index/schema.py): its WITHOUT ROWID tables, NOCASE
tag collation, external-content FTS5 with a prefix index and the bulk-load order of a deep
scan are beyond what sqlite-utils' `create` and `enable_fts` express."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tensorshelf.io.sqlite_wal import enable_wal

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger(__name__)

Migration = Callable[["Database"], None]


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction on an autocommit connection (other writers wait their turn)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def ensure_schema(conn: sqlite3.Connection, migrations: Sequence[Migration], store: str) -> int:
    """Bring `conn` (autocommit mode) up to `len(migrations)`; returns the version found.
    A database newer than this code is left alone (and logged)."""
    found = user_version(conn)
    wanted = len(migrations)
    if found > wanted:
        log.warning("%s schema %d is newer than this version knows (%d)", store, found, wanted)
        return found
    if found == wanted:
        return found
    from sqlite_utils import Database

    db = Database(conn)
    for version in range(found + 1, wanted + 1):
        with _immediate(conn):
            if user_version(conn) < version:  # another process may have migrated meanwhile
                migrations[version - 1](db)
                conn.execute(f"PRAGMA user_version = {version}")
        log.debug("%s schema migrated to version %d", store, version)
    return found


def ensure_table(conn: sqlite3.Connection, table: str, create: Migration, store: str) -> bool:
    """Create `table` with `create(db)` unless it exists; True when it was created."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    if exists:
        return False
    from sqlite_utils import Database

    with _immediate(conn):
        create(Database(conn))
    log.debug("%s: created table %s", store, table)
    return True


def connect_cache(db_path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A connection to the state dir's cache.db as its caches use it: shared across
    threads (behind the caller's lock), autocommit, WAL, waiting out other writers."""
    from tensorshelf import settings

    conn = sqlite3.connect(
        db_path,
        check_same_thread=False,
        timeout=settings.SQLITE_BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
    )
    conn.execute(f"PRAGMA busy_timeout = {int(settings.SQLITE_BUSY_TIMEOUT_MS)}")
    enable_wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn
