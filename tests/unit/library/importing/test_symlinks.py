"""Nothing is followed out of a dropped folder (DESIGN invariant 9): a symlinked file that
points outside is reported and skipped; one that points inside is that file, taken once."""

from __future__ import annotations

import os
from pathlib import Path

from tensorshelf.library.service import LibraryService
from tests.fixtures.import_files import make_diffusers_folder, run_import, write_safetensors


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "shadow"
    secret.parent.mkdir()
    secret.write_text("root:$6$not-for-you")
    return secret


def _library_files(service: LibraryService) -> list[str]:
    return [p.read_bytes().decode(errors="replace") for p in service.root.rglob("*") if p.is_file()]


def test_a_preview_symlinked_out_of_a_dropped_folder_is_not_copied(
    service: LibraryService, tmp_path: Path
) -> None:
    secret = _secret(tmp_path)
    drop = tmp_path / "drop"
    drop.mkdir()
    write_safetensors(drop / "model.safetensors")
    os.symlink(secret, drop / "model.preview.png")
    os.symlink(drop / "model.safetensors", drop / "alias.safetensors")  # inside: same file
    plan, results = run_import(service, [drop])
    assert [r.ok for r in results] == [True]  # the alias is not a second model
    reasons = {Path(r.details["path"]).name: r.message for r in plan.rejected}
    assert "outside the dropped folder" in reasons["model.preview.png"]
    assert not any("not-for-you" in text for text in _library_files(service))
    assert service.preview(results[0].id or "") is None


def test_a_file_symlinked_out_of_a_diffusers_folder_is_left_out_with_a_warning(
    service: LibraryService, tmp_path: Path
) -> None:
    secret = _secret(tmp_path)
    folder = tmp_path / "pipeline"
    make_diffusers_folder(folder)
    os.symlink(secret, folder / "README.md")
    plan, (result,) = run_import(service, [folder])
    assert result.ok, result.error
    assert "README.md" not in plan.items[0].relative_files
    assert any("README.md" in w and "outside" in w for w in plan.items[0].warnings)
    assert not any("not-for-you" in text for text in _library_files(service))


def test_a_symlink_beside_a_dropped_file_is_not_taken_as_its_companion(
    service: LibraryService, tmp_path: Path
) -> None:
    secret = _secret(tmp_path)
    drop = tmp_path / "loose"
    drop.mkdir()
    model = write_safetensors(drop / "model.safetensors")
    os.symlink(secret, drop / "model.civitai.info")
    plan, (result,) = run_import(service, [model])
    assert result.ok and plan.items[0].relative_files == ["model.safetensors"]
    assert not any("not-for-you" in text for text in _library_files(service))
