"""Bringing models.db to the current schema: `ensure_schema` creates it or migrates an older
one inside the caller's write transaction. v1–v3 are dropped and re-derived from the
metadata.json files the old index knew, so the FTS table and its triggers are always
recreated from scratch (anchor-lessons: stale FTS triggers survived schema changes); v4 and v5
gain indexes and columns in place, v7 re-derives the searched file names from the files
table."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

from tensorshelf.errors import CorruptMetadata
from tensorshelf.library.index import facet_combos
from tensorshelf.library.index.schema import (
    ESSENTIAL_ROLES,
    FACETS_INDEX_DDL,
    FOLDER_STAMP_COLUMNS,
    HASH_INDEX_DDL,
    KIND_INDEX_DDL,
    MODEL_SEARCH,
    SCAN_INDEX_DDL,
    SCHEMA_VERSION,
    SEARCHED_FILE_ROLES,
    SUBDIRS_COLUMN,
    DirStamp,
    IndexRow,
    build_row,
    bulk_insert,
    create_schema,
    finish_bulk_load,
    needed_subdirs,
)
from tensorshelf.library.metadata.files import read_metadata_file
from tensorshelf.search.fts import create_fts, rebuild_fts
from tensorshelf.settings import METADATA_FILE

log = logging.getLogger(__name__)

# --- v1 (the plan's §2.4/§2.6 shape), kept so the v1 → v2 migration can be exercised ------
SCHEMA_V1_DDL: tuple[str, ...] = (
    (
        "CREATE TABLE models (model_id TEXT PRIMARY KEY, family TEXT, model_type TEXT, "
        "official_name TEXT, cleaned_name TEXT, library_path TEXT, size_bytes INTEGER, "
        "blake3_hash TEXT, sha256_hash TEXT, added_date TEXT, last_updated TEXT, "
        "metadata_json TEXT, repo_id TEXT, tags TEXT, description TEXT, security_tier TEXT)"
    ),
    "CREATE INDEX idx_model_type ON models(model_type)",
    "CREATE INDEX idx_family ON models(family)",
    (
        "CREATE VIRTUAL TABLE model_search USING fts5(model_id UNINDEXED, repo_id, official_name, "
        "family, tags, description, tokenize=\"unicode61 remove_diacritics 1 tokenchars '-_'\")"
    ),
    (
        "CREATE TRIGGER models_ai AFTER INSERT ON models BEGIN INSERT INTO model_search"
        "(model_id, repo_id, official_name, family, tags, description) VALUES (NEW.model_id, "
        "NEW.repo_id, NEW.official_name, NEW.family, NEW.tags, NEW.description); END"
    ),
    (
        "CREATE TRIGGER models_au AFTER UPDATE ON models BEGIN DELETE FROM model_search WHERE "
        "model_id = OLD.model_id; INSERT INTO model_search(model_id, repo_id, official_name, "
        "family, tags, description) VALUES (NEW.model_id, NEW.repo_id, NEW.official_name, "
        "NEW.family, NEW.tags, NEW.description); END"
    ),
    (
        "CREATE TRIGGER models_ad AFTER DELETE ON models BEGIN DELETE FROM model_search WHERE "
        "model_id = OLD.model_id; END"
    ),
)


def drop_everything(conn: sqlite3.Connection) -> None:
    objects = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for kind, name, _sql in objects:
        if kind == "trigger":
            conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    for kind, name, sql in objects:  # virtual tables first: they drop their shadow tables
        if kind == "table" and sql and sql.upper().startswith("CREATE VIRTUAL TABLE"):
            conn.execute(f'DROP TABLE IF EXISTS "{name}"')
    for kind, name, _sql in objects:
        if kind in ("table", "view"):
            conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')


def _rederive(conn: sqlite3.Connection, library_root: Path, paths: Iterable[str | None]) -> int:
    """Recreate the current schema, indexing the metadata.json found at each known path.

    The index keeps no copy of metadata.json, so a migration re-reads the source of truth
    for the models the old index knew; a path whose metadata.json is gone or corrupt is
    dropped (a scan or rebuild reports it)."""
    rows: list[IndexRow] = []
    seen_ids: set[str] = set()
    for rel in dict.fromkeys(p for p in paths if p):
        meta_path = library_root / rel / METADATA_FILE
        try:
            stamp = DirStamp.from_stat(os.stat(meta_path))
            meta = read_metadata_file(meta_path)
        except (OSError, CorruptMetadata) as exc:
            log.warning("migration drops %s: %s", rel, exc)
            continue
        if meta.id in seen_ids:
            continue
        seen_ids.add(meta.id)
        rows.append(build_row(meta, rel, stamp))
    drop_everything(conn)
    create_schema(conn, bulk=True)
    bulk_insert(conn, rows)
    finish_bulk_load(conn)
    return len(rows)


def _rederive_from(column: str) -> Callable[[sqlite3.Connection, Path], None]:
    """A migration that re-reads the library at the paths the old index kept in `column`."""

    def migrate(conn: sqlite3.Connection, library_root: Path) -> None:
        paths = [p for (p,) in conn.execute(f"SELECT {column} FROM models")]
        n = _rederive(conn, library_root, paths)
        log.info("migrated models.db to v%d by re-reading %d models", SCHEMA_VERSION, n)

    return migrate


def _migrate_v4(conn: sqlite3.Connection, library_root: Path) -> None:
    for ddl in (FACETS_INDEX_DDL, *HASH_INDEX_DDL):  # no re-read of the library needed
        conn.execute(ddl)
    # the full-text index gained base_model (already a column): rebuilt from the rows
    for name in MODEL_SEARCH.trigger_names:
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    conn.execute(f"DROP TABLE IF EXISTS {MODEL_SEARCH.table}")
    create_fts(conn, MODEL_SEARCH)
    rebuild_fts(conn, MODEL_SEARCH)
    facet_combos.create(conn)
    facet_combos.fill(conn)
    log.info("migrated models.db v4 -> v5 (facet counts kept by triggers)")
    _migrate_v5(conn, library_root)


def _migrate_v5(conn: sqlite3.Connection, library_root: Path) -> None:
    for column in FOLDER_STAMP_COLUMNS:  # empty: the next scan lists every dir once
        conn.execute(f"ALTER TABLE models ADD COLUMN {column} INTEGER")
    conn.execute(f"ALTER TABLE models ADD COLUMN {SUBDIRS_COLUMN} TEXT")
    marks = ", ".join("?" for _ in ESSENTIAL_ROLES)
    nested: dict[str, list[str]] = {}
    for model_id, path in conn.execute(
        f"SELECT model_id, path FROM files WHERE instr(path, '/') AND role IN ({marks})",
        ESSENTIAL_ROLES,
    ):
        nested.setdefault(model_id, []).append(path)
    conn.executemany(
        f"UPDATE models SET {SUBDIRS_COLUMN} = ? WHERE id = ?",
        [(needed_subdirs(paths), model_id) for model_id, paths in nested.items()],
    )
    log.info("migrated models.db v5 -> v6 (folder stamps)")
    _migrate_v6(conn, library_root)


def _migrate_v6(conn: sqlite3.Connection, library_root: Path) -> None:
    conn.execute(SCAN_INDEX_DDL)
    log.info("migrated models.db v6 -> v7 (scan index)")
    _migrate_v7(conn, library_root)


def _migrate_v7(conn: sqlite3.Connection, _library_root: Path) -> None:
    # the searched file names lose the sidecars': set from the files table, then the
    # full-text index is rebuilt from the rows at once (not row by row through its trigger),
    # with the prefix index of today's settings; the family and kind indexes lose case
    for name in MODEL_SEARCH.trigger_names:
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    conn.execute(f"DROP TABLE IF EXISTS {MODEL_SEARCH.table}")
    marks = ", ".join("?" for _ in SEARCHED_FILE_ROLES)
    conn.execute(
        "UPDATE models SET file_names = (SELECT group_concat(f.path, char(10)) FROM files f "
        f"WHERE f.model_id = models.id AND f.role IN ({marks}))",
        SEARCHED_FILE_ROLES,
    )
    create_fts(conn, MODEL_SEARCH)
    rebuild_fts(conn, MODEL_SEARCH)
    for name, ddl in KIND_INDEX_DDL.items():
        conn.execute(f"DROP INDEX IF EXISTS {name}")
        conn.execute(ddl)
    log.info("migrated models.db v7 -> v%d (sidecar names not searched)", SCHEMA_VERSION)


# from-version → function bringing that version to SCHEMA_VERSION
MIGRATIONS: dict[int, Callable[[sqlite3.Connection, Path], None]] = {
    1: _rederive_from("library_path"),
    2: _rederive_from("path"),
    3: _rederive_from("path"),
    4: _migrate_v4,
    5: _migrate_v5,
    6: _migrate_v6,
    7: _migrate_v7,
}


def ensure_schema(conn: sqlite3.Connection, library_root: Path) -> bool:
    """Create or migrate the schema inside the caller's write transaction.

    Returns True when the index was (re)created empty and needs a rebuild from disk."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return False
    has_tables = (
        conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
        > 0
    )
    needs_rebuild = False
    if version in MIGRATIONS:
        MIGRATIONS[version](conn, library_root)
    else:
        if has_tables:
            log.warning(
                "models.db has unknown schema version %d; recreating it empty (run a rebuild)",
                version,
            )
        drop_everything(conn)
        create_schema(conn)
        needs_rebuild = True
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return needs_rebuild
