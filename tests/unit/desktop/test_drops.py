"""Drops on the desktop window: full paths from pywebview's DOM drop event → files.dropped."""

from __future__ import annotations

from pathlib import Path

from tensorshelf.desktop.drops import DropForwarder, dropped_paths
from tensorshelf.jobs.events import Event, EventBus


def _drop_event(*paths: str | None, names: list[str] | None = None) -> dict:
    """The shape pywebview hands to Python DOM handlers (webview/util.py js_bridge_call)."""
    files = []
    for i, p in enumerate(paths):
        entry = {
            "name": (names or [Path(p).name if p else f"f{i}" for p in paths])[i],
            "size": 1,
            "type": "",
        }
        if p is not None:
            entry["pywebviewFullPath"] = p
        files.append(entry)
    return {"type": "drop", "dataTransfer": {"files": files}}


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "Modèles à trier" / "sd xl 日本"
    folder.mkdir(parents=True)
    weights = tmp_path / "my lora (v2) ü.safetensors"
    weights.write_bytes(b"x")
    return weights, folder


def test_paths_with_spaces_and_non_ascii_are_kept(tmp_path: Path) -> None:
    weights, folder = _tree(tmp_path)
    assert dropped_paths(_drop_event(str(weights), str(folder))) == [str(weights), str(folder)]


def test_missing_unknown_and_duplicate_entries_are_dropped(tmp_path: Path) -> None:
    weights, folder = _tree(tmp_path)
    event = _drop_event(
        str(weights), None, str(tmp_path / "gone.gguf"), str(weights), str(folder) + "/"
    )
    assert dropped_paths(event) == [str(weights), str(folder)]
    assert dropped_paths({"type": "drop"}) == []
    assert dropped_paths({"type": "drop", "dataTransfer": {"files": None}}) == []


def test_relative_paths_become_absolute(tmp_path: Path, monkeypatch) -> None:
    weights, _ = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert dropped_paths(_drop_event(weights.name)) == [str(weights)]


def test_forwarder_publishes_files_dropped(tmp_path: Path) -> None:
    weights, folder = _tree(tmp_path)
    bus, seen = EventBus(), []
    bus.subscribe(seen.append)
    forwarder = DropForwarder(bus)
    forwarder.on_drop(_drop_event(str(weights), str(folder)))
    forwarder.on_drop(_drop_event(None))  # nothing usable: no event
    assert seen == [Event("files.dropped", {"paths": [str(weights), str(folder)]})]
