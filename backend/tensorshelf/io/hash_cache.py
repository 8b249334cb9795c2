"""Remember file hashes by (st_dev, st_ino, size, mtime_ns, ctime_ns) so no file is
hashed twice.

Lives in the state dir's cache.db (shared with other caches: this module only touches its
own table). An entry is valid only while device, inode, size, mtime_ns and ctime_ns all
match: a rename of the file keeps its entry's inode but changes its ctime (as does a new
hard link), and any rewrite changes it too — and unlike mtime, a user cannot set ctime
back, so a write that restores the mtime still invalidates the entry.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Self

from tensorshelf.io.sqlite_schema import connect_cache, ensure_table
from tensorshelf.io.types import FileHashes

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger(__name__)

_TABLE = "io_hash_cache_v4"  # v2: ctime in the key; v3: git blob SHA-1; v4: BLAKE3 may be NULL
_OLD_TABLES = ("io_hash_cache_v1", "io_hash_cache_v2")
_CARRIED = "io_hash_cache_v3"  # same columns: its rows are kept


def _create_table(db: Database) -> None:
    table = db.table(_TABLE)
    table.create(
        {
            "dev": int,
            "ino": int,
            "size": int,
            "mtime_ns": int,
            "ctime_ns": int,
            "sha256": str,
            "blake3": str,
            "git_sha1": str,
            "path": str,
            "stored_at": float,
        },
        pk=("dev", "ino"),
        not_null={
            "dev",
            "ino",
            "size",
            "mtime_ns",
            "ctime_ns",
            "sha256",
            "path",
            "stored_at",
        },
        if_not_exists=True,
    )
    table.create_index(["path"], index_name=f"{_TABLE}_path", if_not_exists=True)
    if db.table(_CARRIED).exists():
        columns = "dev, ino, size, mtime_ns, ctime_ns, sha256, blake3, git_sha1, path, stored_at"
        db.execute(f"INSERT OR IGNORE INTO {_TABLE} ({columns}) SELECT {columns} FROM {_CARRIED}")
    for old in (*_OLD_TABLES, _CARRIED):
        db.execute(f"DROP TABLE IF EXISTS {old}")


def stamp(st: os.stat_result) -> tuple[int, int, int, int]:
    """What must not change for a file's hashes to stay valid: (size, mtime, ctime, inode)."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


_INT64_SPAN = 1 << 64
_INT64_MAX = (1 << 63) - 1


def _i64(value: int) -> int:
    """SQLite integers are signed 64-bit; st_dev/st_ino may use the full unsigned range."""
    return value - _INT64_SPAN if value > _INT64_MAX else value


class HashCache:
    """Thread-safe (one connection behind a lock) hash cache on SQLite in WAL mode."""

    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = connect_cache(self.db_path)
        ensure_table(self._conn, _TABLE, _create_table, "cache.db")

    def get(self, path: str | os.PathLike[str]) -> FileHashes | None:
        """The cached hashes of `path`, or None if unknown or the file changed since."""
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        with self._lock:
            row = self._conn.execute(
                f"SELECT size, mtime_ns, ctime_ns, sha256, blake3, git_sha1 FROM {_TABLE} "
                "WHERE dev = ? AND ino = ?",
                (_i64(st.st_dev), _i64(st.st_ino)),
            ).fetchone()
        if row is None or tuple(row[:3]) != (st.st_size, st.st_mtime_ns, st.st_ctime_ns):
            return None
        return FileHashes(sha256=row[3], blake3=row[4], size=row[0], git_sha1=row[5])

    def put(
        self, path: str | os.PathLike[str], hashes: FileHashes, stat: os.stat_result | None = None
    ) -> bool:
        """Remember `hashes` for `path`. Pass the `stat` taken *before* hashing so a change
        during hashing leaves a stale (never matching) entry. Returns False (and stores
        nothing) if the size disagrees with the hashes or the file changed since `stat`."""
        current = os.stat(path)
        st = stat or current
        if st.st_size != hashes.size or stamp(st) != stamp(current):
            log.debug("not caching hashes of %s: file changed or size mismatch", path)
            return False
        with self._lock:
            self._conn.execute(
                f"INSERT OR REPLACE INTO {_TABLE} "
                "(dev, ino, size, mtime_ns, ctime_ns, sha256, blake3, git_sha1, path, stored_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _i64(st.st_dev),
                    _i64(st.st_ino),
                    st.st_size,
                    st.st_mtime_ns,
                    st.st_ctime_ns,
                    hashes.sha256,
                    hashes.blake3,
                    hashes.git_sha1,
                    os.fspath(os.path.abspath(path)),
                    time.time(),
                ),
            )
        return True

    def forget(self, path: str | os.PathLike[str]) -> None:
        """Drop the entry for `path` (by its inode if it exists, else by its last path)."""
        abspath = os.fspath(os.path.abspath(path))
        with self._lock:
            try:
                st = os.stat(path)
            except FileNotFoundError:
                self._conn.execute(f"DELETE FROM {_TABLE} WHERE path = ?", (abspath,))
                return
            self._conn.execute(
                f"DELETE FROM {_TABLE} WHERE dev = ? AND ino = ?",
                (_i64(st.st_dev), _i64(st.st_ino)),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
