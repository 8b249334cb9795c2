"""models.db: schema and pragmas, writes, lookups, refs, list/filter/sort/paging, facets,
concurrency, reopening after the file is replaced, and schema migration."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tensorshelf.errors import AmbiguousModelRef, ModelNotFound
from tensorshelf.library.index.migrations import SCHEMA_V1_DDL
from tensorshelf.library.index.schema import MODEL_SEARCH, SCHEMA_VERSION
from tensorshelf.library.index.store import Index, stamp_of
from tensorshelf.library.maintenance.scan import rebuild
from tensorshelf.library.metadata.document import FileEntry, Hashes, ModelMetadata
from tensorshelf.library.query_models import ListQuery
from tensorshelf.settings import MODELS_DB
from tests.fixtures.library_factory import build_library, write_metadata_fast


def _meta(i: int, **kw) -> ModelMetadata:
    sha, b3 = f"{i:064x}", f"{i + 10_000:064x}"
    fields = {
        "id": f"0000{i:04d}-aaaa-7000-8000-{i:012d}",
        "path": f"llm/fam/model-{i}",
        "name": f"Model {i}",
        "cleaned_name": f"model-{i}",
        "model_type": "llm",
        "family": "fam",
        "size_bytes": i * 100,
        "files": [FileEntry(path=f"m{i}.gguf", size=i * 100, sha256=sha, blake3=b3)],
        "hashes": Hashes(sha256=sha, blake3=b3),
    }
    fields.update(kw)
    return ModelMetadata(**fields)


@pytest.fixture
def index(tmp_path: Path):
    with Index(tmp_path / MODELS_DB) as ix:
        yield ix


def test_pragmas_schema_version_and_fts_table(index: Index) -> None:
    conn = index._conn()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'model_search'").fetchone()[0]
    assert "remove_diacritics" in sql and "tokenchars" not in sql
    assert index.needs_rebuild  # a new, empty index


def test_upsert_get_remove_and_hash_lookups(index: Index, tmp_path: Path) -> None:
    meta = _meta(1, x_future_key={"kept": 1})
    model_dir = tmp_path / meta.path
    model_dir.mkdir(parents=True)
    write_metadata_fast(model_dir, meta)
    index.upsert_model(meta, stamp_of(model_dir))
    assert index.count() == 1
    assert index.find_by_sha256(meta.hashes.sha256) == meta.id
    assert index.find_by_sha256(meta.hashes.sha256.upper()) == meta.id
    assert index.find_by_sha256("f" * 64) is None
    # re-upsert with changed fields replaces, does not duplicate
    index.upsert_model(meta.model_copy(update={"name": "Renamed", "tags": ["a", "A", "b"]}))
    page = index.list_models(ListQuery())
    assert page.total == 1 and page.models[0].name == "Renamed"
    assert index.facets().tag == {"a": 1, "b": 1}  # tags de-duplicated case-insensitively
    index.remove_model(meta.id)
    assert index.count() == 0 and index.get_path(meta.id) is None
    assert index.find_by_sha256(meta.hashes.sha256) is None
    assert index._conn().execute("SELECT count(*) FROM files").fetchone()[0] == 0


def test_weight_hash_lookup_ignores_shared_config_files(index: Index) -> None:
    shared = FileEntry(path="config.json", size=2, sha256="c" * 64, blake3="d" * 64, role="config")
    meta = _meta(3)
    index.upsert_model(meta.model_copy(update={"files": [*meta.files, shared]}))
    assert index.find_by_sha256("c" * 64) is None


def test_same_path_new_id_replaces_the_old_row(index: Index) -> None:
    index.upsert_model(_meta(4))
    index.upsert_model(_meta(5, path=_meta(4).path))
    assert [m.id for m in index.list_models(ListQuery()).models] == [_meta(5).id]


def test_resolve_ref_by_id_prefix_path_and_errors(index: Index, tmp_path: Path) -> None:
    a = _meta(11, id="0190aaaa-1111-7000-8000-000000000001")
    b = _meta(12, id="0190aaaa-2222-7000-8000-000000000002")
    c = _meta(13, id="0190bbbb-3333-7000-8000-000000000003", path="diffusion/sdxl/Café 100%")
    for m in (a, b, c):
        index.upsert_model(m)
    assert index.resolve_ref(a.id) == (a.id, a.path)
    assert index.resolve_ref("0190aaaa-1") == (a.id, a.path)
    assert index.resolve_ref("0190BBBB")[0] == c.id  # prefix is case-insensitive
    assert index.resolve_ref(c.path) == (c.id, c.path)
    assert index.resolve_ref(c.path + "/") == (c.id, c.path)
    assert index.resolve_ref(str(tmp_path / c.path / "model.safetensors"))[0] == c.id
    with pytest.raises(AmbiguousModelRef) as err:
        index.resolve_ref("0190aaaa")
    assert set(err.value.details["candidates"]) == {a.id, b.id}
    for bad in ("019", "", "0190cccc", "../etc", "%%%%", "____"):
        with pytest.raises(ModelNotFound):
            index.resolve_ref(bad)


def test_list_filters_sort_paging_and_full_total(tmp_path: Path) -> None:
    built = build_library(tmp_path / "lib", 60)
    rebuild(tmp_path / "lib", tmp_path / "lib" / MODELS_DB)
    with Index(tmp_path / "lib" / MODELS_DB) as index:
        metas = [m.meta for m in built]
        loras = sorted(
            (m for m in metas if m.subtype == "loras"), key=lambda m: (m.name.casefold(), m.id)
        )
        page = index.list_models(ListQuery(subtype="loras", limit=5, offset=5))
        assert page.total == len(loras) > 10
        assert [m.id for m in page.models] == [m.id for m in loras[5:10]]
        # descending size, ties by id
        by_size = sorted(metas, key=lambda m: (m.size_bytes, m.id), reverse=True)
        page = index.list_models(ListQuery(sort="size_bytes", descending=True, limit=7))
        assert [m.id for m in page.models] == [m.id for m in by_size[:7]]
        # combined filters, case-insensitive values
        want = {m.id for m in metas if m.model_type == "llm" and m.family == "llama"}
        page = index.list_models(ListQuery(model_type="LLM", family="llama", limit=1000))
        assert {m.id for m in page.models} == want and page.total == len(want) > 0
        favs = {m.id for m in metas if m.rating == 5}
        assert {
            m.id for m in index.list_models(ListQuery(favorites=True, limit=1000)).models
        } == favs
        fmt = {m.id for m in metas if m.detection.format == "gguf"}
        assert index.list_models(ListQuery(format="gguf")).total == len(fmt) > 0
        summary = index.list_models(ListQuery(text=loras[0].name)).models[0]
        assert summary.hashes == loras[0].hashes and summary.tags == loras[0].tags


def test_type_sort_groups_by_subtype_within_a_type(index: Index) -> None:
    # the list's Type column shows the subtype: sorting by type must group subtypes too
    kinds = [
        ("llm", "llm"),
        ("diffusion", "vae"),
        ("diffusion", "loras"),
        ("llm", "loras"),
        ("diffusion", "checkpoints"),
        ("diffusion", "loras"),
        ("diffusion", "vae"),
    ]
    for i, (model_type, subtype) in enumerate(kinds):
        index.upsert_model(_meta(i, model_type=model_type, subtype=subtype, path=f"x/{i}"), None)
    for descending in (False, True):
        page = index.list_models(ListQuery(sort="model_type", descending=descending))
        got = [(m.model_type, m.subtype) for m in page.models]
        assert got == sorted(kinds, reverse=descending)


def test_tag_filter_is_applied_before_limit(index: Index) -> None:
    # 30 models; only every 10th carries the tag, sorting puts them at the end
    for i in range(30):
        index.upsert_model(_meta(100 + i, name=f"m{i:02d}", tags=["rare"] if i % 10 == 9 else []))
    page = index.list_models(ListQuery(tag="RARE", limit=2))
    assert page.total == 3
    assert [m.name for m in page.models] == ["m09", "m19"]
    page2 = index.list_models(ListQuery(tag="rare", limit=2, offset=2))
    assert [m.name for m in page2.models] == ["m29"] and page2.total == 3


def test_facets_count_values(tmp_path: Path) -> None:
    built = build_library(tmp_path / "lib", 40)
    rebuild(tmp_path / "lib", tmp_path / "lib" / MODELS_DB)
    with Index(tmp_path / "lib" / MODELS_DB) as index:
        facets = index.facets()
    metas = [b.meta for b in built]
    assert facets.subtype["loras"] == sum(m.subtype == "loras" for m in metas)
    assert sum(facets.model_type.values()) == 40
    assert facets.tag.get("anime", 0) == sum("anime" in m.tags for m in metas)
    assert facets.format["gguf"] == sum(m.detection.format == "gguf" for m in metas)


def test_facets_for_a_query_are_exact_and_leave_out_their_own_filter(tmp_path: Path) -> None:
    """Each facet counts what choosing one of its values would show with the other filters
    applied; favourites are counted too; the totals match the filtered list."""
    built = build_library(tmp_path / "lib", 200)
    rebuild(tmp_path / "lib", tmp_path / "lib" / MODELS_DB)
    metas = [b.meta for b in built]
    family = metas[0].family
    with Index(tmp_path / "lib" / MODELS_DB) as index:
        facets = index.facets(ListQuery(family=family, subtype="loras"))
        page = index.list_models(ListQuery(family=family, subtype="loras", limit=1000))
    in_family = [m for m in metas if m.family == family]
    loras = [m for m in metas if m.subtype == "loras"]
    for subtype, n in facets.subtype.items():  # the family filter applies, not the subtype one
        assert n == sum(m.subtype == subtype for m in in_family), subtype
    for fam, n in facets.family.items():  # and the other way round
        assert n == sum(m.family == fam for m in loras), fam
    both = [m for m in in_family if m.subtype == "loras"]
    assert (
        page.total
        == len(both)
        == sum(facets.precision.values()) + sum(1 for m in both if m.precision is None)
    )
    assert facets.favorites == sum((m.rating or 0) >= 5 for m in both)  # 5 = favourite
    for tag, n in facets.tag.items():
        assert n == sum(tag in m.tags for m in both), tag


def test_four_threads_thousand_upserts_each_no_lock_errors(tmp_path: Path) -> None:
    index = Index(tmp_path / MODELS_DB)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(1000):
                index.upsert_model(_meta(t * 1000 + i, name=f"t{t} {i}"))
                if i % 100 == 0:
                    index.list_models(ListQuery(limit=5))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert index.count() == 4000
    index.close()


def test_reopens_when_models_db_is_replaced_underneath(tmp_path: Path) -> None:
    db = tmp_path / MODELS_DB
    index = Index(db)
    index.upsert_model(_meta(1))
    index.close()
    index = Index(db)
    assert index.count() == 1
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    assert index.count() == 0  # noticed the new file instead of serving the unlinked one
    index.upsert_model(_meta(2))
    with Index(db) as other:
        assert other.count() == 1
    index.close()


def test_v1_database_migrates_and_recreates_fts(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    built = build_library(root, 6)
    db = root / MODELS_DB
    conn = sqlite3.connect(db)
    for ddl in SCHEMA_V1_DDL:
        conn.execute(ddl)
    for b in built[:5]:  # the old index knew 5 of the 6 models
        conn.execute(
            "INSERT INTO models (model_id, family, library_path, metadata_json, "
            "official_name) VALUES (?, ?, ?, '{}', ?)",
            (b.meta.id, b.meta.family, b.meta.path, b.meta.name),
        )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    with Index(db) as index:
        c = index._conn()
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        triggers = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
        kept = {*MODEL_SEARCH.trigger_names, *(f"facet_combos_{s}" for s in ("ai", "ad", "au"))}
        assert triggers == kept  # models_ai/au/ad of v1 are gone
        assert index.count() == 5
        fts_rows = c.execute("SELECT count(*) FROM model_search").fetchone()[0]
        assert fts_rows == 5
        name = built[0].meta.name
        assert index.list_models(ListQuery(text=name)).models[0].id == built[0].meta.id
        assert not index.needs_rebuild
    with Index(db) as again:  # migrating is done once
        assert again.count() == 5


def test_unknown_future_version_is_recreated_empty(tmp_path: Path) -> None:
    db = tmp_path / MODELS_DB
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE whatever (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    with Index(db) as index:
        assert index.count() == 0 and index.needs_rebuild


def test_truncate_checkpoint_empties_the_wal(index: Index) -> None:
    for i in range(20):
        index.upsert_model(_meta(i))
    wal = Path(str(index.db_path) + "-wal")
    assert wal.stat().st_size > 0
    busy, _log, _done = index.checkpoint()
    assert busy == 0 and wal.stat().st_size == 0


def test_reopen_does_not_cut_off_other_threads(index: Index) -> None:
    index.upsert_model(_meta(1))
    ready, reopened = threading.Event(), threading.Event()
    seen: list = []

    def reader() -> None:
        conn = index._conn()
        cursor = conn.execute("SELECT id FROM models")  # a query in flight …
        ready.set()
        reopened.wait(10)
        seen.append(cursor.fetchall())  # … still works after reopen() elsewhere
        seen.append(index._conn() is not conn)  # and the next call reconnects

    t = threading.Thread(target=reader)
    t.start()
    ready.wait(10)
    mine = index._conn()
    index.reopen()
    reopened.set()
    t.join(10)
    assert seen == [[(_meta(1).id,)], True]
    assert index._conn() is not mine and index.count() == 1
