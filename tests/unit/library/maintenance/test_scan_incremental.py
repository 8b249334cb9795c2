"""Incremental scan: picks up new, removed, edited and moved metadata.json files by stat
data alone, never opens a weight file, reports corrupt files and phantoms."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tensorshelf.library.index.store import Index
from tensorshelf.library.maintenance.scan import scan
from tensorshelf.library.metadata.files import read_metadata
from tensorshelf.library.query_models import ListQuery
from tensorshelf.settings import METADATA_FILE, MODELS_DB
from tests.fixtures.audit_paths import AuditPaths
from tests.fixtures.library_factory import build_library, write_metadata_fast


class _Opens(AuditPaths):
    """Every file opened through Python while on (a dir opened to stat names under it reads
    no file)."""

    def __init__(self) -> None:
        super().__init__("open", keep=lambda path: not os.path.isdir(path))

    def non_metadata(self) -> list[str]:
        return [p for p in self.paths if os.path.basename(p) != METADATA_FILE]

    def metadata(self) -> list[str]:
        return [p for p in self.paths if os.path.basename(p) == METADATA_FILE]


OPENS = _Opens()


@pytest.fixture
def lib(tmp_path: Path):
    root = tmp_path / "lib"
    built = build_library(root, 24)
    index = Index(root / MODELS_DB)
    first = scan(root, index)
    assert sorted(first.added) == sorted(b.meta.path for b in built)
    yield root, built, index
    index.close()


def _ids(index: Index) -> set[str]:
    return {m.id for m in index.list_models(ListQuery(limit=1000)).models}


def test_unchanged_scan_reads_no_file_at_all(lib) -> None:
    root, built, index = lib
    with OPENS:
        report = scan(root, index)
    assert report.unchanged == len(built)
    assert report.added == report.updated == report.removed == report.phantoms == []
    assert OPENS.paths == []  # neither weights nor metadata.json were opened


def test_audit_hook_does_see_opens(tmp_path: Path) -> None:
    """The zero-opens proof above is only meaningful if the hook records opens."""
    (tmp_path / "x.safetensors").write_bytes(b"x")
    with OPENS:
        (tmp_path / "x.safetensors").read_bytes()
    assert OPENS.non_metadata() == [str(tmp_path / "x.safetensors")]


def test_new_removed_and_edited_models(lib) -> None:
    root, built, index = lib
    new = build_library(root, 2, start=100)
    shutil.rmtree(built[0].dir)
    edited = built[1]
    meta = edited.meta.model_copy(update={"name": "Edited Name", "tags": ["fresh"]})
    write_metadata_fast(edited.dir, meta)
    with OPENS:
        report = scan(root, index)
    assert sorted(report.added) == sorted(n.meta.path for n in new)
    assert report.removed == [built[0].meta.path]
    assert report.updated == [edited.meta.path]
    assert report.unchanged == len(built) - 2
    # only the changed/new metadata.json files were read, and no weight file
    assert OPENS.non_metadata() == []
    assert sorted(OPENS.metadata()) == sorted(
        str(d / METADATA_FILE) for d in (edited.dir, *(n.dir for n in new))
    )
    page = index.list_models(ListQuery(tag="fresh"))
    assert [m.name for m in page.models] == ["Edited Name"]
    assert built[0].meta.id not in _ids(index)


def test_same_size_same_mtime_rewrite_is_still_seen(lib) -> None:
    """An atomic rewrite (new inode) is detected even when size and mtime are equal."""
    root, built, index = lib
    target = built[2]
    path = target.dir / METADATA_FILE
    st = path.stat()
    text = path.read_text().replace(target.meta.name, target.meta.name[::-1])
    tmp = path.with_name("new.json")
    tmp.write_text(text)
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, path)
    report = scan(root, index)
    assert report.updated == [target.meta.path]
    assert index.list_models(ListQuery(text=target.meta.name[::-1])).total == 1


def test_moved_model_dir_keeps_its_id(lib) -> None:
    root, built, index = lib
    moved = built[3]
    new_dir = root / "other" / "place" / "moved-here"
    new_dir.parent.mkdir(parents=True)
    os.rename(moved.dir, new_dir)
    report = scan(root, index)
    assert report.removed == [] and report.added == []
    assert report.updated == ["other/place/moved-here"]
    assert index.resolve_ref(moved.meta.id) == (moved.meta.id, "other/place/moved-here")


def test_corrupt_metadata_is_reported_and_the_rest_indexed(lib) -> None:
    root, built, index = lib
    bad = built[4].dir / METADATA_FILE
    bad.write_text('{"id": "x", "truncated')
    report = scan(root, index)
    assert [e.details["path"] for e in report.errors] == [str(bad)]
    assert report.removed == []  # reported as an error, not as a removal
    assert built[4].meta.id not in _ids(index)
    assert len(_ids(index)) == len(built) - 1


def test_deleted_shard_makes_a_phantom_without_reading(lib) -> None:
    root, built, index = lib
    sharded = next(b for b in built if b.meta.model_format == "sharded-set")
    shard = next(f for f in sharded.meta.files if f.shard_index == 2)
    (sharded.dir / shard.path).unlink()
    with OPENS:
        report = scan(root, index)
    assert report.phantoms == [sharded.meta.path]
    assert OPENS.paths == []
    assert sharded.meta.id not in _ids(index)
    # the shard comes back → indexed again
    (sharded.dir / shard.path).write_bytes(b"restored")
    report = scan(root, index)
    assert report.added == [sharded.meta.path] and report.phantoms == []


def test_missing_preview_is_not_a_phantom(lib) -> None:
    root, built, index = lib
    lora = next(b for b in built if b.meta.subtype == "loras")
    preview = next(f for f in lora.meta.files if f.role == "preview")
    (lora.dir / preview.path).unlink()
    assert scan(root, index).phantoms == []
    assert lora.meta.id in _ids(index)


def test_duplicate_id_in_two_dirs_is_reported(lib) -> None:
    root, built, index = lib
    copy = root / "zzz" / "copy" / "dup"
    shutil.copytree(built[5].dir, copy)
    report = scan(root, index)
    assert len(report.errors) == 1 and "duplicate model id" in report.errors[0].message
    assert index.resolve_ref(built[5].meta.id)[1] in {built[5].meta.path, "zzz/copy/dup"}
    assert index.count() == len(built)


def test_staging_hidden_and_tmp_dirs_are_ignored(lib) -> None:
    root, built, index = lib
    for name in (".staging/job1/m", ".hidden/a/b", "diffusion/x/half.tmp"):
        target = root / name
        shutil.copytree(built[6].dir, target)
        meta = read_metadata(target).model_copy(update={"id": f"other-{len(name)}"})
        write_metadata_fast(target, meta)
    report = scan(root, index)
    assert report.added == [] and report.errors == []


def test_importer_upsert_without_stamp_is_reread_once(lib) -> None:
    root, built, index = lib
    index.upsert_model(built[7].meta)  # no DirStamp → scan must re-read it once
    assert scan(root, index).updated == [built[7].meta.path]
    with OPENS:
        assert scan(root, index).unchanged == len(built)
    assert OPENS.paths == []
