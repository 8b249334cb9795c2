"""Model refs (DESIGN "CLI contract": an id, a unique id prefix or a library path) typed the
way shell users do — a path relative to the working directory (tab completion) or through
a symlink to the library — and the closed model_type vocabulary on edit and import."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tensorshelf.api.dispatch import call_method
from tensorshelf.api.shelf import ShelfApi
from tensorshelf.errors import InvalidArgument, ModelNotFound
from tensorshelf.library.models import ImportOptions, ModelEdit
from tensorshelf.library.service import LibraryService
from tests.fixtures.import_files import make_locations, run_import, write_safetensors


@pytest.fixture
def model(service: LibraryService, tmp_path: Path) -> tuple[str, str]:
    (result,) = run_import(service, [write_safetensors(tmp_path / "src" / "a.safetensors")])[1]
    assert result.ok and result.id and result.path
    return result.id, result.path


def test_path_relative_to_the_working_dir_names_the_model(
    service: LibraryService, model: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    model_id, rel = model
    monkeypatch.chdir(service.root.parent)
    typed = os.path.join(service.root.name, *rel.split("/"))
    assert service.get_model(typed).id == model_id
    assert service.get_model(os.path.join(typed, "a.safetensors")).id == model_id
    monkeypatch.chdir(service.root / rel.split("/")[0])
    assert service.get_model(os.path.join(*rel.split("/")[1:])).id == model_id
    with pytest.raises(ModelNotFound):
        service.get_model(os.path.join("..", "..", "src"))  # exists, but not in the library


def test_path_through_a_symlink_to_the_library_names_the_model(
    service: LibraryService, model: tuple[str, str], tmp_path: Path
) -> None:
    model_id, rel = model
    alias = tmp_path / "alias"
    alias.symlink_to(service.root, target_is_directory=True)
    assert service.get_model(str(alias.joinpath(*rel.split("/")))).id == model_id


def test_model_type_outside_the_vocabulary_is_refused(
    service: LibraryService, model: tuple[str, str]
) -> None:
    model_id, rel = model
    with pytest.raises(InvalidArgument, match="diffusion, llm, other"):
        service.edit_model(model_id, ModelEdit(model_type="/abs"))
    assert service.get_model(model_id).path == rel  # not re-filed
    assert service.edit_model(model_id, ModelEdit(model_type="llm")).model_type == "llm"


def test_import_with_an_unknown_model_type_is_refused_up_front(tmp_path: Path) -> None:
    """The vocabulary is checked by the boundary model itself: the API call is refused with
    the stable code before any job starts, and the CLI's options cannot even be built."""
    api = ShelfApi(make_locations(tmp_path))
    try:
        source = write_safetensors(tmp_path / "b.safetensors")
        plan = api.plan_import(paths=[str(source)])
        answer = call_method(
            api, "start_import", {"plan_id": plan.plan_id, "options": {"model_type": "audio"}}
        )
        assert answer["ok"] is False
        assert answer["error"]["code"] == "invalid_argument"
        assert "unknown model type 'audio'" in answer["error"]["message"]
        assert api.list_jobs() == []
        with pytest.raises(InvalidArgument, match="diffusion, llm, other"):
            ImportOptions(model_type="audio")
    finally:
        api.close()
