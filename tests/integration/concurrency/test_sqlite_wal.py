"""Processes opening one new SQLite file at the same moment all end up in WAL mode: the raw
switch fails for some of them with "database is locked" (SQLite does not wait for it — two
`tensorshelf import`s started together on a fresh state dir failed so); `enable_wal` waits
its turn; any other error is raised at once."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
import time
from pathlib import Path

import pytest

from tensorshelf.io.sqlite_wal import enable_wal

PROCESSES = 4
ROUNDS = 20
JOIN_TIMEOUT_S = 60
LONG_WAIT_MS = 10_000


def _open_and_switch(path: str, barrier, answers) -> None:  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(path, isolation_level=None)
    barrier.wait()
    try:
        answers.put(enable_wal(conn))
    except sqlite3.Error as exc:  # reported, so the test names it
        answers.put(f"error: {exc}")


def test_processes_opening_a_new_database_together_all_get_wal(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    for round_no in range(ROUNDS):
        path = str(tmp_path / f"fresh{round_no}.db")
        barrier, answers = ctx.Barrier(PROCESSES), ctx.Queue()
        procs = [
            ctx.Process(target=_open_and_switch, args=(path, barrier, answers))
            for _ in range(PROCESSES)
        ]
        for proc in procs:
            proc.start()
        modes = [answers.get(timeout=JOIN_TIMEOUT_S) for _ in procs]
        for proc in procs:
            proc.join(JOIN_TIMEOUT_S)
        assert modes == ["wal"] * PROCESSES, f"round {round_no}: {modes}"


def test_an_existing_wal_database_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "kept.db"
    first = sqlite3.connect(path, isolation_level=None)
    assert enable_wal(first) == "wal"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a writer mid-transaction does not stop a new opener
    try:
        assert enable_wal(sqlite3.connect(path, isolation_level=None), wait_ms=0) == "wal"
    finally:
        holder.execute("ROLLBACK")


def test_an_error_other_than_busy_is_raised_at_once(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        enable_wal(conn, wait_ms=LONG_WAIT_MS)
    assert time.monotonic() - started < LONG_WAIT_MS / 1000 / 2  # not retried


def test_a_database_held_exclusively_past_the_wait_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "held.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE t (x)")
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            enable_wal(conn, wait_ms=50)
    finally:
        holder.execute("ROLLBACK")
