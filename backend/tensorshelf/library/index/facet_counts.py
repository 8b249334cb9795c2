"""The sidebar's counts for the current query, exact and in two queries: faceted search
counts, for each facet, what choosing one of its values would show — every *other* filter
applied. One GROUP BY over the facet columns (a covering index: no wide row is read) gives
each combination of values with its count under the filters that are not facets (search
text, tag, collection, size, dates, apps); each combination is then credited to the facets
whose own filter is the only one it fails (or to all of them when it fails none). With no
filter but facet choices, the combinations come from `facet_combos` (kept by triggers). Tags are
many per model, so they are counted apart, with every filter but the tag applied. While the
library is unchanged, all of it is counted in `facet_memory` instead: only a search's
matching row ids come from SQL."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Set
from typing import Any

from tensorshelf.error_info import ErrorInfo
from tensorshelf.library.index import facet_combos
from tensorshelf.library.index.columns import (
    FACET_COLUMNS,
    FAVORITE_RATING,
    PROBLEM_STATES,
    nocase,
)
from tensorshelf.library.index.facet_memory import FacetMemory, HeldFacets
from tensorshelf.library.index.queries import matching_rids, query_where
from tensorshelf.library.query_models import FacetCounts, ListQuery

FLAGS = ("favorites", "attention", "pending")
FIELDS = tuple(FACET_COLUMNS)
_INTEGRITY_AT = FIELDS.index("integrity")
_FLAG_TESTS: dict[str, Callable[[tuple[object, ...]], bool]] = {
    "favorites": lambda row: bool(row[len(FIELDS)]),
    "attention": lambda row: row[_INTEGRITY_AT] in PROBLEM_STATES,
    "pending": lambda row: bool(row[len(FIELDS) + 1]),
}


class _Choices:
    """The query's facet choices and flags, tested against one combination of values."""

    def __init__(self, query: ListQuery) -> None:
        self.values = {f: nocase(v) for f in FIELDS if (v := getattr(query, f)) is not None}
        self.flags = [flag for flag in FLAGS if getattr(query, flag)]

    def failing(self, row: tuple[object, ...]) -> set[str]:
        """The choices (facets and flags) this combination does not meet."""
        failed = {
            f
            for i, f in enumerate(FIELDS)
            if f in self.values and (row[i] is None or nocase(str(row[i])) != self.values[f])
        }
        return failed | {flag for flag in self.flags if not _FLAG_TESTS[flag](row)}

    def met(self, row: tuple[object, ...]) -> bool:
        return not self.failing(row)


def _by_count(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _in_memory(
    conn: sqlite3.Connection,
    query: ListQuery,
    unfaceted: ListQuery,
    choices: _Choices,
    held: HeldFacets,
) -> tuple[list[tuple[Any, ...]], Counter[str]]:
    """The combinations the non-facet filters keep, and the tag counts under every filter but
    the tag: the tag's rows are held, only other filters (a search …) ask SQL for row ids."""
    others = unfaceted.model_copy(update={"tag": None})
    kept = set(matching_rids(conn, others)) if query_where(others)[0] else None  # None: all
    matched: Set[int] | None = kept
    if query.tag is not None:
        tagged = held.tagged(query.tag)
        matched = tagged if kept is None else tagged & kept
    rows = held.combos(matched)
    if choices.values or choices.flags:  # the tags: within the combinations chosen
        chosen = held.rows_of(c for c in held.combo_rids if choices.met(c))
        tags = held.tag_counts(chosen if kept is None else chosen & kept)
    else:
        tags = held.tag_counts(kept)
    return rows, tags


def _in_sql(
    conn: sqlite3.Connection, query: ListQuery, where: str, params: list[object]
) -> tuple[list[tuple[Any, ...]], Counter[str]]:
    if where:  # a search, a tag, a size …: count the models it keeps
        columns = ", ".join(f"m.{c}" for c in FACET_COLUMNS.values())
        groups = len(FIELDS) + 2
        rows = conn.execute(
            f"SELECT {columns}, m.rating >= ?, m.pending_online_lookup = 1, count(*) "
            f"FROM models m{where} GROUP BY {', '.join(str(i + 1) for i in range(groups))}",
            [FAVORITE_RATING, *params],
        ).fetchall()
    else:  # only facet choices: the running counts hold the answer
        rows = facet_combos.rows(conn)
    tag_where, tag_params = query_where(query.model_copy(update={"tag": None}))
    members = f" WHERE t.model_id IN (SELECT m.id FROM models m{tag_where})" if tag_where else ""
    tags = Counter(
        dict(
            conn.execute(
                f"SELECT t.tag, count(*) AS n FROM tags t{members} GROUP BY t.tag", tag_params
            ).fetchall()
        )
    )
    return rows, tags


def facets(
    conn: sqlite3.Connection, query: ListQuery | None = None, memory: FacetMemory | None = None
) -> FacetCounts:
    """With a `memory` holding current facets, the counts are made there (see facet_memory);
    else in SQL."""
    query = query or ListQuery()
    unfaceted = query.model_copy(update={**dict.fromkeys(FIELDS), **dict.fromkeys(FLAGS, False)})
    where, params = query_where(unfaceted)
    choices = _Choices(query)
    held = memory.current() if memory is not None else None
    if held is not None:
        rows, tagged = _in_memory(conn, query, unfaceted, choices, held)
    else:
        rows, tagged = _in_sql(conn, query, where, params)
    counts: dict[str, Counter[str]] = {f: Counter() for f in FIELDS}
    flags: Counter[str] = Counter()
    for row in rows:
        n = row[-1]
        failing = choices.failing(row)
        if len(failing) > 1:
            continue
        for i, f in enumerate(FIELDS):
            if row[i] is not None and failing <= {f}:
                counts[f][str(row[i])] += n
        for flag in FLAGS:
            if failing <= {flag} and _FLAG_TESTS[flag](row):
                flags[flag] += n
    unreadable = [
        ErrorInfo(code=code, message=message, details={"path": path})
        for path, code, message in conn.execute(
            "SELECT path, code, message FROM unreadable ORDER BY path"
        )
    ]
    return FacetCounts(
        **{f: _by_count(c) for f, c in counts.items()},
        tag=dict(sorted(tagged.items(), key=lambda kv: (-kv[1], nocase(kv[0])))),
        attention=flags["attention"],
        favorites=flags["favorites"],
        pending=flags["pending"],
        unreadable=unreadable,
    )
