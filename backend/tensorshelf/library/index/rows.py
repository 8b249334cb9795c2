"""Writing one model's rows (models, files, tags, collections) inside the caller's
transaction, and deleting models with theirs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from tensorshelf.library.index.schema import (
    INSERT_COLLECTION_SQL,
    INSERT_FILE_SQL,
    INSERT_TAG_SQL,
    UPSERT_MODEL_SQL,
    IndexRow,
)


def write_rows(conn: sqlite3.Connection, rows: Iterable[IndexRow]) -> None:
    """Insert or replace models (inside the caller's transaction)."""
    for row in rows:
        # Another model indexed at this path (its dir was replaced) gives way.
        for (stale,) in conn.execute(
            "DELETE FROM models WHERE path = ? AND id <> ? RETURNING id", (row.path, row.id)
        ).fetchall():
            delete_children(conn, stale)
        conn.execute(UPSERT_MODEL_SQL, row.model)
        delete_children(conn, row.id)
        conn.executemany(INSERT_FILE_SQL, row.files)
        conn.executemany(INSERT_TAG_SQL, row.tags)
        conn.executemany(INSERT_COLLECTION_SQL, row.collections)


def delete_children(conn: sqlite3.Connection, model_id: str) -> None:
    conn.execute("DELETE FROM files WHERE model_id = ?", (model_id,))
    conn.execute("DELETE FROM tags WHERE model_id = ?", (model_id,))
    conn.execute("DELETE FROM collections WHERE model_id = ?", (model_id,))


def delete_models(conn: sqlite3.Connection, ids: Iterable[str]) -> None:
    for model_id in ids:
        conn.execute("DELETE FROM models WHERE id = ?", (model_id,))
        delete_children(conn, model_id)
