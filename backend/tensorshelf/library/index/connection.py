"""SQLite connections to models.db: the index pragmas (IDX-02), the short-wait TRUNCATE
checkpoint, and the two transaction shapes (a write that takes the lock up front, a read that
sees one snapshot)."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tensorshelf.io.sqlite_wal import enable_wal
from tensorshelf.settings import (
    INDEX_CHECKPOINT_BUSY_MS,
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_CACHE_KIB,
    SQLITE_MMAP_BYTES,
)

log = logging.getLogger(__name__)


def connect(db_path: Path, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """A connection with the index pragmas (IDX-02), in autocommit mode."""
    conn = sqlite3.connect(
        os.fspath(db_path),
        timeout=busy_timeout_ms / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    enable_wal(conn, busy_timeout_ms)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA cache_size = {-int(SQLITE_CACHE_KIB)}")
    conn.execute(f"PRAGMA mmap_size = {int(SQLITE_MMAP_BYTES)}")
    return conn


def checkpoint(conn: sqlite3.Connection, busy_timeout_ms: int) -> tuple[int, int, int]:
    """TRUNCATE checkpoint that waits only briefly for readers (a long-lived read snapshot
    would otherwise stall it for the whole busy timeout); busy=1 means "try later"."""
    conn.execute(f"PRAGMA busy_timeout = {int(INDEX_CHECKPOINT_BUSY_MS)}")
    try:
        busy, log_pages, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    log.debug("models.db checkpoint: busy=%d log=%d checkpointed=%d", busy, log_pages, done)
    return busy, log_pages, done


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def read_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One consistent snapshot for several statements (e.g. a page and its total)."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")
