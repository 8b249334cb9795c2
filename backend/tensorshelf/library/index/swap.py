"""Deep scan's storage side: build a complete index in a temporary database next to
models.db, then swap it in atomically.

The swap copies the new database into models.db with SQLite's online backup API in one
step, i.e. one write transaction: readers (in this or another process) keep their old
snapshot until it commits and then see the whole new index — never a half-built or empty
one. Replacing the file with `os.replace` instead would orphan the live models.db-wal /
-shm, which SQLite would then apply to the new file (they carry no file identity), and
connections in other processes would go on serving the unlinked old file. Only when
models.db is unreadable (corrupt) is the file itself replaced."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path

from tensorshelf.io.atomic import fsync_dir
from tensorshelf.io.processes import pid_alive
from tensorshelf.library.index.schema import (
    SCHEMA_VERSION,
    IndexRow,
    bulk_insert,
    create_schema,
    finish_bulk_load,
)
from tensorshelf.library.index.store import checkpoint, connect
from tensorshelf.settings import INDEX_BULK_CHUNK_ROWS, REBUILD_CACHE_KIB, SQLITE_BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)

_TMP_INFIX = ".rebuild-"
_TMP_SUFFIX = ".tmp"
_TOKEN_BYTES = 4
_SIDE_FILES = ("-wal", "-shm", "-journal")


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def sweep_stale_rebuilds(db_path: Path) -> list[Path]:
    """Remove temp databases left by rebuilds whose process died. Returns what was removed."""
    removed = []
    for path in db_path.parent.glob(f"{db_path.name}{_TMP_INFIX}*{_TMP_SUFFIX}*"):
        pid_text = path.name[len(db_path.name) + len(_TMP_INFIX) :].split("-", 1)[0]
        if pid_text.isdigit() and not pid_alive(int(pid_text)):
            _unlink(path)
            removed.append(path)
    return removed


def _build(tmp: Path, rows: Iterable[IndexRow]) -> int:
    conn = sqlite3.connect(os.fspath(tmp), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a throw-away file until it is complete
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute(f"PRAGMA cache_size = {-int(REBUILD_CACHE_KIB)}")
        conn.execute("BEGIN")
        create_schema(conn, bulk=True)
        count = 0
        chunk: list[IndexRow] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= INDEX_BULK_CHUNK_ROWS:
                bulk_insert(conn, chunk)
                count += len(chunk)
                chunk.clear()
        bulk_insert(conn, chunk)
        count += len(chunk)
        finish_bulk_load(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
        conn.execute("PRAGMA optimize")
        return count
    finally:
        conn.close()


def _replace_file(tmp: Path, db_path: Path) -> None:
    """Put `tmp` in place of `db_path`, dropping side files that belong to the old file
    (a stale -wal would otherwise be replayed into the new database)."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    for suffix in _SIDE_FILES:
        _unlink(db_path.with_name(db_path.name + suffix))
    os.replace(tmp, db_path)
    fsync_dir(db_path.parent)


def swap_in(tmp: Path, db_path: Path) -> None:
    """Make the complete database at `tmp` the content of `db_path`, atomically for readers."""
    if not db_path.exists():  # nobody can be reading it: just move the file in
        _replace_file(tmp, db_path)
        return
    src = sqlite3.connect(os.fspath(tmp), isolation_level=None)
    try:
        try:
            dest = connect(db_path)
            try:
                src.backup(dest)
                checkpoint(dest, SQLITE_BUSY_TIMEOUT_MS)
            finally:
                dest.close()
            return
        except sqlite3.DatabaseError as exc:  # e.g. "file is not a database"
            log.warning("models.db at %s is unusable (%s); replacing the file", db_path, exc)
    finally:
        src.close()
    _replace_file(tmp, db_path)


def build_fresh_index(
    db_path: Path,
    rows: Iterable[IndexRow],
    around_swap: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
) -> int:
    """Build the index of `rows` next to `db_path` and swap it in (inside `around_swap()`,
    e.g. the writer lock). Returns the model count. If `rows` raises (e.g.
    OperationCancelled), models.db is left as it was."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale_rebuilds(db_path)
    tmp = db_path.with_name(
        f"{db_path.name}{_TMP_INFIX}{os.getpid()}-{secrets.token_hex(_TOKEN_BYTES)}{_TMP_SUFFIX}"
    )
    try:
        count = _build(tmp, rows)
        with around_swap():
            swap_in(tmp, db_path)
        return count
    finally:
        for suffix in ("", *_SIDE_FILES):
            _unlink(tmp.with_name(tmp.name + suffix))
