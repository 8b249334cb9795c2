"""models.db schema: DDL, versions and migrations, and the mapping metadata → rows.

models.db is a disposable index of the metadata.json files. Its schema version lives in
`PRAGMA user_version`; `migrations.ensure_schema` creates this schema or brings an older one
to it."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tensorshelf.library.index import facet_combos
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.search.fts import FtsSpec, create_fts, create_fts_triggers, rebuild_fts

# v3: integrity_state, the unreadable table; v4: collections; v5: facets index, facet_combos,
# base_model searched; v6: the model dir's own stamp (scan skips listing an unchanged dir);
# v7: the scan index; v8: only the model's own files' names searched, 1-character prefixes
# indexed, the family and kind indexes without case
SCHEMA_VERSION = 8
# The files whose names are searched: the model's own, not its sidecars (a preview image, a
# .civitai.info), whose names only repeat the model's and add "preview", "png", "civitai",
# "info" to every model — "in" matched every model with a .civitai.info beside it.
SEARCHED_FILE_ROLES = ("weights",)


@dataclass(frozen=True, slots=True)
class DirStamp:
    """Stat data of a model dir's metadata.json that tells scan whether to re-read it.

    An atomic rewrite (temp + rename) changes the inode; an in-place edit changes mtime,
    ctime or size."""

    mtime_ns: int
    size: int
    ino: int
    ctime_ns: int

    @classmethod
    def from_stat(cls, st: os.stat_result) -> DirStamp:
        return cls(st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.mtime_ns, self.size, self.ino, self.ctime_ns)


FolderStamp = tuple[int, int]
"""A model dir's (latest mtime, sum of ctimes) over itself and the sub-folders holding a file
it needs: any file added, removed or renamed in one of them changes both, and no ctime can be
set back (a restored mtime, rsync -t, still differs). Scan records it once every file the
model needs was there, and while it is unchanged neither lists the dir nor stats those files
again; an in-place edit of metadata.json leaves it unchanged, so the metadata.json stamp is
still compared."""

# A model is a phantom when a file it needs to load is gone; a lost preview or sidecar
# does not make it one (verify still reports those as missing).
ESSENTIAL_ROLES: tuple[str, ...] = ("weights", "index", "config", "tokenizer")


def needed_subdirs(paths: Iterable[str]) -> str | None:
    """The SUBDIRS_COLUMN value for these model-relative file paths."""
    found: set[str] = set()
    for path in paths:
        parts = path.split("/")[:-1]
        found.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return "\n".join(sorted(found)) or None


# --- current schema (v2) -------------------------------------------------------------------
# The text of `models` that search covers (same column names in both tables) and the bm25
# weight of a hit in each: a hit in a name counts more than one in the notes.
MODEL_SEARCH = FtsSpec(
    table="model_search",
    content_table="models",
    content_rowid="rid",
    columns=(
        "name",
        "cleaned_name",
        "official_name",
        "repo_id",
        "family",
        "tags_text",
        "trigger_words",
        "notes",
        "description",
        "file_names",
        "base_model",
    ),
    weights=(10.0, 8.0, 8.0, 5.0, 3.0, 4.0, 3.0, 1.0, 1.0, 2.0, 3.0),
)
FTS_COLUMNS = MODEL_SEARCH.columns
SUMMARY_COLUMNS = (
    "model_type",
    "subtype",
    "variant",
    "precision",
    "format",
    "model_format",
    "security_tier",
    "match_method",
    "match_source",
    "pending_online_lookup",
    "hash_mismatch",
    "integrity_state",
    "rating",
    "size_bytes",
    "sha256",
    "blake3",
    "tags_json",
    "added_date",
    "updated_date",
)
STAMP_COLUMNS = ("meta_mtime_ns", "meta_size", "meta_ino", "meta_ctime_ns")
# The model dir's folder stamp when scan last checked every file it needs: set by scan only,
# cleared by every other write of the row (see FolderStamp); and the sub-folders the stamp
# covers too (those holding a needed file, "\n"-joined; NULL for none).
FOLDER_STAMP_COLUMNS = ("dir_mtime_ns", "dir_ctime_ns")
SUBDIRS_COLUMN = "needed_subdirs"
MODEL_COLUMNS: tuple[str, ...] = (
    "id",
    "path",
    *FTS_COLUMNS,
    *SUMMARY_COLUMNS,
    *STAMP_COLUMNS,
    *FOLDER_STAMP_COLUMNS,
    SUBDIRS_COLUMN,
)
FILE_COLUMNS = (
    "model_id",
    "path",
    "size",
    "sha256",
    "blake3",
    "role",
    "shard_index",
    "shard_total",
)

_INTEGER_COLUMNS = {
    "pending_online_lookup",
    "hash_mismatch",
    "rating",
    "size_bytes",
    *STAMP_COLUMNS,
    *FOLDER_STAMP_COLUMNS,
}


def _models_ddl() -> str:
    cols = []
    for c in MODEL_COLUMNS:
        if c == "id":
            cols.append("id TEXT NOT NULL UNIQUE")
        elif c == "path":
            cols.append("path TEXT NOT NULL UNIQUE")
        elif c == "name":
            cols.append(f"{c} TEXT NOT NULL")
        else:
            cols.append(f"{c} {'INTEGER' if c in _INTEGER_COLUMNS else 'TEXT'}")
    return "CREATE TABLE models (rid INTEGER PRIMARY KEY, " + ", ".join(cols) + ")"


TABLE_DDL: tuple[str, ...] = (
    _models_ddl(),
    (
        "CREATE TABLE files (model_id TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, "
        "sha256 TEXT, blake3 TEXT, role TEXT, shard_index INTEGER, shard_total INTEGER, "
        "PRIMARY KEY (model_id, path)) WITHOUT ROWID"
    ),
    (
        "CREATE TABLE tags (model_id TEXT NOT NULL, tag TEXT NOT NULL COLLATE NOCASE, "
        "PRIMARY KEY (model_id, tag)) WITHOUT ROWID"
    ),
    (
        "CREATE TABLE collections (model_id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, "
        "PRIMARY KEY (model_id, name)) WITHOUT ROWID"
    ),
    # model dirs whose metadata.json cannot be read (scan/rebuild fill it): "needs attention"
    (
        "CREATE TABLE unreadable (path TEXT PRIMARY KEY, code TEXT NOT NULL, "
        "message TEXT NOT NULL) WITHOUT ROWID"
    ),
)
# Every column the sidebar counts and filters on, and the id: facet counts, filtered totals
# and "select all" read this narrow index instead of the wide rows (~3 KB each).
FACETS_INDEX_DDL = (
    "CREATE INDEX IF NOT EXISTS idx_models_facets ON models(model_type COLLATE NOCASE, "
    "subtype COLLATE NOCASE, family COLLATE NOCASE, precision COLLATE NOCASE, "
    "format COLLATE NOCASE, security_tier COLLATE NOCASE, match_method COLLATE NOCASE, "
    "integrity_state COLLATE NOCASE, rating, pending_online_lookup, size_bytes, added_date, "
    "name COLLATE NOCASE, id)"
)
# `sha256:ab12…` / `blake3:…` find a model by a prefix of its primary hash: a range seek
HASH_INDEX_DDL = (
    "CREATE INDEX IF NOT EXISTS idx_models_sha256 ON models(sha256)",
    "CREATE INDEX IF NOT EXISTS idx_models_blake3 ON models(blake3)",
)
# What the incremental scan reads of every model (scan_queries.scan_state): a covering index
SCAN_INDEX_DDL = (
    "CREATE INDEX IF NOT EXISTS idx_models_scan ON models(path, id, "
    f"{', '.join((*STAMP_COLUMNS, *FOLDER_STAMP_COLUMNS, SUBDIRS_COLUMN))})"
)
# A family or kind filter, and a search word naming one ("gemma 2", "vae"), compare without
# case: an index in that collation serves both (and the OR with the text match)
KIND_INDEX_DDL = {
    "idx_family": "CREATE INDEX idx_family ON models(family COLLATE NOCASE)",
    "idx_subtype": "CREATE INDEX idx_subtype ON models(subtype COLLATE NOCASE)",
}
# Secondary indexes: a bulk load creates them after inserting (one sort instead of
# per-row maintenance).
INDEX_DDL: tuple[str, ...] = (
    "CREATE INDEX idx_model_type ON models(model_type)",
    *KIND_INDEX_DDL.values(),
    "CREATE INDEX idx_models_name ON models(name COLLATE NOCASE, id)",
    "CREATE INDEX idx_models_added ON models(added_date, id)",
    "CREATE INDEX idx_models_size ON models(size_bytes, id)",
    "CREATE INDEX idx_files_sha256 ON files(sha256)",
    "CREATE INDEX idx_files_blake3 ON files(blake3)",
    "CREATE INDEX idx_tags_tag ON tags(tag, model_id)",
    "CREATE INDEX idx_collections_name ON collections(name, model_id)",
    "CREATE INDEX idx_models_integrity ON models(integrity_state)",
    FACETS_INDEX_DDL,
    *HASH_INDEX_DDL,
    SCAN_INDEX_DDL,
)


# --- rows ------------------------------------------------------------------------------------
@dataclass(slots=True)
class IndexRow:
    """Everything one model contributes to the index."""

    model: tuple[Any, ...]
    files: list[tuple[Any, ...]]
    tags: list[tuple[str, str]]
    collections: list[tuple[str, str]]

    @property
    def id(self) -> str:
        return str(self.model[0])

    @property
    def path(self) -> str:
        return str(self.model[1])


def build_row(meta: ModelMetadata, path: str, stamp: DirStamp | None) -> IndexRow:
    """The rows for `meta` found at library-relative dir `path`."""
    hashes = meta.hashes
    fts = (
        meta.name,
        meta.cleaned_name,
        meta.official_name,
        meta.repo_id,
        meta.family,
        " ".join(meta.tags),
        "\n".join(meta.trigger_words),
        meta.notes,
        meta.description,
        "\n".join(f.path for f in meta.files if f.role in SEARCHED_FILE_ROLES),
        meta.base_model,
    )
    summary = (
        meta.model_type,
        meta.subtype,
        meta.variant,
        meta.precision,
        meta.detection.format if meta.detection else None,
        meta.model_format,
        meta.security_tier,
        meta.match_method,
        meta.match_source,
        int(meta.pending_online_lookup),
        int(meta.hash_mismatch),
        meta.integrity.state if meta.integrity else "unverified",
        meta.rating,
        meta.size_bytes,
        hashes.sha256.lower() if hashes else None,  # hash-prefix search compares lower case
        hashes.blake3.lower() if hashes and hashes.blake3 else None,
        json.dumps(meta.tags, ensure_ascii=False),
        meta.added_date,
        meta.updated_date,
    )
    model = (
        meta.id,
        path,
        *fts,
        *summary,
        *(stamp.as_tuple() if stamp else (None, None, None, None)),
        None,  # the folder stamp: only scan sets it, after checking the dir's files
        None,
        needed_subdirs(f.path for f in meta.files if f.role in ESSENTIAL_ROLES),
    )
    files = [
        (meta.id, f.path, f.size, f.sha256, f.blake3, f.role, f.shard_index, f.shard_total)
        for f in meta.files
    ]
    first: dict[str, tuple[str, str]] = {}
    for tag in meta.tags:
        if tag:
            first.setdefault(tag.casefold(), (meta.id, tag))  # the first spelling wins
    tags = list(first.values())
    named: dict[str, tuple[str, str]] = {}
    for name in meta.collections:
        if name:
            named.setdefault(name.casefold(), (meta.id, name))
    return IndexRow(model, files, tags, list(named.values()))


_PLACEHOLDERS = ", ".join("?" for _ in MODEL_COLUMNS)
INSERT_MODEL_SQL = f"INSERT INTO models ({', '.join(MODEL_COLUMNS)}) VALUES ({_PLACEHOLDERS})"
UPSERT_MODEL_SQL = (
    INSERT_MODEL_SQL
    + " ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in MODEL_COLUMNS if c != "id")
)
INSERT_FILE_SQL = (
    f"INSERT OR REPLACE INTO files ({', '.join(FILE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in FILE_COLUMNS)})"
)
INSERT_TAG_SQL = "INSERT OR IGNORE INTO tags (model_id, tag) VALUES (?, ?)"
INSERT_COLLECTION_SQL = "INSERT OR IGNORE INTO collections (model_id, name) VALUES (?, ?)"


def bulk_insert(conn: sqlite3.Connection, rows: list[IndexRow]) -> None:
    """Plain inserts into a fresh database (ids and paths already de-duplicated)."""
    conn.executemany(INSERT_MODEL_SQL, [r.model for r in rows])
    conn.executemany(INSERT_FILE_SQL, [f for r in rows for f in r.files])
    conn.executemany(INSERT_TAG_SQL, [t for r in rows for t in r.tags])
    conn.executemany(INSERT_COLLECTION_SQL, [c for r in rows for c in r.collections])


# --- schema creation and migration -----------------------------------------------------------
def create_schema(conn: sqlite3.Connection, *, bulk: bool = False) -> None:
    """The current schema. With `bulk`, secondary indexes and FTS triggers are left out
    until `finish_bulk_load`."""
    for ddl in TABLE_DDL if bulk else (*TABLE_DDL, *INDEX_DDL):
        conn.execute(ddl)
    create_fts(conn, MODEL_SEARCH, triggers=not bulk)
    facet_combos.create(conn, triggers=not bulk)


def finish_bulk_load(conn: sqlite3.Connection) -> None:
    """After `create_schema(bulk=True)` + `bulk_insert`: indexes, full-text index, triggers."""
    for ddl in INDEX_DDL:
        conn.execute(ddl)
    rebuild_fts(conn, MODEL_SEARCH)
    create_fts_triggers(conn, MODEL_SEARCH)
    facet_combos.fill(conn)
    facet_combos.create_triggers(conn)
