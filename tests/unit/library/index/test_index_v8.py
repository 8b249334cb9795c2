"""The file names search finds are the model's own, not its sidecars': "info" or "preview"
does not find every model with a .civitai.info or a preview image beside it, while a word of
its weights' file name still does; a v7 index (which searched every file's name) is migrated
in place — the names re-derived from its files table, the full-text index rebuilt, the
family and kind indexes made case-blind (so "gemma 2", a family named in the search box, is
an index lookup OR the text match, not a scan of every row)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tensorshelf.library.index.schema import MODEL_SEARCH, SCHEMA_VERSION
from tensorshelf.library.index.store import Index
from tensorshelf.library.maintenance.scan import rebuild
from tensorshelf.library.query_models import ListQuery
from tensorshelf.search.fts import create_fts, rebuild_fts
from tensorshelf.settings import MODELS_DB
from tests.fixtures.library_factory import BuiltModel, build_library

MODELS = 40


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[BuiltModel]]:
    root = tmp_path_factory.mktemp("names") / "lib"
    built = build_library(root, MODELS, seed=4)
    rebuild(root, root / MODELS_DB)
    return root, built


def _found(db: Path, text: str) -> int:
    with Index(db, library_root=db.parent) as index:
        return index.list_models(ListQuery(text=text, sort="relevance")).total


def _with_sidecars(built: list[BuiltModel]) -> BuiltModel:
    return next(b for b in built if any(f.role == "companion" for f in b.meta.files))


def test_sidecar_names_are_not_searched_the_weights_name_is(
    library: tuple[Path, list[BuiltModel]],
) -> None:
    root, built = library
    model = _with_sidecars(built)
    assert _found(root / MODELS_DB, "civitai") == 0
    assert _found(root / MODELS_DB, "preview") == 0
    weights = next(f.path for f in model.meta.files if f.role == "weights")
    assert weights.endswith(".safetensors") and _found(root / MODELS_DB, "safetensors") > 0
    stem_word = weights.rsplit("_", 1)[-1].split(".")[0]  # the model's number, in its name only
    with Index(root / MODELS_DB) as index:
        page = index.list_models(ListQuery(text=stem_word, sort="relevance"))
    assert model.meta.id in {m.id for m in page.models}


def test_a_v7_index_searches_its_sidecars_no_more(
    library: tuple[Path, list[BuiltModel]], tmp_path: Path
) -> None:
    root, built = library
    db = tmp_path / MODELS_DB
    db.write_bytes((root / MODELS_DB).read_bytes())
    conn = sqlite3.connect(db)  # the v7 shape: every file's name searched
    for name in MODEL_SEARCH.trigger_names:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(f"DROP TABLE {MODEL_SEARCH.table}")
    conn.execute(
        "UPDATE models SET file_names = (SELECT group_concat(f.path, char(10)) FROM files f "
        "WHERE f.model_id = models.id)"
    )
    create_fts(conn, MODEL_SEARCH)
    rebuild_fts(conn, MODEL_SEARCH)
    for name in ("idx_family", "idx_subtype"):  # v7's, in binary collation
        conn.execute(f"DROP INDEX {name}")
        conn.execute(f"CREATE INDEX {name} ON models({name[4:]})")
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    v7 = f"SELECT count(*) FROM {MODEL_SEARCH.table} WHERE {MODEL_SEARCH.table} MATCH 'civitai'"
    assert conn.execute(v7).fetchone()[0] == sum(1 for b in built if _has(b, "companion"))
    conn.close()

    with Index(db, library_root=root) as index:
        assert not index.needs_rebuild
        assert index.list_models(ListQuery()).total == len(built)
    assert _found(db, "civitai") == 0
    assert _found(db, "safetensors") == _found(root / MODELS_DB, "safetensors")
    model = _with_sidecars(built)
    with Index(db) as index:  # the triggers are back: an edit is searched at once
        index.upsert_model(model.meta.model_copy(update={"name": "Zanzibar"}))
        assert index.list_models(ListQuery(text="zanzibar", sort="relevance")).total == 1
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM models m WHERE (m.family = ? COLLATE NOCASE "
        f"OR m.rid IN (SELECT rowid FROM {MODEL_SEARCH.table} WHERE {MODEL_SEARCH.table} "
        "MATCH ?))",
        ("gemma2", '"gemma"* "2"*'),
    ).fetchall()
    conn.close()
    assert any("idx_family (family=?)" in row[3] for row in plan), plan


def _has(model: BuiltModel, role: str) -> bool:
    return any(f.role == role for f in model.meta.files)


def test_a_kind_or_family_the_library_has_is_known_in_any_case(
    library: tuple[Path, list[BuiltModel]],
) -> None:
    root, built = library
    family = next(b.meta.family for b in built if b.meta.family)
    with Index(root / MODELS_DB) as index:
        assert index.has_value("family", family.upper())
        assert index.has_value("subtype", "LoRAs")
        assert not index.has_value("family", "no-such-family")
