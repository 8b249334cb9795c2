"""A dropped plain folder: one import per model inside; the READMEs, notes and stray
pictures a model folder usually holds are skipped (not reported as failed imports, which
made `tensorshelf import Folder/` exit 1); a folder with nothing to import says so."""

from __future__ import annotations

from pathlib import Path

from tensorshelf.library.service import LibraryService
from tests.fixtures.import_files import write_safetensors


def _junk(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.txt").write_text("put your models here")
    (folder / "notes.md").write_text("# notes")
    (folder / "settings.json").write_text('{"a": 1}')
    (folder / "screenshot.png").write_bytes(b"\x89PNG\r\n\x1a\n")


def test_non_model_files_inside_a_folder_are_skipped_not_failed(
    service: LibraryService, tmp_path: Path
) -> None:
    root = tmp_path / "models"
    _junk(root)
    _junk(root / "loras")
    write_safetensors(root / "loras" / "style.safetensors", seed=1)
    write_safetensors(root / "vae.safetensors", seed=2)
    plan = service.plan_import([str(root)])
    assert sorted(Path(i.key).name for i in plan.items) == ["style.safetensors", "vae.safetensors"]
    assert plan.rejected == [] and all(i.error is None for i in plan.items)


def test_a_folder_without_models_is_rejected_as_such(
    service: LibraryService, tmp_path: Path
) -> None:
    junk_only, empty = tmp_path / "junk", tmp_path / "empty"
    _junk(junk_only)
    empty.mkdir()
    plan = service.plan_import([str(junk_only), str(empty)])
    assert plan.items == []
    reasons = {Path(r.details["path"]).name: r.message for r in plan.rejected}
    assert set(reasons) == {"junk", "empty"}
    assert "no model files found" in reasons["junk"] and "4 other file(s)" in reasons["junk"]
    assert "no model files found" in reasons["empty"]


def test_a_non_model_file_given_explicitly_is_still_rejected(
    service: LibraryService, tmp_path: Path
) -> None:
    _junk(tmp_path / "f")
    plan = service.plan_import([str(tmp_path / "f" / "README.txt")])
    assert [Path(r.details["path"]).name for r in plan.rejected] == ["README.txt"]


def test_a_bad_weight_file_inside_a_folder_is_still_reported(
    service: LibraryService, tmp_path: Path
) -> None:
    root = tmp_path / "models"
    _junk(root)
    (root / "fake.safetensors").write_text("<html>404</html>")
    plan = service.plan_import([str(root)])
    assert [Path(i.key).name for i in plan.items] == ["fake.safetensors"]
    assert plan.items[0].error is not None and "fake.safetensors" in plan.items[0].error.message
