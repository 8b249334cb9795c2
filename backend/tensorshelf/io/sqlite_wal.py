"""WAL mode for Tensorshelf's SQLite files, safe when processes open a new one at once.

WAL is a property of the database file: once one connection has switched it, every later
opener finds it so. The switch needs the file to itself, and SQLite answers "database is
locked" at once rather than waiting in its busy handler — two CLI commands started
together on a fresh state dir both try it, and one of them failed. So the mode is read
first (an existing database needs no switch) and the switch is retried with a short
back-off for as long as the busy timeout allows."""

from __future__ import annotations

import logging
import sqlite3
import time

from tensorshelf import settings

log = logging.getLogger(__name__)

WAL = "wal"
_PRIMARY_CODE = 0xFF  # an extended result code's low byte is its primary code


def enable_wal(conn: sqlite3.Connection, wait_ms: int = settings.SQLITE_BUSY_TIMEOUT_MS) -> str:
    """Put `conn`'s database in WAL mode; returns the mode it is in (one that cannot be
    WAL, e.g. an in-memory database, keeps its own — logged, not an error). Any error but
    busy/locked — a read-only file's, say — is raised at once."""
    deadline = time.monotonic() + wait_ms / 1000
    delay = settings.SQLITE_WAL_RETRY_FIRST_S
    while True:
        try:
            mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
            if mode != WAL:
                mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() + delay > deadline:
                raise
            log.debug("switching to WAL: %s; trying again in %.3f s", exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, settings.SQLITE_WAL_RETRY_MAX_S)
            continue
        if mode != WAL:
            log.info("SQLite database stays in %s journal mode (WAL not possible here)", mode)
        return mode


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return (exc.sqlite_errorcode & _PRIMARY_CODE) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
