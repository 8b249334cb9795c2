"""A sync killed (SIGKILL) between making links and recording them in registry.db: nothing of
the user's is touched, the links it made are exactly ours, and after the restart the next sync
adopts them (no conflict, nothing re-made) and links the rest; doctor is clean."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tests.fixtures.cli_runner import (
    PAUSE_ENV,
    PAUSE_MARKER,
    StderrWatcher,
    kill_hard,
    make_cli,
    write_lora,
)
from tests.integration.mapping.test_cli_sync import fake_comfyui

LORAS = 5
KILLED_AFTER = 3
PAUSE_TIMEOUT_S = 60


def test_a_sync_killed_before_recording_its_links_is_adopted_after(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    sources = [write_lora(tmp_path / "src" / f"l{i}.safetensors", seed=i) for i in range(LORAS)]
    cli.json("import", "--no-lookup", *(str(s) for s in sources))
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    mine = comfy / "models" / "loras" / "notes.txt"
    mine.write_text("the user's")
    app = cli.json("apps", "add", str(comfy))["app"]["id"]
    loras = comfy / "models" / "loras"
    for link in [p for p in loras.iterdir() if p.is_symlink()]:  # back to nothing linked
        link.unlink()
    with sqlite3.connect(cli.home / "registry.db") as db:
        db.execute("DELETE FROM links")

    proc = cli.spawn("--json", "sync", env={PAUSE_ENV: f"sync_link_made@{KILLED_AFTER}"})
    StderrWatcher(proc).wait_for(PAUSE_MARKER, PAUSE_TIMEOUT_S)
    kill_hard(proc)
    made = sorted(p.name for p in loras.iterdir() if p.is_symlink())
    assert len(made) == KILLED_AFTER
    with sqlite3.connect(cli.home / "registry.db") as db:
        assert db.execute("SELECT count(*) FROM links").fetchone() == (0,)

    plan = cli.json("sync", "--dry-run", app)["plan"]
    assert plan["conflicts"] == [], "our own links are recognised, not taken for foreign ones"
    assert len(plan["to_create"]) == LORAS - KILLED_AFTER and plan["already_ok"] == KILLED_AFTER
    before = {name: os.lstat(loras / name).st_ino for name in made}
    cli.json("sync")
    assert {name: os.lstat(loras / name).st_ino for name in made} == before, "adopted, not re-made"
    assert len([p for p in loras.iterdir() if p.is_symlink()]) == LORAS
    assert mine.read_text() == "the user's"
    assert cli.json("doctor")["ok"] is True
    assert cli.json("sync", "--dry-run", app)["plan"]["to_create"] == []
