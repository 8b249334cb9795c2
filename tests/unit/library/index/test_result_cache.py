"""Pages of a filtered list cut from its matches sorted once (per connection, while the
database is unchanged): every page, total and sort equals the uncached answer (hypothesis),
and a write on this connection or a commit by another one is seen at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tensorshelf.library.index import queries
from tensorshelf.library.index.result_cache import ResultCache
from tensorshelf.library.index.store import Index, connect
from tensorshelf.library.maintenance.scan import rebuild
from tensorshelf.library.query_models import ListQuery
from tensorshelf.settings import MODELS_DB
from tests.fixtures.library_factory import BuiltModel, build_library

MODELS = 90
SORTS = ("name", "added_date", "size_bytes", "model_type", "family", "rating", "relevance")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[BuiltModel]]:
    root = tmp_path_factory.mktemp("cache") / "lib"
    built = build_library(root, MODELS, seed=9)
    rebuild(root, root / MODELS_DB)
    return root, built


def _ids(page: object) -> list[str]:
    return [m.id for m in page.models]  # type: ignore[attr-defined]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    model_type=st.sampled_from([None, "diffusion", "llm"]),
    tag=st.sampled_from([None, "anime", "realistic", "no-such-tag"]),
    text=st.sampled_from([None, "lora", "sd", "pixel"]),
    sort=st.sampled_from(SORTS),
    descending=st.booleans(),
    offset=st.integers(0, 60),
    limit=st.integers(1, 40),
)
def test_cached_pages_equal_the_uncached_answer(
    library: tuple[Path, list[BuiltModel]],
    model_type: str | None,
    tag: str | None,
    text: str | None,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
) -> None:
    root, _ = library
    query = ListQuery(
        model_type=model_type,
        tag=tag,
        text=text,
        sort=sort,
        descending=descending,
        offset=offset,
        limit=limit,
    )
    conn = connect(root / MODELS_DB)
    try:
        cache = ResultCache()
        plain = queries.list_models(conn, query)
        for _ in range(2):  # computed, then served from the cache
            cached = queries.list_models(conn, query, cache)
            assert cached.total == plain.total
            assert _ids(cached) == _ids(plain)
    finally:
        conn.close()


def test_a_write_on_this_connection_or_another_is_seen_at_once(
    library: tuple[Path, list[BuiltModel]], tmp_path: Path
) -> None:
    root, built = library
    query = ListQuery(model_type="diffusion", sort="name", limit=500)
    with Index(root / MODELS_DB) as index, Index(root / MODELS_DB) as other:
        before = index.list_models(query)
        assert index.list_models(query) == before  # from the cache
        target = next(b for b in built if b.meta.model_type == "diffusion")
        renamed = target.meta.model_copy(update={"name": "!!! first now"})
        index.upsert_model(renamed)  # this connection writes
        page = index.list_models(query)
        assert page.models[0].name == "!!! first now" and page.total == before.total
        other.remove_model(target.meta.id)  # another connection commits
        page = index.list_models(query)
        assert page.total == before.total - 1
        assert target.meta.id not in _ids(page)
        other.upsert_model(target.meta)
        assert index.list_models(query).total == before.total


def test_the_cache_lets_old_entries_go_past_its_size() -> None:
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(100)])
    conn.commit()
    cache = ResultCache(max_rows=150)
    first = list(cache.ordered_ids(conn, "SELECT x FROM t WHERE x >= ? ORDER BY x", [0]))
    assert first == list(range(100))
    cache.ordered_ids(conn, "SELECT x FROM t WHERE x >= ? ORDER BY x", [10])  # 190 held > 150
    assert list(cache.ordered_ids(conn, "SELECT x FROM t WHERE x >= ? ORDER BY x", [0])) == first
    conn.execute("DELETE FROM t WHERE x = 0")  # this connection's own change
    assert cache.ordered_ids(conn, "SELECT x FROM t WHERE x >= ? ORDER BY x", [0])[0] == 1


def test_a_search_asked_again_is_not_ranked_again(library: tuple[Path, list[BuiltModel]]) -> None:
    root, built = library
    conn = connect(root / MODELS_DB)
    ran: list[str] = []
    conn.set_trace_callback(ran.append)
    try:
        cache = ResultCache()
        for query in (ListQuery(text="pixel", sort="relevance"), ListQuery(text="p", limit=5)):
            first = queries.list_models(conn, query, cache)
            matched = sum("MATCH" in sql for sql in ran)
            assert matched >= 2  # counted and ranked (or sorted)
            again = queries.list_models(conn, query, cache)
            assert again == first
            assert sum("MATCH" in sql for sql in ran) == matched  # ids kept: rows read by id
        conn.execute("UPDATE models SET rating = rating")  # this connection writes
        ran.clear()
        queries.list_models(conn, ListQuery(text="pixel", sort="relevance"), cache)
        assert sum("MATCH" in sql for sql in ran) >= 2
    finally:
        conn.close()
