"""The SQL behind list, search and facets: filters, sort, paging and the total all in SQL
(anchor-lessons: totals were page lengths and tag filters ran after LIMIT)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from tensorshelf import settings
from tensorshelf.detect.vocabulary import FAMILY_ALIAS_MAX_WORDS, family_alias, normalise_subtype
from tensorshelf.library.index.columns import FACET_COLUMNS, FAVORITE_RATING, PROBLEM_STATES
from tensorshelf.library.index.result_cache import ResultCache
from tensorshelf.library.index.schema import MODEL_SEARCH
from tensorshelf.library.metadata.document import Hashes
from tensorshelf.library.models import MappableFile, MappableModel
from tensorshelf.library.query_models import (
    GrowthRow,
    LibraryStats,
    ListQuery,
    ModelPage,
    ModelSummary,
    UsageRow,
)
from tensorshelf.search.fts import match_clause, rank_expression, ranked_rows_sql
from tensorshelf.search.query import build_match_query, query_terms

_PROBLEM_MARKS = ", ".join("?" for _ in PROBLEM_STATES)

# Sort field → the columns it orders by (each in the requested direction); "model_type"
# groups by subtype within a type, the way the list shows the kind of a model.
_SORT_EXPRESSIONS: dict[str, tuple[str, ...]] = {
    "name": ("m.name COLLATE NOCASE",),
    "added_date": ("m.added_date",),
    "size_bytes": ("m.size_bytes",),
    "model_type": ("m.model_type", "m.subtype"),
    "family": ("m.family",),
    "subtype": ("m.subtype",),
    "precision": ("m.precision",),
    "rating": ("m.rating",),
}
_SUMMARY_SELECT = (
    "m.id, m.path, m.name, m.model_type, m.subtype, m.family, m.model_format, "
    "m.format, m.precision, m.size_bytes, m.sha256, m.blake3, m.tags_json, "
    "m.repo_id, m.match_method, m.security_tier, m.rating, m.added_date, m.integrity_state, "
    "m.hash_mismatch, m.pending_online_lookup"
)


class NamedTerm(NamedTuple):
    """Words of a search that name a kind of model ("lora", "unet") or a family ("SD 1.5",
    "Flux.1"): they find models of it, or whose text holds the words themselves."""

    column: str  # "subtype" | "family"
    value: str
    words: str  # as typed
    phrase: str  # their own FTS match


def named_terms(text: str | None) -> tuple[list[NamedTerm], str | None]:
    """The kind and family names in `text` (a family's up to FAMILY_ALIAS_MAX_WORDS words,
    longest first), and the text left without them. A word that already is the family id's
    own token ("sdxl", "sd1") is left to the word search."""
    # hash terms are matched apart (hash_terms)
    words = [w for w in (text or "").split() if not _HASH_TERM.fullmatch(w)]
    words = words[: settings.SEARCH_MAX_TERMS]
    named: list[NamedTerm] = []
    rest: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(FAMILY_ALIAS_MAX_WORDS, len(words) - i), 0, -1):
            window = " ".join(words[i : i + n])
            phrase = build_match_query(window)
            if phrase is None:
                continue
            family = family_alias(window)
            tokens = [t.lower() for term in query_terms(window) for t in term]
            if family is not None and tokens != [family]:
                named.append(NamedTerm("family", family, window, phrase))
                break
            subtype = normalise_subtype(window) if n == 1 else None
            if subtype is not None:
                named.append(NamedTerm("subtype", subtype, window, phrase))
                break
        else:
            rest.append(words[i])
            n = 1
        i += n
    return named, " ".join(rest) or None


def _words_match(query: ListQuery) -> str | None:
    """The FTS match of the search words left once kinds, families and hashes are apart."""
    return build_match_query(named_terms(query.text)[1])


_HASH_TERM = re.compile(r"(sha256|blake3):([0-9a-fA-F]{6,64})")


def hash_terms(text: str | None) -> list[tuple[str, str]]:
    """`sha256:ab12…` / `blake3:…` terms as (column, lower-case hex prefix)."""
    found = []
    for raw in (text or "").split():
        m = _HASH_TERM.fullmatch(raw)
        if m:
            found.append((m.group(1).lower(), m.group(2).lower()))
    return found


def where_clause(query: ListQuery, match: str | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    for column, prefix in hash_terms(query.text):  # a model by (a prefix of) its hash
        # a range over lower-case hex (every continuation sorts below "g"): an index seek
        clauses.append(f"m.{column} >= ? AND m.{column} < ?")
        params.extend([prefix, prefix + "g"])
    for term in named_terms(query.text)[0]:  # that kind or family, or a name holding it
        clauses.append(
            f"(m.{term.column} = ? COLLATE NOCASE OR {match_clause(MODEL_SEARCH, 'm.rid')})"
        )
        params.extend([term.value, term.phrase])
    for field, column in FACET_COLUMNS.items():
        value = getattr(query, field)
        if value is not None:
            clauses.append(f"m.{column} = ? COLLATE NOCASE")
            params.append(value)
    if query.tag is not None:
        clauses.append("m.id IN (SELECT t.model_id FROM tags t WHERE t.tag = ?)")
        params.append(query.tag)
    if query.favorites:
        clauses.append("m.rating >= ?")
        params.append(FAVORITE_RATING)
    if query.collection is not None:
        clauses.append("m.id IN (SELECT c.model_id FROM collections c WHERE c.name = ?)")
        params.append(query.collection)
    if query.pending:
        clauses.append("m.pending_online_lookup = 1")
    preset_min, preset_max = settings.SIZE_PRESETS[query.size] if query.size else (None, None)
    days = settings.ADDED_PRESET_DAYS[query.added] if query.added else None
    for column, op, value in (
        ("size_bytes", ">=", query.size_min),
        ("size_bytes", "<=", query.size_max),
        ("size_bytes", ">=", preset_min),
        ("size_bytes", "<=", preset_max),
        ("added_date", ">=", query.added_after),
        ("added_date", "<", query.added_before),
        ("added_date", ">=", None if days is None else _days_ago(days)),
    ):
        if value is not None:
            clauses.append(f"m.{column} {op} ?")
            params.append(value)
    for ids, negate in ((query._linked_ids, ""), (query._unlinked_ids, "NOT ")):
        if ids is not None:  # the mapping layer's answer, as one JSON array parameter
            clauses.append(f"m.id {negate}IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(ids))
    if query.attention:
        clauses.append(f"m.integrity_state IN ({_PROBLEM_MARKS})")
        params.extend(PROBLEM_STATES)
    if match is not None:
        clauses.append(match_clause(MODEL_SEARCH, "m.rid"))
        params.append(match)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _days_ago(days: int) -> str:
    """The UTC date `days` before today, as `added_date` compares (ISO text)."""
    return (datetime.now(UTC).date() - timedelta(days=days)).isoformat()


def _summary(row: tuple[Any, ...]) -> ModelSummary:
    (
        id_,
        path,
        name,
        model_type,
        subtype,
        family,
        model_format,
        fmt,
        precision,
        size,
        sha256,
        blake3,
        tags_json,
        repo_id,
        match_method,
        tier,
        rating,
        added,
        integrity,
        mismatch,
        pending,
    ) = row
    return ModelSummary(
        id=id_,
        path=path,
        name=name,
        model_type=model_type or "other",
        subtype=subtype,
        family=family,
        model_format=model_format or "single-file",
        format=fmt,
        precision=precision,
        size_bytes=size or 0,
        hashes=Hashes(sha256=sha256, blake3=blake3) if sha256 else None,
        tags=json.loads(tags_json) if tags_json else [],
        repo_id=repo_id,
        match_method=match_method or "none",
        security_tier=tier or "unknown",
        rating=rating or 0,
        added_date=added or "",
        integrity=integrity or "unverified",
        hash_mismatch=bool(mismatch),
        pending_lookup=bool(pending),
    )


def list_models(
    conn: sqlite3.Connection, query: ListQuery, cache: ResultCache | None = None
) -> ModelPage:
    """One page of models matching `query`, and how many match in all. With a `cache`, a
    search's page asked again is read from the ids kept for it, and a filtered query's
    pages are cut from its matches sorted once."""
    match = _words_match(query)
    where, params = where_clause(query, match)
    direction = "DESC" if query.descending else "ASC"
    count_sql, count_params = f"SELECT count(*) FROM models m{where}", params
    # a filtered list is sorted in full once (SQLite sorts every match before it can cut a
    # page anyway) and its pages, the first too, are cut from the ids kept
    sort_every = bool(where)
    if query.sort == "relevance" and match is not None:
        table = MODEL_SEARCH.table
        if _text_alone(query):
            # the text alone: counted, ranked and the page cut inside FTS
            count_sql = f"SELECT count(*) FROM {table} WHERE {table} MATCH ?"
            count_params = [match]
            ordered = (
                f"SELECT rowid FROM {table} WHERE {table} MATCH ? "
                f"ORDER BY {rank_expression(MODEL_SEARCH)} {direction}, rowid"
            )
            ordered_params: list[object] = [match]
            sort_every = False  # a top-k sort inside FTS; the page is kept, not every match
        else:
            # the join already keeps matches only: the WHERE needs no second MATCH
            others, other_params = where_clause(query, None)
            ordered = (
                f"SELECT m.rid FROM models m JOIN ({ranked_rows_sql(MODEL_SEARCH)}) s "
                f"ON s.rowid = m.rid{others} ORDER BY s.score {direction}, m.rid"
            )
            ordered_params = [match, *other_params]
    else:
        columns = _SORT_EXPRESSIONS.get(query.sort, _SORT_EXPRESSIONS["name"])
        order = ", ".join(f"{column} {direction}" for column in (*columns, "m.id"))
        ordered = f"SELECT m.rid FROM models m{where} ORDER BY {order}"
        ordered_params = params
    rids: Sequence[int]
    if cache is None or not sort_every:
        # one page: its row ids found in a top-k sort (in FTS, or in the narrow facets index
        # when unfiltered), the total counted apart, only the page's own rows read in full
        total, rids = _page_ids(
            conn,
            cache,
            f"{ordered} LIMIT ? OFFSET ?",
            [*ordered_params, query.limit, query.offset],
            count_sql,
            count_params,
        )
    else:
        every = cache.ordered_ids(conn, ordered, ordered_params)
        total, rids = len(every), every[query.offset : query.offset + query.limit]
    return ModelPage(total=total, models=[_summary(r) for r in _rows_by_rid(conn, list(rids))])


def _page_ids(
    conn: sqlite3.Connection,
    cache: ResultCache | None,
    page_sql: str,
    page_params: list[object],
    count_sql: str,
    count_params: list[object],
) -> tuple[int, Sequence[int]]:
    """(total, the page's row ids in order), kept in `cache` for the next time it is asked."""
    found = cache.page(conn, page_sql, page_params) if cache is not None else None
    if found is not None:
        return found
    total = int(conn.execute(count_sql, count_params).fetchone()[0])
    rids = [int(r[0]) for r in conn.execute(page_sql, page_params)]
    if cache is not None:
        cache.keep(conn, page_sql, page_params, total, rids)
    return total, rids


def _rows_by_rid(conn: sqlite3.Connection, rids: list[int]) -> list[tuple[Any, ...]]:
    """The summary rows of these row ids, in their order."""
    if not rids:
        return []
    marks = ", ".join("?" for _ in rids)
    found = {
        row[-1]: row[:-1]
        for row in conn.execute(
            f"SELECT {_SUMMARY_SELECT}, m.rid FROM models m WHERE m.rid IN ({marks})", rids
        )
    }
    return [found[rid] for rid in rids if rid in found]


def _text_alone(query: ListQuery) -> bool:
    """Whether `query` is search text alone, all of it matched inside FTS (no kind word, no
    hash term: those filter outside it), with no other filter."""
    if hash_terms(query.text) or named_terms(query.text)[0]:
        return False
    return not where_clause(query.model_copy(update={"text": None}), None)[0]


def matching_rids(conn: sqlite3.Connection, query: ListQuery) -> list[int]:
    """The row id of every model matching `query`, in no order; search text alone is read
    from the FTS index only."""
    match = _words_match(query)
    params: list[object]
    if match is not None and _text_alone(query):
        table = MODEL_SEARCH.table
        sql, params = f"SELECT rowid FROM {table} WHERE {table} MATCH ?", [match]
    else:
        where, params = where_clause(query, match)
        sql = f"SELECT m.rid FROM models m{where}"
    return [rid for (rid,) in conn.execute(sql, params)]


def model_ids(conn: sqlite3.Connection, query: ListQuery) -> list[str]:
    """The id of every model matching `query` (the window's "select all results"), in the
    query's order by name — no paging."""
    where, params = where_clause(query, _words_match(query))
    rows = conn.execute(
        f"SELECT m.id FROM models m{where} ORDER BY m.name COLLATE NOCASE, m.id", params
    )
    return [r[0] for r in rows]


def query_where(query: ListQuery) -> tuple[str, list[object]]:
    """The WHERE clause (and its parameters) of everything `query` filters on."""
    return where_clause(query, _words_match(query))


def mappable_models(conn: sqlite3.Connection, ids: list[str] | None) -> list[MappableModel]:
    """What the mapping layer needs of each model (all, or those of `ids`), with its files,
    in one pass over the index (no metadata.json is read)."""
    where, params = "", []
    if ids is not None:
        if not ids:
            return []
        where = f" WHERE m.id IN ({', '.join('?' for _ in ids)})"
        params = list(ids)
    models: dict[str, MappableModel] = {}
    for row in conn.execute(
        "SELECT m.id, m.path, m.name, m.model_type, m.subtype, m.family, m.model_format, "
        f"m.format, m.tags_json, m.size_bytes, m.sha256, m.repo_id FROM models m{where} "
        "ORDER BY m.id",
        params,
    ):
        models[row[0]] = MappableModel(
            id=row[0],
            path=row[1],
            name=row[2],
            model_type=row[3] or "other",
            subtype=row[4],
            family=row[5],
            model_format=row[6] or "single-file",
            format=row[7],
            tags=json.loads(row[8]) if row[8] else [],
            size_bytes=row[9] or 0,
            sha256=row[10],
            repo_id=row[11],
        )
    file_where = where.replace("m.id", "model_id")
    for model_id, path, role, sha256 in conn.execute(
        f"SELECT model_id, path, role, sha256 FROM files{file_where} ORDER BY model_id, path",
        params,
    ):
        model = models.get(model_id)
        if model is not None:
            model.files.append(MappableFile(path=path, role=role or "", sha256=sha256))
    return list(models.values())


def _usage(conn: sqlite3.Connection, column: str) -> list[UsageRow]:
    rows = conn.execute(
        f"SELECT coalesce(m.{column}, 'unknown'), count(*), coalesce(sum(m.size_bytes), 0) "
        f"FROM models m GROUP BY 1 ORDER BY 3 DESC, 1"
    )
    return [UsageRow(key=str(k), models=n, bytes=b) for k, n, b in rows]


def statistics(conn: sqlite3.Connection, largest: int) -> LibraryStats:
    """Disk use per type / family / format, the largest models and growth per month — a
    few GROUP BYs over the index (no metadata.json is read)."""
    models, size = conn.execute(
        "SELECT count(*), coalesce(sum(size_bytes), 0) FROM models"
    ).fetchone()
    top = conn.execute(
        f"SELECT {_SUMMARY_SELECT} FROM models m ORDER BY m.size_bytes DESC, m.id LIMIT ?",
        (largest,),
    ).fetchall()
    growth: list[GrowthRow] = []
    total = 0
    for month, n, b in conn.execute(
        "SELECT substr(added_date, 1, 7), count(*), coalesce(sum(size_bytes), 0) FROM models "
        "GROUP BY 1 ORDER BY 1"
    ):
        total += b
        growth.append(GrowthRow(month=month or "unknown", models=n, bytes=b, total_bytes=total))
    return LibraryStats(
        models=models,
        bytes=size,
        by_type=_usage(conn, "model_type"),
        by_kind=_usage(conn, "subtype"),
        by_family=_usage(conn, "family"),
        by_format=_usage(conn, "format"),
        largest=[_summary(r) for r in top],
        growth=growth,
    )
