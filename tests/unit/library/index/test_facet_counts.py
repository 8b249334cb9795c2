"""Facet counts against the list itself (hypothesis): for any combination of filters, each
facet value's count is exactly the total the list shows when that value is chosen (the other
filters kept), and each flag's count is the total with the flag turned on — the sidebar's
numbers can never disagree with what a click shows; the running counts kept by triggers
stay equal to a fresh count through inserts, edits and deletes; counted in memory (a quiet
library) they equal the SQL counts. Also: the v4 → v5 migration
adds the facets index and the running counts without re-reading the library."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tensorshelf.library.index.schema import SCHEMA_VERSION
from tensorshelf.library.index.store import Index
from tensorshelf.library.maintenance.scan import rebuild
from tensorshelf.library.query_models import ListQuery
from tensorshelf.settings import MODELS_DB
from tests.fixtures.library_factory import build_library

MODELS = 120
FIELDS = ("model_type", "subtype", "family", "precision", "format", "security_tier")
FLAGS = ("favorites", "attention", "pending")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    root = tmp_path_factory.mktemp("facets") / "lib"
    built = build_library(root, MODELS, seed=5)
    rebuild(root, root / MODELS_DB)
    return root, [b.meta for b in built]


def _choices(root: Path, field: str) -> list[str | None]:
    with Index(root / MODELS_DB) as index:
        return [None, *sorted(getattr(index.facets(), field)), "no-such-value"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_each_count_is_the_total_of_choosing_it(
    library: tuple[Path, list], data: st.DataObject
) -> None:
    root, metas = library
    filters = {
        f: data.draw(st.sampled_from(_choices(root, f)), label=f)
        for f in data.draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True))
    }
    flags = {f: True for f in data.draw(st.lists(st.sampled_from(FLAGS), max_size=1))}
    text = data.draw(st.sampled_from([None, "pixel", "llama", "xl", "lora"]))
    tag = data.draw(st.sampled_from([None, "anime", "portrait"]))
    query = ListQuery(**filters, **flags, text=text, tag=tag)
    with Index(root / MODELS_DB) as index:
        in_sql = index.facets(query)  # the first ask at this state of the library: SQL
        assert index.facets(query) == in_sql  # asked again, unchanged: SQL, a load starts
        index._facet_memory().settle()  # noqa: SLF001 - the load is done
        counts = index.facets(query)  # counted in memory
        assert counts == in_sql
        total = index.list_models(query).total

        def total_with(**change: object) -> int:
            return index.list_models(query.model_copy(update=change)).total

        for field in FIELDS:
            for value, n in getattr(counts, field).items():
                assert n == total_with(**{field: value}), (field, value, query)
            if getattr(query, field) is not None:  # the chosen value is counted (if any match)
                assert getattr(counts, field).get(getattr(query, field), 0) == total
        for tag_value, n in counts.tag.items():
            assert n == total_with(tag=tag_value), (tag_value, query)
        for flag in FLAGS:
            assert getattr(counts, flag) == total_with(**{flag: True}), (flag, query)


def test_a_v4_index_gains_the_facets_index_and_keeps_its_rows(
    library: tuple[Path, list], tmp_path: Path
) -> None:
    root, metas = library
    db = tmp_path / MODELS_DB
    db.write_bytes((root / MODELS_DB).read_bytes())
    conn = sqlite3.connect(db)
    conn.execute("DROP INDEX idx_models_facets")
    conn.execute("UPDATE models SET base_model = 'Illustrious XL' WHERE rid = 1")
    for suffix in ("ai", "ad", "au"):
        conn.execute(f"DROP TRIGGER facet_combos_{suffix}")
    conn.execute("DROP TABLE facet_combos")
    conn.execute("DROP INDEX idx_models_scan")  # v7
    for column in ("dir_mtime_ns", "dir_ctime_ns", "needed_subdirs"):  # v6
        conn.execute(f"ALTER TABLE models DROP COLUMN {column}")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    with Index(db, library_root=root) as index:
        assert not index.needs_rebuild
        assert index.list_models(ListQuery()).total == len(metas)
        whole = index.facets()
        assert sum(whole.model_type.values()) == len(metas)  # from the filled running counts
        found = index.list_models(ListQuery(text="illustrious", sort="relevance"))
        assert found.total == 1  # the full-text index was rebuilt with base_model
        plan = (
            index._conn()
            .execute(  # noqa: SLF001
                "EXPLAIN QUERY PLAN SELECT precision, count(*) FROM models m GROUP BY precision"
            )
            .fetchall()
        )
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert (
        conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'idx_models_facets'"
        ).fetchone()[0]
        == 1
    )
    conn.close()
    assert any("COVERING INDEX" in row[3] for row in plan), plan


def test_running_counts_follow_inserts_edits_and_deletes(tmp_path: Path) -> None:
    from tensorshelf.library.index import facet_combos

    root = tmp_path / "lib"
    built = build_library(root, 30, seed=9)
    rebuild(root, root / MODELS_DB)
    with Index(root / MODELS_DB) as index:
        conn = index._conn()  # noqa: SLF001
        conn.execute("BEGIN")
        conn.execute("UPDATE models SET family = 'edited', rating = 5 WHERE rid % 3 = 0")
        conn.execute("UPDATE models SET precision = NULL WHERE rid % 4 = 0")
        conn.execute("DELETE FROM models WHERE rid % 5 = 0")
        conn.execute("COMMIT")
        kept = sorted(facet_combos.rows(conn), key=repr)
        conn.execute("BEGIN")
        facet_combos.fill(conn)
        fresh = sorted(facet_combos.rows(conn), key=repr)
        conn.execute("ROLLBACK")
        assert kept == fresh
        assert sum(r[-1] for r in kept) == index.list_models(ListQuery()).total < len(built)
        assert (
            index.facets().family.get("edited", 0)
            == index.list_models(ListQuery(family="edited")).total
        )


def test_memory_loads_once_the_library_is_quiet(library: tuple[Path, list], tmp_path: Path) -> None:
    """The first ask starts a load in the background (the counts meanwhile in SQL); a load
    that arrives stale (the library changed during it: an import) makes the next loads wait
    for a second ask at one state, so a library that keeps changing is not reloaded at each
    ask; a load that arrives current makes them eager again."""
    from tensorshelf.library.index.facet_memory import FacetMemory
    from tensorshelf.library.index.store import connect

    root, _metas = library
    db = tmp_path / MODELS_DB
    db.write_bytes((root / MODELS_DB).read_bytes())
    own, writer = connect(db), connect(db)
    commit_while_loading = [False]

    def opener() -> sqlite3.Connection:
        if commit_while_loading[0]:
            writer.execute("UPDATE models SET rating = 3 WHERE rid = 2")
        return connect(db)

    memory = FacetMemory(own, opener)

    def held_after_settling() -> object:
        memory.settle()
        return memory.current()

    try:
        assert memory.current() is None and memory.loading  # first ask: SQL; a load starts
        held = held_after_settling()
        assert held is not None and memory.current() is held
        writer.execute("UPDATE models SET rating = 5 WHERE rid = 1")
        assert memory.current() is None and memory.loading  # changed: SQL; eager, a load
        assert held_after_settling() is not None  # it arrived current
        commit_while_loading[0] = True
        writer.execute("UPDATE models SET rating = 4 WHERE rid = 1")
        assert memory.current() is None and memory.loading  # the library changes during it
        memory.settle()  # arrived stale: loads now wait for a second ask at one state
        commit_while_loading[0] = False
        for rating in (3, 5):  # an import: every ask sees a new state, none loads
            writer.execute(f"UPDATE models SET rating = {rating} WHERE rid = 1")
            assert memory.current() is None and not memory.loading
        assert memory.current() is None and memory.loading  # asked again, unchanged: a load
        held = held_after_settling()
        assert held is not None
        before = sum(held.tag_counts(None).values())
        writer.execute(
            "DELETE FROM tags WHERE (model_id, tag) = (SELECT model_id, tag FROM tags LIMIT 1)"
        )
        assert memory.current() is None and memory.loading  # eager again
        held = held_after_settling()
        assert held is not None and sum(held.tag_counts(None).values()) == before - 1
    finally:
        memory.close()
        writer.close()
