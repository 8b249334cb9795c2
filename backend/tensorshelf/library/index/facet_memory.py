"""Every model's facet values and tags, as sets of row ids, held while models.db is
unchanged: the sidebar's counts for a filtered query are counted in memory — a tag filter and
the facet choices need no SQL at all, a search only the narrow SELECT of its matching row ids
— by one set intersection per combination of facet values and per tag (in C), instead of a
GROUP BY that reads each match's wide row and sorts the combinations, and a second pass over
the tags.

One per Index, shared by its threads. Loaded in a background thread, never on a request's
time: at the first ask, unless the last load was already stale when it arrived (the library
kept changing: an import), then only at the second ask at one state; until it is there the
counts come from SQL. The generation test is ResultCache's, on a connection of the memory's
own that only reads, so it changes with every commit of any other. Two grouped scans, most of
their work inside SQLite; a few MB at 50,000 models."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass
from typing import Any

from tensorshelf.library.index.columns import FACET_COLUMNS, FAVORITE_RATING, nocase
from tensorshelf.library.index.result_cache import generation

log = logging.getLogger(__name__)

Combo = tuple[object, ...]  # (facet values…, favorite, pending): facet_counts' row keys

# the rows of each combination of values (a JSON array: one key column to group by)
_COMBOS_SQL = (
    f"SELECT json_array({', '.join(FACET_COLUMNS.values())}, "
    f"coalesce(rating, 0) >= {FAVORITE_RATING}, coalesce(pending_online_lookup, 0) = 1) "
    "AS combo, group_concat(rid) FROM models GROUP BY combo"
)
# the rows of each tag; tags compare as SQLite's NOCASE: one group (and spelling) each
_TAGS_SQL = (
    "SELECT t.tag, group_concat(m.rid) FROM tags t JOIN models m ON m.id = t.model_id "
    "GROUP BY t.tag COLLATE NOCASE"
)


def _rid_set(joined: str) -> frozenset[int]:
    return frozenset(map(int, joined.split(",")))


@dataclass(frozen=True, slots=True)
class HeldFacets:
    """One load: the rows of each combination of facet values, and of each tag."""

    combo_rids: dict[Combo, frozenset[int]]
    tag_rids: dict[str, frozenset[int]]
    spellings: dict[str, str]  # a tag folded as NOCASE → its spelling in tag_rids

    def combos(self, rids: Set[int] | None) -> list[tuple[Any, ...]]:
        """(facet values…, favorite, pending, n) of these rows (None: every model), as
        facet_counts reads them."""
        return [
            (*combo, n)
            for combo, members in self.combo_rids.items()
            if (n := len(members) if rids is None else len(members & rids))
        ]

    def rows_of(self, combos: Iterable[Combo]) -> set[int]:
        """Every row with one of these combinations."""
        return set().union(*(self.combo_rids[c] for c in combos))

    def tagged(self, tag: str) -> frozenset[int]:
        """The rows with `tag` (compared as SQLite's NOCASE)."""
        spelling = self.spellings.get(nocase(tag))
        return frozenset() if spelling is None else self.tag_rids[spelling]

    def tag_counts(self, rids: Set[int] | None) -> Counter[str]:
        """How many of these rows (None: every model) have each tag."""
        return Counter(
            {
                tag: n
                for tag, members in self.tag_rids.items()
                if (n := len(members) if rids is None else len(members & rids))
            }
        )


def read_facets(conn: sqlite3.Connection) -> HeldFacets:
    combos = {tuple(json.loads(key)): _rid_set(rids) for key, rids in conn.execute(_COMBOS_SQL)}
    tags = {tag: _rid_set(rids) for tag, rids in conn.execute(_TAGS_SQL)}
    return HeldFacets(combos, tags, {nocase(tag): tag for tag in tags})


class FacetMemory:
    """The held facets of one Index, current or None (see the module)."""

    def __init__(self, own: sqlite3.Connection, opener: Callable[[], sqlite3.Connection]) -> None:
        self._own = own  # only asked for its generation
        self._opener = opener  # a connection for one load, closed after it
        self._lock = threading.Lock()
        self._held: HeldFacets | None = None
        self._generation = (-1, -1)  # of what is held
        self._asked = (-1, -1)  # of the last ask that found it stale
        self._eager = True  # False once a load arrived stale: wait for a quiet library
        self._loader: threading.Thread | None = None
        self._closed = False

    def current(self) -> HeldFacets | None:
        """What is held, if it is current; else None (count in SQL) — and a load starts in
        the background, unless the last one arrived stale and the library has changed since
        the last ask."""
        with self._lock:
            if self._closed:
                return None
            now = generation(self._own)
            if now == self._generation:
                return self._held
            if (self._eager or now == self._asked) and self._loader is None:
                self._loader = threading.Thread(
                    target=self._load, args=(now,), name="tensorshelf-facets", daemon=True
                )
                self._loader.start()
            self._asked = now
            return None

    @property
    def loading(self) -> bool:
        return self._loader is not None

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
                self._eager = not self._closed and generation(self._own) == wanted
            self._loader = None
