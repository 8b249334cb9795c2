"""The change journal: generations grow, other readers get exactly the newer entries, a
torn last line is skipped, and a reader that fell behind the cut is told to refetch all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensorshelf import settings
from tensorshelf.library.changes import (
    changes_since,
    current_generation,
    ensure_generation_file,
    journal_path,
    record_change,
)


def test_entries_since_a_generation(tmp_path: Path) -> None:
    ensure_generation_file(tmp_path)
    assert current_generation(tmp_path) == 0
    g1 = record_change(tmp_path, "import", {"a": "lora/x/a"})
    g2 = record_change(tmp_path, "delete", {"b": None})
    assert (g1, g2) == (1, 2) and current_generation(tmp_path) == 2
    since = changes_since(tmp_path, 1)
    assert since.complete and since.generation == 2
    assert [(e.reason, e.changes) for e in since.entries] == [("delete", {"b": None})]
    assert all(e.mine for e in since.entries)


def test_a_torn_line_is_skipped(tmp_path: Path) -> None:
    record_change(tmp_path, "import", {"a": "p"})
    with open(journal_path(tmp_path), "ab") as f:
        f.write(b'{"gen": 2, "host"')  # a writer killed mid-append
    assert [e.gen for e in changes_since(tmp_path, 0).entries] == [1]
    assert record_change(tmp_path, "edit", {"a": "p"}) == 2


def test_a_reader_behind_the_cut_must_refetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "CHANGE_JOURNAL_MAX_BYTES", 2_000)
    for n in range(40):
        record_change(tmp_path, "import", {f"id{n}": f"p/{n}"})
    assert journal_path(tmp_path).stat().st_size <= 2_000 * 2
    behind = changes_since(tmp_path, 1)
    assert not behind.complete
    recent = changes_since(tmp_path, 39)
    assert recent.complete and [e.gen for e in recent.entries] == [40]
