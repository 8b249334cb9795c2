"""The sorted matches of recent list queries, per connection, while models.db is unchanged.

A filtered list is sorted in full once anyway (SQLite sorts every match before it can cut a
page), so its first page keeps the sorted row ids: the total is their number, and the pages
that follow as the list scrolls are a slice plus one primary-key lookup per row. An entry is
valid while neither another connection committed (`PRAGMA data_version`) nor this one wrote
(`total_changes`); the oldest entries go first once `max_rows` ids are held."""

from __future__ import annotations

import sqlite3
from array import array
from collections import OrderedDict
from collections.abc import Sequence

from tensorshelf import settings

_Key = tuple[int, int, str, tuple[object, ...]]


def generation(conn: sqlite3.Connection) -> tuple[int, int]:
    """Changes when another connection committed to the database or this one wrote."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0]), conn.total_changes


class ResultCache:
    """Sorted row ids by (database generation, SQL, parameters), for one connection."""

    def __init__(self, max_rows: int = settings.LIST_CACHE_MAX_ROWS) -> None:
        self._max_rows = max_rows
        self._held = 0
        self._generation = (-1, -1)
        self._entries: OrderedDict[_Key, array[int]] = OrderedDict()

    def ordered_ids(
        self, conn: sqlite3.Connection, sql: str, params: list[object]
    ) -> Sequence[int]:
        """The first column of `sql`'s rows (integers, in order), from the cache if the
        database is as it was when they were read."""
        now = generation(conn)
        if now != self._generation:  # what is held is stale: let it go at once
            self._entries.clear()
            self._held, self._generation = 0, now
        key = (*now, sql, tuple(params))
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        ids = array("q", (row[0] for row in conn.execute(sql, params)))
        self._entries[key] = ids
        self._held += len(ids)
        while self._held > self._max_rows and len(self._entries) > 1:
            _, dropped = self._entries.popitem(last=False)
            self._held -= len(dropped)
        return ids
