"""The sidebar's counts for the current query, exact and in two queries: faceted search
counts, for each facet, what choosing one of its values would show — every *other* filter
applied. One GROUP BY over the facet columns (a covering index: no wide row is read) gives
each combination of values with its count under the filters that are not facets (search
text, tag, collection, size, dates, apps); each combination is then credited to the facets
whose own filter is the only one it fails (or to all of them when it fails none). With no
filter but facet choices, the combinations come from `facet_combos` (kept by triggers). Tags are
many per model, so they are counted apart, with every filter but the tag applied."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable
from typing import Any

from tensorshelf.error_info import ErrorInfo
from tensorshelf.library.index import facet_combos
from tensorshelf.library.index.columns import (
    FACET_COLUMNS,
    FAVORITE_RATING,
    PROBLEM_STATES,
    nocase,
)
from tensorshelf.library.index.facet_memory import FacetMemory
from tensorshelf.library.index.queries import query_where
from tensorshelf.library.query_models import FacetCounts, ListQuery

FLAGS = ("favorites", "attention", "pending")


def _rids(conn: sqlite3.Connection, where: str, params: list[object]) -> list[int]:
    return [r for (r,) in conn.execute(f"SELECT m.rid FROM models m{where}", params)]


def _by_count(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def facets(
    conn: sqlite3.Connection, query: ListQuery | None = None, memory: FacetMemory | None = None
) -> FacetCounts:
    """With a `memory` holding current facets, a filtered query's matches are counted there
    (see facet_memory); else in SQL."""
    query = query or ListQuery()
    fields = list(FACET_COLUMNS)
    unfaceted = query.model_copy(update={**dict.fromkeys(fields), **dict.fromkeys(FLAGS, False)})
    where, params = query_where(unfaceted)
    matched: list[int] | None = None
    rows: list[tuple[Any, ...]]
    held = memory.current() if where and memory is not None else None
    if held is not None:
        matched = _rids(conn, where, params)
        rows = held.combos(matched)
    elif where:  # a search, a tag, a size …: count the models it keeps
        columns = ", ".join(f"m.{c}" for c in FACET_COLUMNS.values())
        groups = len(fields) + 2
        rows = conn.execute(
            f"SELECT {columns}, m.rating >= ?, m.pending_online_lookup = 1, count(*) "
            f"FROM models m{where} GROUP BY {', '.join(str(i + 1) for i in range(groups))}",
            [FAVORITE_RATING, *params],
        ).fetchall()
    else:  # only facet choices: the running counts hold the answer
        rows = facet_combos.rows(conn)

    wanted = {f: nocase(v) for f in fields if (v := getattr(query, f)) is not None}
    integrity_at = fields.index("integrity")
    tests: dict[str, Callable[[tuple[object, ...]], bool]] = {
        "favorites": lambda row: bool(row[len(fields)]),
        "attention": lambda row: row[integrity_at] in PROBLEM_STATES,
        "pending": lambda row: bool(row[len(fields) + 1]),
    }
    counts: dict[str, Counter[str]] = {f: Counter() for f in fields}
    flags: Counter[str] = Counter()
    for row in rows:
        n = row[-1]
        failing = {
            f
            for i, f in enumerate(fields)
            if f in wanted and (row[i] is None or nocase(str(row[i])) != wanted[f])
        }
        failing |= {flag for flag in FLAGS if getattr(query, flag) and not tests[flag](row)}
        if len(failing) > 1:
            continue
        for i, f in enumerate(fields):
            if row[i] is not None and failing <= {f}:
                counts[f][str(row[i])] += n
        for flag in FLAGS:
            if failing <= {flag} and tests[flag](row):
                flags[flag] += n

    tag_where, tag_params = query_where(query.model_copy(update={"tag": None}))
    if held is not None and matched is not None:  # every filter but the tag, in memory
        if not tag_where:
            tagged = held.tag_counts(None)
        elif query.tag is None and tag_where == where:
            tagged = held.tag_counts(matched)
        else:
            tagged = held.tag_counts(_rids(conn, tag_where, tag_params))
        tags = dict(sorted(tagged.items(), key=lambda kv: (-kv[1], nocase(kv[0]))))
    else:
        members = (
            f" WHERE t.model_id IN (SELECT m.id FROM models m{tag_where})" if tag_where else ""
        )
        tags = dict(
            conn.execute(
                f"SELECT t.tag, count(*) AS n FROM tags t{members} GROUP BY t.tag "
                "ORDER BY n DESC, t.tag",
                tag_params,
            ).fetchall()
        )
    unreadable = [
        ErrorInfo(code=code, message=message, details={"path": path})
        for path, code, message in conn.execute(
            "SELECT path, code, message FROM unreadable ORDER BY path"
        )
    ]
    return FacetCounts(
        **{f: _by_count(c) for f, c in counts.items()},
        tag=tags,
        attention=flags["attention"],
        favorites=flags["favorites"],
        pending=flags["pending"],
        unreadable=unreadable,
    )
