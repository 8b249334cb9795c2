"""Every model's facet values and tags, by row id, held while models.db is unchanged: the
sidebar's counts for a filtered query (a search, a tag, a size…) are the matching row ids
(one narrow SELECT) counted in memory, instead of a GROUP BY that reads each match's wide
row and sorts the combinations, and a second pass over the tags.

One per Index, shared by its threads; loaded when the library is quiet (see `ready`; the
generation test is ResultCache's): two narrow scans, a few MB at 50,000 models (the rows
share a few hundred combination tuples)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable
from itertools import chain
from typing import Any

from tensorshelf.library.index.columns import FACET_COLUMNS, FAVORITE_RATING, nocase
from tensorshelf.library.index.result_cache import generation

Combo = tuple[object, ...]  # (facet values…, favorite, pending): facet_counts' row keys

# each row's combination as one JSON text: 50,000 rows hold a few hundred distinct ones,
# each decoded once (one value per row crosses into Python, not ten)
_FACETS_SQL = (
    f"SELECT rid, id, json_array({', '.join(FACET_COLUMNS.values())}, "
    f"coalesce(rating, 0) >= {FAVORITE_RATING}, coalesce(pending_online_lookup, 0) = 1) "
    "FROM models"
)


class FacetMemory:
    """Combos and tags by row id, shared by every thread of one Index: on a connection of its
    own, which only reads, so its generation changes with every commit of any other."""

    def __init__(self, own: sqlite3.Connection) -> None:
        self._own = own
        self._lock = threading.Lock()
        self._generation = (-1, -1)  # of what is held
        self._asked = (-1, -1)  # of the last call that found it stale
        self._combos: dict[int, Combo] = {}
        self._tags: dict[int, tuple[str, ...]] = {}
        self._all_tags: Counter[str] = Counter()

    def ready(self) -> bool:
        """True when what is held is current — loaded now if the library was already this
        way at the last call (quiet: a search being typed), not while it keeps changing (an
        import: each count goes to SQL rather than to a reload)."""
        with self._lock:
            now = generation(self._own)
            if now == self._generation:
                return True
            if now != self._asked:
                self._asked = now
                return False
            self._load(self._own)
            self._generation = now
            return True

    def close(self) -> None:
        with self._lock:
            self._own.close()

    def _load(self, conn: sqlite3.Connection) -> None:
        combos: dict[int, Combo] = {}
        rid_of: dict[str, int] = {}
        shared: dict[str, Combo] = {}  # one tuple per combination
        for rid, model_id, key in conn.execute(_FACETS_SQL):
            rid_of[model_id] = rid
            combo = shared.get(key)
            if combo is None:
                combo = shared[key] = tuple(json.loads(key))
            combos[rid] = combo
        tags: dict[int, list[str]] = {}
        spelling: dict[str, str] = {}  # tags compare as SQLite's NOCASE: one spelling each
        for model_id, tag in conn.execute("SELECT model_id, tag FROM tags"):
            rid = rid_of.get(model_id)
            if rid is not None:
                tags.setdefault(rid, []).append(spelling.setdefault(nocase(tag), tag))
        self._combos = combos
        self._tags = {rid: tuple(values) for rid, values in tags.items()}
        self._all_tags = Counter(chain.from_iterable(self._tags.values()))

    def combos(self, rids: Iterable[int]) -> list[tuple[Any, ...]]:
        """(facet values…, favorite, pending, n) of these rows, as facet_counts reads them
        (after `ready`)."""
        known = self._combos
        counted = Counter(known[r] for r in rids if r in known)
        return [(*combo, n) for combo, n in counted.items()]

    def tag_counts(self, rids: Iterable[int] | None) -> Counter[str]:
        """How many of these rows (None: every model) have each tag (after `ready`)."""
        if rids is None:
            return self._all_tags
        tags = self._tags
        return Counter(chain.from_iterable(tags.get(r, ()) for r in rids))
