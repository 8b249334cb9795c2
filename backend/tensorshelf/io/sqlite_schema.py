"""Schemas and migrations of Tensorshelf's SQLite stores, declared with sqlite-utils.

A store lists its migrations in order; migration N takes the database from
`PRAGMA user_version` N-1 to N. `ensure_schema` applies the missing ones, each in its own
transaction, and records the version. sqlite-utils (≈150 ms to import: it brings click,
pluggy and dateutil) is imported only when a migration has to run, so opening a store that is
already current costs one PRAGMA read — `scripts/bench` measures the CLI's start-up."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger(__name__)

Migration = Callable[["Database"], None]


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
        conn.execute("BEGIN IMMEDIATE")
        try:
            if user_version(conn) < version:  # another process may have migrated meanwhile
                migrations[version - 1](db)
                conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        log.debug("%s schema migrated to version %d", store, version)
    return found
