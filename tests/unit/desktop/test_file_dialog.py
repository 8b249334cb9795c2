"""The native "Add files…" dialog opens where the user last picked from (else Downloads, else
home) with a model-file filter first; the folder picked from is remembered in the settings.
The dialog itself is native (it cannot run headless): a recording stand-in plays it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tensorshelf.api.settings_store import SettingsStore
from tensorshelf.desktop.file_dialog import MODEL_FILE_TYPES, start_folder
from tensorshelf.desktop.window import DesktopShell


def test_start_folder_prefers_the_last_one_then_downloads_then_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert start_folder(None, home) == str(home)
    (home / "Downloads").mkdir()
    assert start_folder(None, home) == str(home / "Downloads")
    assert start_folder(str(tmp_path / "gone"), home) == str(home / "Downloads")
    assert start_folder(str(tmp_path), home) == str(tmp_path)


def test_pick_paths_opens_there_with_the_model_filter_and_remembers(tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []
    models = tmp_path / "models"
    models.mkdir()

    def create_file_dialog(kind: str, **kwargs: Any) -> list[str]:
        seen.append({"kind": kind, **kwargs})
        return [str(models / "a.safetensors"), str(models / "b.gguf")]

    shell = object.__new__(DesktopShell)
    shell.api = SimpleNamespace(settings=SettingsStore(tmp_path / "settings.json"))  # type: ignore[assignment]
    shell._webview = SimpleNamespace(FileDialog=SimpleNamespace(OPEN="open", FOLDER="folder"))  # type: ignore[assignment]
    shell.window = SimpleNamespace(create_file_dialog=create_file_dialog)  # type: ignore[assignment]

    picked = shell.pick_paths(folder=False)
    assert picked == [str(models / "a.safetensors"), str(models / "b.gguf")]
    assert seen[0]["file_types"] == MODEL_FILE_TYPES and seen[0]["allow_multiple"]
    assert shell.api.settings.get().last_pick_folder == str(models)
    shell.pick_paths(folder=True)
    assert seen[1]["directory"] == str(models), "opens where the last files came from"
    assert seen[1]["kind"] == "folder" and seen[1]["file_types"] == ()
