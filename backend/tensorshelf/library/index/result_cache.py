"""The answers of recent list queries, per connection, while models.db is unchanged.

Two kinds of entry, both row ids in order: a filtered list's matches sorted in full (SQLite
sorts every match before it can cut a page anyway, so the pages that follow as the list
scrolls are a slice plus one primary-key lookup per row), and one page with the total it was
counted with (a search asked again — the search box's backspace, the window's refresh after
an event — is a primary-key lookup per row, not a second ranking of every match). An entry
is valid while neither another connection committed (`PRAGMA data_version`) nor this one
wrote (`total_changes`); the oldest entries go first once `max_rows` ids are held."""

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
    """Row ids in order (and their total) by (database generation, SQL, parameters), for one
    connection."""

    def __init__(self, max_rows: int = settings.LIST_CACHE_MAX_ROWS) -> None:
        self._max_rows = max_rows
        self._held = 0
        self._generation = (-1, -1)
        self._entries: OrderedDict[_Key, tuple[int, array[int]]] = OrderedDict()

    def ordered_ids(
        self, conn: sqlite3.Connection, sql: str, params: list[object]
    ) -> Sequence[int]:
        """The first column of `sql`'s rows (integers, in order), from the cache if the
        database is as it was when they were read."""
        found = self.page(conn, sql, params)
        if found is not None:
            return found[1]
        ids = array("q", (row[0] for row in conn.execute(sql, params)))
        self.keep(conn, sql, params, len(ids), ids)
        return ids

    def page(
        self, conn: sqlite3.Connection, sql: str, params: list[object]
    ) -> tuple[int, Sequence[int]] | None:
        """(total, row ids) kept for `sql` with `params`, if the database is unchanged since."""
        key = (*self._now(conn), sql, tuple(params))
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def keep(
        self,
        conn: sqlite3.Connection,
        sql: str,
        params: list[object],
        total: int,
        ids: Sequence[int],
    ) -> None:
        """Remember the answer to `sql` with `params`, read in this generation."""
        held = ids if isinstance(ids, array) else array("q", ids)
        key = (*self._now(conn), sql, tuple(params))
        previous = self._entries.pop(key, None)
        if previous is not None:
            self._held -= len(previous[1])
        self._entries[key] = (total, held)
        self._held += len(held)
        while self._held > self._max_rows and len(self._entries) > 1:
            _, (_, dropped) = self._entries.popitem(last=False)
            self._held -= len(dropped)

    def _now(self, conn: sqlite3.Connection) -> tuple[int, int]:
        """The database's generation; what is held from an older one is let go at once."""
        now = generation(conn)
        if now != self._generation:
            self._entries.clear()
            self._held, self._generation = 0, now
        return now
