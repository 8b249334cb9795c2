"""Deep scan (rebuild): identical listing after deleting models.db, corrupt metadata and
phantoms reported, progress, cancel, and an atomic swap under live readers."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tensorshelf.errors import ModelNotFound, OperationCancelled
from tensorshelf.io.types import CancelToken
from tensorshelf.library.index.store import Index
from tensorshelf.library.index.swap import sweep_stale_rebuilds
from tensorshelf.library.maintenance.scan import rebuild, scan
from tensorshelf.library.query_models import ListQuery
from tensorshelf.settings import METADATA_FILE, MODELS_DB
from tests.fixtures.library_factory import build_library


def _listing(index: Index) -> list[tuple]:
    page = index.list_models(ListQuery(limit=100_000))
    assert page.total == len(page.models)
    return [
        (m.id, m.path, m.name, m.hashes, m.tags, m.size_bytes, m.family, m.subtype)
        for m in page.models
    ]


def _files(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT model_id, path, size, sha256, blake3, role FROM files ORDER BY model_id, path"
        ).fetchall()


@pytest.fixture
def lib(tmp_path: Path):
    root = tmp_path / "lib"
    return root, build_library(root, 40)


def test_delete_db_then_rebuild_gives_identical_listing(lib) -> None:
    root, built = lib
    db = root / MODELS_DB
    with Index(db) as index:
        scan(root, index)  # the incremental path builds the same index
        before, before_files = _listing(index), _files(db)
    assert len(before) == 40
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    report = rebuild(root, db)
    assert (report.models_found, report.models_indexed) == (40, 40)
    assert report.errors == [] and report.phantoms == []
    with Index(db) as index:
        assert _listing(index) == before
        assert not index.needs_rebuild
        index._conn().execute(
            "INSERT INTO model_search(model_search, rank) VALUES ('integrity-check', 1)"
        )
    assert _files(db) == before_files
    expected = {(b.meta.id, b.meta.path, b.meta.hashes.sha256) for b in built}
    assert {(m[0], m[1], m[3].sha256) for m in before} == expected


def test_corrupt_metadata_reported_by_path_others_indexed(lib) -> None:
    root, built = lib
    bad = built[3].dir / METADATA_FILE
    bad.write_bytes(b"\xff\xfe not utf8")
    invalid = built[9].dir / METADATA_FILE
    invalid.write_text('{"id": 5}')
    report = rebuild(root, root / MODELS_DB)
    assert sorted(e.details["path"] for e in report.errors) == sorted([str(bad), str(invalid)])
    assert report.models_found == 40 and report.models_indexed == 38
    with Index(root / MODELS_DB) as index:
        assert index.count() == 38


def test_deleted_shard_is_a_phantom_and_not_indexed(lib) -> None:
    root, built = lib
    sharded = next(b for b in built if b.meta.model_format == "sharded-set")
    shard = next(f for f in sharded.meta.files if f.shard_index == 1)
    (sharded.dir / shard.path).unlink()
    report = rebuild(root, root / MODELS_DB)
    assert report.phantoms == [sharded.meta.path]
    assert report.models_indexed == 39
    with Index(root / MODELS_DB) as index, pytest.raises(ModelNotFound):
        index.resolve_ref(sharded.meta.id)


def test_progress_reports_done_and_total(lib) -> None:
    root, _built = lib
    calls: list[tuple[int, int]] = []
    rebuild(root, root / MODELS_DB, on_progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, 40) and calls[-1] == (40, 40)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_cancel_leaves_the_old_index_untouched(lib) -> None:
    root, _built = lib
    db = root / MODELS_DB
    rebuild(root, db)
    build_library(root, 5, start=500)
    token = CancelToken()

    def progress(done: int, total: int) -> None:
        if done == 20:
            token.cancel()

    with pytest.raises(OperationCancelled):
        rebuild(root, db, on_progress=progress, cancel=token)
    with Index(db) as index:
        assert index.count() == 40
    assert [p.name for p in root.iterdir() if ".rebuild-" in p.name] == []


def test_swap_under_a_live_reader_and_writer_connection(lib) -> None:
    root, built = lib
    db = root / MODELS_DB
    rebuild(root, db)
    index = Index(db)
    assert index.count() == 40
    conn = index._conn()
    conn.execute("BEGIN")  # a reader in the middle of a snapshot
    assert conn.execute("SELECT count(*) FROM models").fetchone()[0] == 40
    build_library(root, 3, start=900)
    done = threading.Event()
    report = []
    worker = threading.Thread(target=lambda: (report.append(rebuild(root, db)), done.set()))
    worker.start()
    worker.join(timeout=60)
    assert done.is_set() and report[0].models_indexed == 43
    # the open snapshot still sees the old index …
    assert conn.execute("SELECT count(*) FROM models").fetchone()[0] == 40
    conn.execute("COMMIT")
    # … and the same Index object sees the new one afterwards, without reopening
    assert index.count() == 43
    index.upsert_model(built[0].meta.model_copy(update={"name": "After Swap"}))
    assert index.list_models(ListQuery(text="After Swap")).total == 1
    index.close()
    with Index(db) as fresh:  # and the write went to the new index, not a stale file
        assert fresh.list_models(ListQuery(text="After Swap")).total == 1
        assert fresh._conn().execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_rebuild_replaces_a_corrupt_models_db(lib) -> None:
    root, _built = lib
    db = root / MODELS_DB
    db.write_bytes(b"this is not a database" * 100)
    report = rebuild(root, db)
    assert report.models_indexed == 40
    with Index(db) as index:
        assert index.count() == 40


def test_stale_temp_databases_of_dead_processes_are_swept(tmp_path: Path) -> None:
    db = tmp_path / MODELS_DB
    dead = tmp_path / f"{MODELS_DB}.rebuild-999999999-abcd.tmp"
    dead.write_bytes(b"x")
    assert sweep_stale_rebuilds(db) == [dead] and not dead.exists()
