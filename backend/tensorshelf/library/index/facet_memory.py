"""Every model's facet values and tags, by row id, held while models.db is unchanged: the
sidebar's counts for a filtered query (a search, a tag, a size…) are the matching row ids
(one narrow SELECT) counted in memory, instead of a GROUP BY that reads each match's wide
row and sorts the combinations, and a second pass over the tags.

One per Index, shared by its threads. Loaded in the background once the library is quiet
(the second ask at one state: a search being typed), never on a request's time — until it is
there, and while the library keeps changing (an import), the counts come from SQL. The
generation test is ResultCache's, on a connection of the memory's own that only reads, so it
changes with every commit of any other. Two narrow scans; a few MB at 50,000 models (the rows
share a few hundred combination tuples)."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from tensorshelf.library.index.columns import FACET_COLUMNS, FAVORITE_RATING, nocase
from tensorshelf.library.index.result_cache import generation

log = logging.getLogger(__name__)

Combo = tuple[object, ...]  # (facet values…, favorite, pending): facet_counts' row keys

# each row's combination as one JSON text: 50,000 rows hold a few hundred distinct ones,
# each decoded once (one value per row crosses into Python, not ten)
_FACETS_SQL = (
    f"SELECT rid, id, json_array({', '.join(FACET_COLUMNS.values())}, "
    f"coalesce(rating, 0) >= {FAVORITE_RATING}, coalesce(pending_online_lookup, 0) = 1) "
    "FROM models"
)


@dataclass(frozen=True, slots=True)
class HeldFacets:
    """One load: every row's combination and tags."""

    by_rid: dict[int, Combo]
    tags: dict[int, tuple[str, ...]]
    all_tags: Counter[str]

    def combos(self, rids: Iterable[int]) -> list[tuple[Any, ...]]:
        """(facet values…, favorite, pending, n) of these rows, as facet_counts reads them."""
        known = self.by_rid
        counted = Counter(known[r] for r in rids if r in known)
        return [(*combo, n) for combo, n in counted.items()]

    def tag_counts(self, rids: Iterable[int] | None) -> Counter[str]:
        """How many of these rows (None: every model) have each tag."""
        if rids is None:
            return self.all_tags
        tags = self.tags
        return Counter(chain.from_iterable(tags.get(r, ()) for r in rids))


def read_facets(conn: sqlite3.Connection) -> HeldFacets:
    by_rid: dict[int, Combo] = {}
    rid_of: dict[str, int] = {}
    shared: dict[str, Combo] = {}  # one tuple per combination
    for rid, model_id, key in conn.execute(_FACETS_SQL):
        rid_of[model_id] = rid
        combo = shared.get(key)
        if combo is None:
            combo = shared[key] = tuple(json.loads(key))
        by_rid[rid] = combo
    lists: dict[int, list[str]] = {}
    spelling: dict[str, str] = {}  # tags compare as SQLite's NOCASE: one spelling each
    for model_id, tag in conn.execute("SELECT model_id, tag FROM tags"):
        rid = rid_of.get(model_id)
        if rid is not None:
            lists.setdefault(rid, []).append(spelling.setdefault(nocase(tag), tag))
    tags = {rid: tuple(values) for rid, values in lists.items()}
    return HeldFacets(by_rid, tags, Counter(chain.from_iterable(tags.values())))


class FacetMemory:
    """The held facets of one Index, current or None (see the module)."""

    def __init__(self, own: sqlite3.Connection, opener: Callable[[], sqlite3.Connection]) -> None:
        self._own = own  # only asked for its generation
        self._opener = opener  # a connection for one load, closed after it
        self._lock = threading.Lock()
        self._held: HeldFacets | None = None
        self._generation = (-1, -1)  # of what is held
        self._asked = (-1, -1)  # of the last ask that found it stale
        self._loader: threading.Thread | None = None
        self._closed = False

    def current(self) -> HeldFacets | None:
        """What is held, if it is current; else None (count in SQL) — and, when the library
        was already this way at the last ask, a load starts in the background."""
        with self._lock:
            if self._closed:
                return None
            now = generation(self._own)
            if now == self._generation:
                return self._held
            if now == self._asked and self._loader is None:
                self._loader = threading.Thread(
                    target=self._load, args=(now,), name="tensorshelf-facets", daemon=True
                )
                self._loader.start()
            self._asked = now
            return None

    def settle(self, timeout: float | None = None) -> None:
        """Wait for a load in flight, if any (tests; close)."""
        loader = self._loader
        if loader is not None:
            loader.join(timeout)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self.settle()
        with self._lock:
            self._own.close()

    def _load(self, wanted: tuple[int, int]) -> None:
        held: HeldFacets | None = None
        try:
            conn = self._opener()
            try:
                held = read_facets(conn)
            finally:
                conn.close()
        except (sqlite3.Error, OSError) as exc:  # the counts simply stay in SQL
            log.warning("facet counts not held in memory: %s", exc)
        with self._lock:
            if held is not None:
                # labelled with the state seen before the load: a commit during it makes
                # the next ask stale again (a newer load, never an older one kept)
                self._held, self._generation = held, wanted
            self._loader = None
