"""models.db: the disposable SQLite index of the library's metadata.json files.

Thread-safe by giving every thread its own connection (WAL lets readers run while one
writer writes; writers queue on busy_timeout and take the write lock up front with
BEGIN IMMEDIATE, so no read→write upgrade can fail with "database is locked").
Before each call the file's identity (device, inode) is compared with the one the
thread's connection opened, so a models.db that was deleted or replaced underneath is
reopened instead of being served stale."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Self

from tensorshelf import settings
from tensorshelf.errors import ReadOnlyLibrary
from tensorshelf.library import refs
from tensorshelf.library.index import facet_counts, scan_queries
from tensorshelf.library.index import queries as index_queries
from tensorshelf.library.index.connection import (
    checkpoint,
    connect,
    read_transaction,
    write_transaction,
)
from tensorshelf.library.index.facet_memory import FacetMemory
from tensorshelf.library.index.migrations import ensure_schema
from tensorshelf.library.index.result_cache import ResultCache
from tensorshelf.library.index.rows import delete_models, write_rows
from tensorshelf.library.index.scan_queries import IndexedDir
from tensorshelf.library.index.schema import (
    SCHEMA_VERSION,
    DirStamp,
    FolderStamp,
    IndexRow,
    build_row,
)
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.models import MappableModel
from tensorshelf.library.query_models import FacetCounts, LibraryStats, ListQuery, ModelPage
from tensorshelf.settings import METADATA_FILE, SQLITE_BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)

__all__ = ["DirStamp", "Index", "checkpoint", "connect", "stamp_of"]

_FileId = tuple[int, int]


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    """SQLite's word that the file is not (or no longer) a database."""
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


class Index:
    """The library's models.db. Safe to share between threads."""

    def __init__(
        self,
        db_path: Path,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
        *,
        library_root: Path | None = None,
        read_only: bool = False,
    ) -> None:
        """`library_root` defaults to models.db's folder (a shared library keeps its index in
        the state dir); `read_only` opens it as immutable (a library on read-only media)."""
        self.db_path = Path(db_path)
        self.library_root = library_root or self.db_path.parent
        self.read_only = read_only
        self.busy_timeout_ms = busy_timeout_ms
        self.needs_rebuild = False  # set when the file was created or recreated empty
        self.moved_aside: str | None = None  # where a corrupt models.db was put, if one was
        self._local = threading.local()
        self._lock = threading.Lock()
        self._conns: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        self._closed = False
        self._generation = 0
        self._memory: tuple[tuple[_FileId | None, int], FacetMemory] | None = None
        self._conn()  # open (and create or migrate) now, so errors surface here

    # --- connections ---------------------------------------------------------------------
    def _file_id(self) -> _FileId | None:
        try:
            st = os.stat(self.db_path)
        except FileNotFoundError:
            return None
        return (st.st_dev, st.st_ino)

    def _open(self) -> sqlite3.Connection:
        if self.read_only:
            return self._open_read_only()
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._open_checked()
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc):
                raise
        # Not a database (garbage, a truncated copy): it is only an index of the metadata.json
        # files, so keep the bad file for inspection, start an empty one and re-read the disk.
        aside = self.db_path.with_name(
            f"{self.db_path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
        )
        for suffix in ("", "-wal", "-shm"):
            part = self.db_path.with_name(self.db_path.name + suffix)
            if part.exists():
                os.replace(part, aside.with_name(aside.name + suffix))
        log.warning(
            "%s was not a usable database; moved it to %s and rebuilding the index from "
            "the library's metadata.json files",
            self.db_path,
            aside,
        )
        self.moved_aside = str(aside)
        conn = self._open_checked()
        self.needs_rebuild = True
        return conn

    def _open_read_only(self) -> sqlite3.Connection:
        """Read-only media: no WAL, no locks, no migration — the file cannot change here."""
        uri = f"{Path(os.path.abspath(self.db_path)).as_uri()}?immutable=1"
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise ReadOnlyLibrary(
                f"the index {self.db_path} of this read-only library cannot be read ({exc}); "
                "it is rebuilt once the library is writable again",
                path=str(self.db_path),
            ) from exc
        if version != SCHEMA_VERSION:
            conn.close()
            raise ReadOnlyLibrary(
                f"the index {self.db_path} was made by another Tensorshelf version and this "
                "library is read-only, so it cannot be brought up to date; remount it writable",
                path=str(self.db_path),
            )
        return conn

    def _open_checked(self) -> sqlite3.Connection:
        conn = connect(self.db_path, self.busy_timeout_ms)
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                with write_transaction(conn):  # re-checked under the write lock
                    if ensure_schema(conn, self.library_root):
                        self.needs_rebuild = True
            conn.execute("SELECT count(*) FROM models").fetchone()  # a readable table
        except BaseException:
            conn.close()
            raise
        return conn

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError("index is closed")
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        file_id = self._file_id()
        if conn is not None:
            if file_id == local.file_id and local.generation == self._generation:
                return conn
            if file_id != local.file_id:
                log.info("models.db was replaced or removed underneath; reopening")
            self._forget(conn)  # this thread's own connection: safe to close here
        generation = self._generation
        conn = self._open()
        local.conn, local.file_id, local.generation = conn, self._file_id(), generation
        local.results = ResultCache()  # sorted matches of this connection's list queries
        with self._lock:
            self._prune_dead_threads()
            self._conns.append((weakref.ref(threading.current_thread()), conn))
        return conn

    def _facet_memory(self) -> FacetMemory:
        """The one FacetMemory of every thread (after `_conn`), remade on connections of its
        own when models.db was replaced or reopened."""
        key = (self._file_id(), self._generation)
        with self._lock:
            if self._memory is None or self._memory[0] != key:
                if self._memory is not None:
                    self._memory[1].close()
                self._memory = (key, FacetMemory(self._open(), self._open))
            return self._memory[1]

    def _forget(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            self._conns = [(t, c) for t, c in self._conns if c is not conn]
        conn.close()

    def _prune_dead_threads(self) -> None:
        alive = []
        for thread_ref, conn in self._conns:
            thread = thread_ref()
            if thread is None or not thread.is_alive():
                conn.close()
            else:
                alive.append((thread_ref, conn))
        self._conns = alive

    def reopen(self) -> None:
        """Make every thread open a fresh connection on its next call (each closes its own
        old one then, so no call in flight on another thread is cut off). Not needed after
        `rebuild`, whose swap is seen by open connections; kept for callers that replace
        models.db by other means."""
        with self._lock:
            self._generation += 1

    def close(self) -> None:
        """Close every connection (at shutdown: no other thread may still be using it)."""
        with self._lock:
            conns, self._conns = self._conns, []
            memory, self._memory = self._memory, None
            self._closed = True
        for _thread, conn in conns:
            conn.close()
        if memory is not None:
            memory[1].close()
        self._local = threading.local()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writes --------------------------------------------------------------------------
    def upsert_model(
        self, meta: ModelMetadata, dir_stat: DirStamp | None = None, *, path: str | None = None
    ) -> None:
        """Index `meta` (found at library-relative `path`, default `meta.path`).

        `dir_stat` is the stat of the metadata.json that holds exactly `meta`; without it the
        next scan re-reads that file once."""
        row = build_row(meta, path or meta.path, dir_stat)
        with write_transaction(self._conn()) as conn:
            write_rows(conn, [row])

    def apply_changes(self, upserts: list[IndexRow], removals: Iterable[str]) -> None:
        """Scan's batch: remove ids, then upsert rows, in one transaction."""
        with write_transaction(self._conn()) as conn:
            delete_models(conn, removals)
            write_rows(conn, upserts)

    def set_unreadable(self, found: Iterable[tuple[str, str, str]]) -> None:
        """Replace the list of unreadable model dirs: (library path, code, message)."""
        with write_transaction(self._conn()) as conn:
            conn.execute("DELETE FROM unreadable")
            conn.executemany(
                "INSERT OR REPLACE INTO unreadable (path, code, message) VALUES (?, ?, ?)", found
            )

    def remove_model(self, model_id: str) -> None:
        with write_transaction(self._conn()) as conn:
            delete_models(conn, [model_id])

    def checkpoint(self) -> tuple[int, int, int]:
        """WAL checkpoint in TRUNCATE mode (IDX-04): (busy, log pages, checkpointed pages)."""
        return checkpoint(self._conn(), self.busy_timeout_ms)

    # --- reads ---------------------------------------------------------------------------
    def get_path(self, model_id: str) -> str | None:
        row = self._conn().execute("SELECT path FROM models WHERE id = ?", (model_id,)).fetchone()
        return row[0] if row else None

    def find_by_sha256(self, sha256: str) -> str | None:
        """Id of a model having a weight file with this SHA-256 (the importer's duplicate
        check); config/tokenizer files shared by many models do not count."""
        return self._find_by_hash("sha256", sha256.lower())

    def _find_by_hash(self, column: str, value: str) -> str | None:
        # files[] holds the primary file too (metadata `hashes` = the primary file's).
        row = (
            self._conn()
            .execute(
                f"SELECT model_id FROM files WHERE {column} = ? AND role = 'weights' "
                "ORDER BY model_id LIMIT 1",
                (value,),
            )
            .fetchone()
        )
        return row[0] if row else None

    def resolve_ref(self, ref: str) -> tuple[str, str]:
        """(id, library path) for an id, a unique id prefix or a library path."""
        return refs.resolve_ref(self._conn(), ref, self.library_root)

    def list_models(self, query: ListQuery) -> ModelPage:
        with read_transaction(self._conn()) as conn:
            return index_queries.list_models(conn, query, self._local.results)

    def model_ids(self, query: ListQuery) -> list[str]:
        with read_transaction(self._conn()) as conn:
            return index_queries.model_ids(conn, query)

    def facets(self, query: ListQuery | None = None) -> FacetCounts:
        with read_transaction(self._conn()) as conn:
            return facet_counts.facets(conn, query, self._facet_memory())

    def mappable_models(self, ids: list[str] | None = None) -> list[MappableModel]:
        with read_transaction(self._conn()) as conn:
            return index_queries.mappable_models(conn, ids)

    def statistics(self) -> LibraryStats:
        with read_transaction(self._conn()) as conn:
            return index_queries.statistics(conn, settings.STATS_LARGEST)

    def present_ids(self, ids: list[str]) -> set[str]:
        """Those of `ids` the index holds (one query, however many)."""
        rows = self._conn().execute(
            "SELECT id FROM models WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
        )
        return {str(r[0]) for r in rows}

    def sizes(self, ids: list[str]) -> dict[str, int]:
        """id → size in bytes, for those of `ids` the index holds."""
        rows = self._conn().execute(
            "SELECT id, size_bytes FROM models WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        )
        return {str(i): int(n or 0) for i, n in rows}

    def count(self) -> int:
        return int(self._conn().execute("SELECT count(*) FROM models").fetchone()[0])

    def matched_models(self) -> list[str]:
        rows = self._conn().execute(
            "SELECT id FROM models WHERE repo_id IS NOT NULL AND repo_id != '' ORDER BY id"
        )
        return [r[0] for r in rows]

    def has_value(self, column: str, value: str) -> bool:
        """Whether some model has `value` in `column` (subtype, family), in any case as the
        filters compare: one indexed lookup, not a facet count over the library."""
        if column not in ("subtype", "family"):
            raise ValueError(f"not a checked column: {column}")
        row = (
            self._conn()
            .execute(f"SELECT 1 FROM models WHERE {column} = ? COLLATE NOCASE LIMIT 1", (value,))
            .fetchone()
        )
        return row is not None

    def collection_counts(self) -> dict[str, int]:
        """Every collection with the number of models in it."""
        rows = self._conn().execute(
            "SELECT name, count(*) FROM collections GROUP BY name COLLATE NOCASE ORDER BY name"
        )
        return {str(name): int(n) for name, n in rows}

    def collection_members(self, name: str) -> list[str]:
        rows = self._conn().execute(
            "SELECT model_id FROM collections WHERE name = ? ORDER BY model_id", (name,)
        )
        return [str(r[0]) for r in rows]

    def pending_lookups(self) -> list[str]:
        rows = self._conn().execute(
            "SELECT id FROM models WHERE pending_online_lookup = 1 ORDER BY id"
        )
        return [r[0] for r in rows]

    # --- for scan (see scan_queries) ------------------------------------------------------
    def scan_state(self) -> dict[str, IndexedDir]:
        return scan_queries.scan_state(self._conn())

    def file_paths(self, roles: tuple[str, ...], ids: Iterable[str]) -> dict[str, list[str]]:
        return scan_queries.file_paths(self._conn(), roles, ids)

    def set_folder_stamps(self, stamps: Iterable[tuple[str, FolderStamp]]) -> None:
        with write_transaction(self._conn()) as conn:
            scan_queries.set_folder_stamps(conn, stamps)


def stamp_of(model_dir: Path) -> DirStamp:
    """The stamp of `model_dir`/metadata.json (raises OSError if it is missing)."""
    return DirStamp.from_stat(os.stat(model_dir / METADATA_FILE))
