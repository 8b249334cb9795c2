"""FTS5 full-text tables over an external-content table: DDL, sync triggers, ranking.

`search` owns the FTS side of the schema; the index that uses it declares *what* is
searchable with an `FtsSpec` (its content table, rowid column, the text columns and their
bm25 weights) and calls these functions — search names no table of its own accord.

External content (`content=<table>`): the searchable text lives once, in columns of the
content table, and the FTS index refers to it by rowid. Triggers keep the index in step with
single-row writes; a bulk load (deep scan) inserts with no triggers and then runs the FTS5
`rebuild` command once, which is much faster.

Tokenizer: unicode61 with diacritics folded, so "cafe" finds "Café" and "llama" finds
"Meta-Llama-3" (platform-notes "SQLite": `tokenchars '-_'` breaks the latter)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from tensorshelf.settings import FTS_PREFIX_INDEX

TOKENIZE = "unicode61 remove_diacritics 2"


@dataclass(frozen=True)
class FtsSpec:
    """One FTS5 table over `content_table`: which columns are searched and how they rank."""

    table: str
    content_table: str
    content_rowid: str
    columns: tuple[str, ...]
    weights: tuple[float, ...]  # bm25 weight per column, in `columns` order

    def __post_init__(self) -> None:
        if len(self.columns) != len(self.weights):
            raise ValueError(
                f"{self.table}: {len(self.columns)} columns, {len(self.weights)} weights"
            )

    @property
    def trigger_names(self) -> tuple[str, str, str]:
        prefix = f"{self.content_table}_fts"
        return (f"{prefix}_ai", f"{prefix}_ad", f"{prefix}_au")


def table_ddl(spec: FtsSpec) -> str:
    cols = ", ".join(spec.columns)
    return (
        f"CREATE VIRTUAL TABLE {spec.table} USING fts5({cols}, "
        f"content='{spec.content_table}', content_rowid='{spec.content_rowid}', "
        f"tokenize='{TOKENIZE}', prefix='{FTS_PREFIX_INDEX}')"
    )


def trigger_ddl(spec: FtsSpec) -> list[str]:
    cols = ", ".join(spec.columns)
    new = ", ".join(f"new.{c}" for c in spec.columns)
    old = ", ".join(f"old.{c}" for c in spec.columns)
    t, content, rowid = spec.table, spec.content_table, spec.content_rowid
    insert_new = f"INSERT INTO {t}(rowid, {cols}) VALUES (new.{rowid}, {new});"
    delete_old = f"INSERT INTO {t}({t}, rowid, {cols}) VALUES ('delete', old.{rowid}, {old});"
    ai, ad, au = spec.trigger_names
    return [
        f"CREATE TRIGGER {ai} AFTER INSERT ON {content} BEGIN {insert_new} END",
        f"CREATE TRIGGER {ad} AFTER DELETE ON {content} BEGIN {delete_old} END",
        (
            f"CREATE TRIGGER {au} AFTER UPDATE OF {cols} ON {content} "
            f"BEGIN {delete_old} {insert_new} END"
        ),
    ]


def create_fts(conn: sqlite3.Connection, spec: FtsSpec, *, triggers: bool = True) -> None:
    conn.execute(table_ddl(spec))
    if triggers:
        create_fts_triggers(conn, spec)


def create_fts_triggers(conn: sqlite3.Connection, spec: FtsSpec) -> None:
    for ddl in trigger_ddl(spec):
        conn.execute(ddl)


def rebuild_fts(conn: sqlite3.Connection, spec: FtsSpec) -> None:
    """Re-index every row of the content table (after a bulk load without triggers)."""
    conn.execute(f"INSERT INTO {spec.table}({spec.table}) VALUES ('rebuild')")


def rank_expression(spec: FtsSpec) -> str:
    """SQL for a row's relevance inside a MATCH query (lower is better)."""
    return f"bm25({spec.table}, {', '.join(str(w) for w in spec.weights)})"


def match_clause(spec: FtsSpec, rowid_expr: str) -> str:
    """`<rowid_expr> IN (rows matching ?)`: a filter on the content table."""
    return f"{rowid_expr} IN (SELECT rowid FROM {spec.table} WHERE {spec.table} MATCH ?)"


def ranked_rows_sql(spec: FtsSpec) -> str:
    """A sub-select of (rowid, score) for the rows matching ?, best first by `score`."""
    return (
        f"SELECT rowid, {rank_expression(spec)} AS score FROM {spec.table} "
        f"WHERE {spec.table} MATCH ?"
    )
