"""A running count of models per combination of facet values (`facet_combos`), kept by
triggers on `models`: the sidebar's counts for the whole library, or for a choice of facet
values only, are read from a few dozen rows instead of a scan of every model. A NULL value
is kept as '' (a key column cannot hold NULL and still be unique)."""

from __future__ import annotations

import sqlite3
from typing import Any

from tensorshelf.library.index.columns import FACET_COLUMNS, FAVORITE_RATING

TABLE = "facet_combos"
KEYS = (*FACET_COLUMNS.values(), "favorite", "pending")
_EXPRS = {
    **{c: f"coalesce({{r}}.{c}, '')" for c in FACET_COLUMNS.values()},
    "favorite": f"coalesce({{r}}.rating, 0) >= {FAVORITE_RATING}",
    "pending": "coalesce({r}.pending_online_lookup, 0) = 1",
}
_WATCHED = sorted({*FACET_COLUMNS.values(), "rating", "pending_online_lookup"})


def _values(ref: str) -> str:
    return ", ".join(_EXPRS[k].format(r=ref) for k in KEYS)


def _match(ref: str) -> str:
    return " AND ".join(f"{k} = {_EXPRS[k].format(r=ref)}" for k in KEYS)


TABLE_DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ({', '.join(f'{k} NOT NULL' for k in KEYS)}, "
    f"n INTEGER NOT NULL, PRIMARY KEY ({', '.join(KEYS)})) WITHOUT ROWID"
)
_ADD = (
    f"INSERT INTO {TABLE} ({', '.join(KEYS)}, n) VALUES ({_values('new')}, 1) "
    f"ON CONFLICT DO UPDATE SET n = n + 1;"
)
_REMOVE = (
    f"UPDATE {TABLE} SET n = n - 1 WHERE {_match('old')}; "
    f"DELETE FROM {TABLE} WHERE n <= 0 AND {_match('old')};"
)
TRIGGER_DDL = (
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_ai AFTER INSERT ON models BEGIN {_ADD} END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_ad AFTER DELETE ON models BEGIN {_REMOVE} END",
    (
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_au AFTER UPDATE OF {', '.join(_WATCHED)} ON models "
        f"BEGIN {_REMOVE} {_ADD} END"
    ),
)


def fill(conn: sqlite3.Connection) -> None:
    """Count every model afresh (after a bulk load, or when the table is created)."""
    conn.execute(f"DELETE FROM {TABLE}")
    conn.execute(
        f"INSERT INTO {TABLE} ({', '.join(KEYS)}, n) SELECT {_values('m')}, count(*) "
        f"FROM models m GROUP BY {', '.join(str(i + 1) for i in range(len(KEYS)))}"
    )


def create(conn: sqlite3.Connection, *, triggers: bool = True) -> None:
    conn.execute(TABLE_DDL)
    if triggers:
        create_triggers(conn)


def create_triggers(conn: sqlite3.Connection) -> None:
    for ddl in TRIGGER_DDL:
        conn.execute(ddl)


def rows(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """(facet values…, favorite, pending, n) per combination; '' read back as None."""
    out: list[tuple[Any, ...]] = []
    for row in conn.execute(f"SELECT {', '.join(KEYS)}, n FROM {TABLE}"):
        facets = tuple(None if v == "" else v for v in row[: len(FACET_COLUMNS)])
        out.append((*facets, *row[len(FACET_COLUMNS) :]))
    return out
