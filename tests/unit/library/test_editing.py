"""Editing metadata, re-filing, removing models; service start-up behaviour."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tensorshelf.errors import InvalidArgument, ModelNotFound
from tensorshelf.library.importing.staging import StagingDir
from tensorshelf.library.metadata.files import read_metadata, write_metadata
from tensorshelf.library.models import ModelEdit
from tensorshelf.library.service import LibraryService
from tests.fixtures.import_files import (
    make_locations,
    published_dirs,
    run_import,
    write_safetensors,
)


def _imported(service: LibraryService, tmp_path: Path, name: str = "m", seed: int = 1):
    source = write_safetensors(tmp_path / "src" / f"{name}.safetensors", seed=seed)
    (result,) = run_import(service, [source], model_type="diffusion")[1]
    assert result.ok
    return result


def test_edit_rewrites_metadata_keeping_unknown_keys(
    service: LibraryService, tmp_path: Path
) -> None:
    result = _imported(service, tmp_path)
    model_dir = service.root / result.path
    raw = json.loads((model_dir / "metadata.json").read_text())
    raw["x_other_tool"] = {"kept": True}
    (model_dir / "metadata.json").write_text(json.dumps(raw))
    before = raw["updated_date"]
    meta = service.edit_model(
        result.id[:8], ModelEdit(name="Nice Name", tags=["b", "a", "b"], notes="n", rating=5)
    )
    assert (meta.name, meta.tags, meta.notes, meta.rating) == ("Nice Name", ["b", "a"], "n", 5)
    on_disk = json.loads((model_dir / "metadata.json").read_text())
    assert on_disk["x_other_tool"] == {"kept": True} and on_disk["name"] == "Nice Name"
    assert on_disk["updated_date"] >= before and "name" in on_disk["user_overrides"]
    assert service.list_models().models[0].name == "Nice Name"
    assert meta.path == result.path  # a name change alone does not move the model


def test_family_change_refiles_and_the_index_follows(
    service: LibraryService, tmp_path: Path
) -> None:
    result = _imported(service, tmp_path)
    meta = service.edit_model(result.id, ModelEdit(family="sdxl", subtype="loras"))
    assert meta.id == result.id and meta.path == "diffusion/sdxl/m"
    assert not (service.root / result.path).exists()
    assert not (service.root / "diffusion" / "unknown").exists()  # emptied parent pruned
    new_dir = service.root / meta.path
    assert (new_dir / "m.safetensors").exists()
    assert read_metadata(new_dir).path == meta.path
    assert service.model_dir(result.id) == new_dir
    (summary,) = service.list_models().models
    assert (summary.path, summary.family, summary.subtype) == (meta.path, "sdxl", "loras")
    assert set(meta.user_overrides) >= {"family", "subtype", "model_type"}


def test_edit_refuses_empty_name(service: LibraryService, tmp_path: Path) -> None:
    result = _imported(service, tmp_path)
    with pytest.raises(InvalidArgument):
        service.edit_model(result.id, ModelEdit(name="  "))


def test_remove_deletes_the_dir_and_the_row(service: LibraryService, tmp_path: Path) -> None:
    keep = _imported(service, tmp_path, "keep", 1)
    gone = _imported(service, tmp_path, "gone", 2)
    outcome = service.remove_model(gone.path)
    assert outcome.removed and outcome.id == gone.id
    assert not (service.root / gone.path).exists()
    assert [m.id for m in service.list_models().models] == [keep.id]
    assert (tmp_path / "src" / "gone.safetensors").exists()  # the source is not ours
    with pytest.raises(ModelNotFound):
        service.remove_model(gone.id)


def test_remove_refuses_a_path_outside_the_library(service: LibraryService, tmp_path: Path) -> None:
    result = _imported(service, tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "important.txt").write_text("do not delete")
    meta = service.get_model(result.id)
    meta.path = "../victim"
    service.index.upsert_model(meta, path="../victim")
    outcome = service.remove_model(result.id)
    assert not outcome.removed and outcome.error
    assert (victim / "important.txt").read_text() == "do not delete"


def test_remove_refuses_a_dir_holding_another_model(
    service: LibraryService, tmp_path: Path
) -> None:
    a = _imported(service, tmp_path, "a", 1)
    b = _imported(service, tmp_path, "b", 2)
    meta_a = service.get_model(a.id)
    service.index.upsert_model(meta_a, path=b.path)  # a stale row pointing at b's dir
    outcome = service.remove_model(a.id)
    assert not outcome.removed and (service.root / b.path / "b.safetensors").exists()


def test_startup_sweeps_stale_staging_and_reindexes_a_lost_index(tmp_path: Path) -> None:
    locations = make_locations(tmp_path)
    svc = LibraryService(locations)
    result = _imported(svc, tmp_path)
    svc.close()
    stale = StagingDir.create(locations.library)
    (stale.model_dir / "half.safetensors").write_bytes(b"x" * 100)
    stale._unlock()  # its process "died"
    (locations.library / "models.db").unlink()
    reopened = LibraryService(locations)
    try:
        assert reopened.staging_swept == [stale.id]
        assert [m.id for m in reopened.list_models().models] == [result.id]
        assert len(published_dirs(locations.library)) == 1
    finally:
        reopened.close()


def test_get_model_reads_metadata_json_not_the_index(
    service: LibraryService, tmp_path: Path
) -> None:
    result = _imported(service, tmp_path)
    model_dir = service.root / result.path
    meta = read_metadata(model_dir)
    meta.notes = "edited by hand"
    write_metadata(model_dir, meta)
    assert service.get_model(result.id).notes == "edited by hand"
