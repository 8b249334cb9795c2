"""Incremental scan's folder stamps: a model dir unchanged since the last scan (its own stamp
and its metadata.json's) is neither listed nor are its weights stat()ed again, yet every
change a user can make to it is still seen."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from tensorshelf.library.index.schema import ESSENTIAL_ROLES
from tensorshelf.library.index.store import Index
from tensorshelf.library.maintenance.scan import scan
from tensorshelf.library.query_models import ListQuery
from tensorshelf.settings import METADATA_FILE, MODELS_DB
from tests.fixtures.audit_paths import AuditPaths
from tests.fixtures.library_factory import BuiltModel, build_library

HOUR_NS = 3600 * 1_000_000_000


LISTINGS = AuditPaths("os.scandir")  # every dir listed through os.scandir


def _age(model_dir: Path) -> None:
    """Set the dir's and its sub-folders' mtimes an hour back (past the settle window), as a
    library untouched since yesterday has them."""
    old = time.time_ns() - HOUR_NS
    for path in [model_dir, *(p for p in model_dir.rglob("*") if p.is_dir())]:
        os.utime(path, ns=(old, old))


@pytest.fixture
def settled(tmp_path: Path):
    """A library scanned once with every dir aged: its folder stamps are recorded."""
    root = tmp_path / "lib"
    built = build_library(root, 30)
    for b in built:
        _age(b.dir)
    index = Index(root / MODELS_DB)
    assert len(scan(root, index).added) == len(built)  # new dirs: stamped on the next scan
    assert scan(root, index).unchanged == len(built)
    yield root, built, index
    index.close()


def _model_dirs_listed(built: list[BuiltModel]) -> set[str]:
    dirs = {str(b.dir) for b in built}
    return {p for p in LISTINGS.paths if p in dirs}


def _ids(index: Index) -> set[str]:
    return {m.id for m in index.list_models(ListQuery(limit=1000)).models}


def test_an_unchanged_library_lists_no_model_dir(settled) -> None:
    root, built, index = settled
    with LISTINGS:
        report = scan(root, index)
    assert report.unchanged == len(built)
    assert report.added == report.updated == report.removed == report.phantoms == []
    assert _model_dirs_listed(built) == set()
    assert LISTINGS.paths  # the hook does see listings: the library's own dirs were listed


def test_recently_changed_dirs_are_listed_until_they_settle(tmp_path: Path) -> None:
    """A dir whose mtime is within the settle window may still change unseen within the same
    timestamp tick (2 s on FAT), so its stamp is not trusted yet."""
    root = tmp_path / "lib"
    built = build_library(root, 6)
    with Index(root / MODELS_DB) as index:
        scan(root, index)
        scan(root, index)
        with LISTINGS:
            assert scan(root, index).unchanged == len(built)
        assert _model_dirs_listed(built) == {str(b.dir) for b in built}
        with LISTINGS:
            assert scan(root, index, settle_ns=0).unchanged == len(built)
        with LISTINGS:
            scan(root, index, settle_ns=0)
        assert _model_dirs_listed(built) == set()


def test_an_in_place_edit_of_metadata_json_is_still_read(settled) -> None:
    """An editor that writes in place leaves the dir's stamp alone; the file's own is compared."""
    root, built, index = settled
    target = built[0]
    path = target.dir / METADATA_FILE
    folder_before = os.stat(target.dir).st_mtime_ns
    with open(path, "r+", encoding="utf-8") as f:
        text = f.read().replace(target.meta.name, "Edited In Place")
        f.seek(0)
        f.write(text)
        f.truncate()
    assert os.stat(target.dir).st_mtime_ns == folder_before
    report = scan(root, index)
    assert report.updated == [target.meta.path]
    assert index.list_models(ListQuery(text="Edited In Place")).total == 1


def test_a_deleted_weight_is_a_phantom_even_with_the_dir_mtime_restored(settled) -> None:
    root, built, index = settled
    target = next(b for b in built if b.meta.model_format == "single-file")
    weights = next(f for f in target.meta.files if f.role == "weights")
    st = os.stat(target.dir)
    (target.dir / weights.path).unlink()
    os.utime(target.dir, ns=(st.st_atime_ns, st.st_mtime_ns))  # rsync -t would do this
    assert scan(root, index).phantoms == [target.meta.path]
    assert target.meta.id not in _ids(index)


def test_a_file_deleted_in_a_sub_folder_is_a_phantom(settled) -> None:
    """A diffusers folder's needed files live in sub-folders, whose stamps the folder stamp
    covers too."""
    root, built, index = settled
    folder = next(b for b in built if b.meta.model_format == "diffusers-folder")
    nested = next(f for f in folder.meta.files if "/" in f.path and f.role == "weights")
    with LISTINGS:
        scan(root, index)
    assert str(folder.dir) not in LISTINGS.paths  # trusted by its stamps too
    (folder.dir / nested.path).unlink()
    assert scan(root, index).phantoms == [folder.meta.path]


def test_a_temp_file_left_by_a_killed_writer_is_swept(settled) -> None:
    root, built, index = settled
    target = built[1]
    temp = target.dir / f".{METADATA_FILE}.tmp-12345"
    temp.write_text("{half")
    assert scan(root, index).unchanged == len(built)
    assert not temp.exists()


def test_a_model_dir_moved_away_and_one_moved_in_under_its_name(settled, tmp_path: Path) -> None:
    root, built, index = settled
    a, b = built[2], built[3]
    os.rename(a.dir, tmp_path / "aside")
    os.rename(b.dir, a.dir)  # b now lives at a's path; its own stamps are old
    report = scan(root, index)
    assert report.removed == [a.meta.path] and report.updated == [a.meta.path]
    assert a.meta.id not in _ids(index)
    assert index.resolve_ref(b.meta.id) == (b.meta.id, a.meta.path)


def test_a_v5_index_gains_folder_stamps_and_the_scan_index(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    built = build_library(root, 30)
    db = root / MODELS_DB
    with Index(db) as index:
        scan(root, index)
    conn = sqlite3.connect(db)
    conn.execute("DROP INDEX idx_models_scan")  # v7
    for column in ("dir_mtime_ns", "dir_ctime_ns", "needed_subdirs"):
        conn.execute(f"ALTER TABLE models DROP COLUMN {column}")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    with Index(db, library_root=root) as index:
        assert not index.needs_rebuild
        assert index.count() == len(built)
        state = index.scan_state()
        folder = next(b for b in built if b.meta.model_format == "diffusers-folder")
        needed = {f.path for f in folder.meta.files if f.role in ESSENTIAL_ROLES}
        assert set(state[folder.meta.path].subdirs) == {
            p.rsplit("/", 1)[0] for p in needed if "/" in p
        }
        assert "scheduler" in state[folder.meta.path].subdirs  # its config is needed
        assert all(s.folder is None for s in state.values())  # the next scan lists them once
        plan = (
            index._conn()
            .execute(  # noqa: SLF001 - the state is read from its index
                "EXPLAIN QUERY PLAN SELECT path, id, meta_mtime_ns, meta_size, meta_ino, "
                "meta_ctime_ns, dir_mtime_ns, dir_ctime_ns, needed_subdirs FROM models"
            )
            .fetchall()
        )
        assert any("COVERING INDEX idx_models_scan" in row[3] for row in plan), plan


def test_unchanged_dirs_behind_a_parent_turned_symlink_are_not_counted(
    settled, tmp_path: Path
) -> None:
    """Their stamps still match through the link, but the walk never follows one: they are
    gone from the library (removed), not unchanged."""
    root, built, index = settled
    parent = built[0].dir.parent
    behind = [b for b in built if b.dir.parent == parent]
    os.rename(parent, tmp_path / "elsewhere")
    os.symlink(tmp_path / "elsewhere", parent)
    report = scan(root, index)
    assert report.unchanged == len(built) - len(behind)
    assert sorted(report.removed) == sorted(b.meta.path for b in behind)
    assert _ids(index) == {b.meta.id for b in built} - {b.meta.id for b in behind}
