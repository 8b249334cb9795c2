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
    """One indexed model dir: its id, its metadata.json stamp as a tuple (see DirStamp), the
    folder stamp scan recorded (None when the dir must be listed again) and the sub-folders
    that stamp covers."""

    id: str
    meta: tuple[int, int, int, int] | None
    folder: FolderStamp | None
    subdirs: tuple[str, ...]


_STATE_SQL = (
    f"SELECT path, id, {', '.join(STAMP_COLUMNS)}, {', '.join(FOLDER_STAMP_COLUMNS)}, "
    f"{SUBDIRS_COLUMN} FROM models"
)


def scan_state(conn: sqlite3.Connection) -> dict[str, IndexedDir]:
    """Library-relative path → IndexedDir of every indexed model."""
    return {
        row[0]: IndexedDir(
            row[1],
            None if row[2] is None else row[2:6],
            None if row[6] is None else row[6:8],
            tuple(row[8].split("\n")) if row[8] else (),
        )
        for row in conn.execute(_STATE_SQL)
    }


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
