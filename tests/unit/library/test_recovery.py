"""Start-up completes what a killed writer left: an intent found at start is applied (the
model ends wholly new, the index agrees) and the temp files of its interrupted metadata
write are swept, as are a dead rebuild's temp database and the root's temp files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tensorshelf.library.intents import Intent, intents_dir, write_intent
from tensorshelf.library.service import LibraryService
from tests.fixtures.import_files import make_locations, run_import, write_safetensors


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_an_intent_left_behind_is_completed_at_start(tmp_path: Path) -> None:
    locations = make_locations(tmp_path)
    svc = LibraryService(locations)
    (result,) = run_import(svc, [write_safetensors(tmp_path / "src" / "m.safetensors", seed=1)])[1]
    model_dir = svc.root / result.path
    meta = json.loads((model_dir / "metadata.json").read_text())
    svc.close()
    # A killed `edit --tag new`: intent written, metadata.json write cut midway.
    meta["tags"] = ["new"]
    write_intent(
        svc.root,
        Intent(
            op="save",
            id=meta["id"],
            path=result.path,
            target=result.path,
            reason="edit",
            metadata=meta,
        ),
    )
    (model_dir / ".metadata.json.tmp-deadbeef").write_text('{"half": ')
    stale_db = svc.root / f"models.db.rebuild-{_dead_pid()}-abcd.tmp"
    stale_db.write_bytes(b"partial")
    (svc.root / "..tensorshelf-changes.tmp-0011").write_text("x")

    svc = LibraryService(locations)
    try:
        assert svc.recovered == [meta["id"]]
        assert json.loads((model_dir / "metadata.json").read_text())["tags"] == ["new"]
        assert svc.list_models().models[0].tags == ["new"]
        assert not list(model_dir.glob(".metadata.json.tmp-*"))
        assert not stale_db.exists() and not (svc.root / "..tensorshelf-changes.tmp-0011").exists()
        assert os.listdir(intents_dir(svc.root)) == []
    finally:
        svc.close()
