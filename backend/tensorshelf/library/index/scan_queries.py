"""What the incremental scan reads from and writes to the index: each indexed dir's stamps,
the files a model needs to load, and the folder stamps it records."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import NamedTuple

from tensorshelf.library.index.schema import (
    FOLDER_STAMP_COLUMNS,
    STAMP_COLUMNS,
    SUBDIRS_COLUMN,
    FolderStamp,
)

# rows of an IN (...) list per statement (well under SQLite's variable limit)
_IDS_PER_QUERY = 500


class IndexedDir(NamedTuple):
    """One indexed model dir, as its row of the scan index: its id, its metadata.json stamp
    (see DirStamp), the folder stamp scan recorded (NULL when the dir must be listed again)
    and the sub-folders that stamp covers."""

    path: str
    id: str
    meta_mtime_ns: int | None
    meta_size: int | None
    meta_ino: int | None
    meta_ctime_ns: int | None
    dir_mtime_ns: int | None
    dir_ctime_ns: int | None
    subdirs_text: str | None

    @property
    def meta(self) -> tuple[int, int, int, int] | None:
        """The metadata.json stamp as DirStamp.as_tuple() gives it."""
        mtime, size, ino, ctime = (
            self.meta_mtime_ns,
            self.meta_size,
            self.meta_ino,
            self.meta_ctime_ns,
        )
        if mtime is None or size is None or ino is None or ctime is None:
            return None
        return (mtime, size, ino, ctime)

    @property
    def folder(self) -> FolderStamp | None:
        if self.dir_mtime_ns is None or self.dir_ctime_ns is None:
            return None
        return (self.dir_mtime_ns, self.dir_ctime_ns)

    @property
    def subdirs(self) -> tuple[str, ...]:
        return tuple(self.subdirs_text.split("\n")) if self.subdirs_text else ()


# read from the covering index idx_models_scan (a narrow scan, not the wide rows)
_STATE_SQL = (
    f"SELECT path, id, {', '.join(STAMP_COLUMNS)}, {', '.join(FOLDER_STAMP_COLUMNS)}, "
    f"{SUBDIRS_COLUMN} FROM models"
)


def scan_state(conn: sqlite3.Connection) -> dict[str, IndexedDir]:
    """Library-relative path → IndexedDir of every indexed model."""
    return {known.path: known for known in map(IndexedDir._make, conn.execute(_STATE_SQL))}


def file_paths(
    conn: sqlite3.Connection, roles: tuple[str, ...], ids: Iterable[str]
) -> dict[str, list[str]]:
    """id → the paths of its files having one of `roles`, for these ids."""
    wanted = list(dict.fromkeys(ids))
    role_marks = ", ".join("?" for _ in roles)
    out: dict[str, list[str]] = {}
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start : start + _IDS_PER_QUERY]
        id_marks = ", ".join("?" for _ in chunk)
        for model_id, path in conn.execute(
            f"SELECT model_id, path FROM files WHERE model_id IN ({id_marks}) "
            f"AND role IN ({role_marks})",
            (*chunk, *roles),
        ):
            out.setdefault(model_id, []).append(path)
    return out


def set_folder_stamps(conn: sqlite3.Connection, stamps: Iterable[tuple[str, FolderStamp]]) -> None:
    """Record (model id, folder stamp) pairs (inside the caller's transaction)."""
    conn.executemany(
        f"UPDATE models SET {FOLDER_STAMP_COLUMNS[0]} = ?, {FOLDER_STAMP_COLUMNS[1]} = ? "
        "WHERE id = ?",
        [(*stamp, model_id) for model_id, stamp in stamps],
    )
