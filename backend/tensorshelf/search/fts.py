"""The FTS5 table behind `search` and `list --text`: its columns, DDL and sync triggers.

The table uses *external content* (`content='models'`): the searchable text lives once,
in columns of the `models` table, and the FTS index refers to it by rowid. Triggers keep
the index in step with single-row writes; a bulk load (deep scan) inserts with no
triggers and then runs the FTS5 `rebuild` command once, which is much faster.

Tokenizer: unicode61 with default separators and diacritics folded, so "cafe" finds
"Café" and "llama" finds "Meta-Llama-3" (platform-notes "SQLite": `tokenchars '-_'`
breaks the latter)."""

from __future__ import annotations

import sqlite3

from tensorshelf.settings import FTS_PREFIX_INDEX

FTS_TABLE = "model_search"
CONTENT_TABLE = "models"
CONTENT_ROWID = "rid"
TOKENIZE = "unicode61 remove_diacritics 2"

# Columns of `models` that are indexed for full-text search (same names in both tables).
FTS_COLUMNS: tuple[str, ...] = (
    "name", "cleaned_name", "official_name", "repo_id", "family", "tags_text",
    "trigger_words", "notes", "description", "file_names",
)

# bm25 weight per column, in FTS_COLUMNS order: a hit in a name counts more than in notes.
FTS_COLUMN_WEIGHTS: tuple[float, ...] = (10.0, 8.0, 8.0, 5.0, 3.0, 4.0, 3.0, 1.0, 1.0, 2.0)

TRIGGER_NAMES = ("models_fts_ai", "models_fts_ad", "models_fts_au")


def fts_table_ddl() -> str:
    cols = ", ".join(FTS_COLUMNS)
    return (f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({cols}, "
            f"content='{CONTENT_TABLE}', content_rowid='{CONTENT_ROWID}', "
            f"tokenize='{TOKENIZE}', prefix='{FTS_PREFIX_INDEX}')")


def fts_trigger_ddl() -> list[str]:
    cols = ", ".join(FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    insert_new = f"INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES (new.{CONTENT_ROWID}, {new});"
    delete_old = (f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols}) "
                  f"VALUES ('delete', old.{CONTENT_ROWID}, {old});")
    ai, ad, au = TRIGGER_NAMES
    return [
        f"CREATE TRIGGER {ai} AFTER INSERT ON {CONTENT_TABLE} BEGIN {insert_new} END",
        f"CREATE TRIGGER {ad} AFTER DELETE ON {CONTENT_TABLE} BEGIN {delete_old} END",
        (f"CREATE TRIGGER {au} AFTER UPDATE OF {cols} ON {CONTENT_TABLE} "
        f"BEGIN {delete_old} {insert_new} END"),
    ]


def create_fts(conn: sqlite3.Connection, *, triggers: bool = True) -> None:
    conn.execute(fts_table_ddl())
    if triggers:
        create_fts_triggers(conn)


def create_fts_triggers(conn: sqlite3.Connection) -> None:
    for ddl in fts_trigger_ddl():
        conn.execute(ddl)


def rebuild_fts(conn: sqlite3.Connection) -> None:
    """Re-index every row of the content table (after a bulk load without triggers)."""
    conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def rank_expression() -> str:
    """SQL for a row's relevance inside a MATCH query (lower is better)."""
    return f"bm25({FTS_TABLE}, {', '.join(str(w) for w in FTS_COLUMN_WEIGHTS)})"


def optimize_fts(conn: sqlite3.Connection) -> None:
    conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
