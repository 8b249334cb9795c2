"""A batch import of 20 files killed (SIGKILL) after 7 completed models: `tensorshelf jobs
--resume` finishes the other 13 without re-copying the first 7."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.cli_runner import (
    PAUSE_ENV,
    PAUSE_MARKER,
    StderrWatcher,
    file_hashes,
    kill_hard,
    make_cli,
    published_model_dirs,
    staging_entries,
    tree_snapshot,
    write_lora,
)

BATCH = 20
COMPLETED_BEFORE_KILL = 7
PAUSE_TIMEOUT_S = 60


@pytest.mark.slow
def test_killed_batch_resumes_without_recopying(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    src = tmp_path / "batch"
    sources = [write_lora(src / f"lora_{i:02d}.safetensors", seed=1000 + i) for i in range(BATCH)]
    source_hashes = {file_hashes(p)[0] for p in sources}

    # The 8th model pauses before it is published; the first 7 are done and checkpointed.
    proc = cli.spawn(
        "import",
        "--no-lookup",
        str(src),
        env={PAUSE_ENV: f"before_publish@{COMPLETED_BEFORE_KILL + 1}"},
    )
    watcher = StderrWatcher(proc)
    watcher.wait_for(PAUSE_MARKER, PAUSE_TIMEOUT_S)
    kill_hard(proc)

    done_dirs = published_model_dirs(cli.library)
    assert len(done_dirs) == COMPLETED_BEFORE_KILL
    before = {d: tree_snapshot(d) for d in done_dirs}
    first_ids = {json.loads((d / "metadata.json").read_text())["id"] for d in done_dirs}

    jobs = cli.json("jobs")["jobs"]  # also sweeps the dead import's staging dir
    (job,) = jobs
    assert job["status"] == "interrupted" and job["items_done"] == COMPLETED_BEFORE_KILL
    assert staging_entries(cli.library) == []

    resumed = cli.json("jobs", "--resume")
    assert resumed["ok"] is True, resumed
    assert [j["status"] for j in resumed["jobs"]] == ["done"]
    assert len(resumed["results"]) == BATCH
    assert all(r["ok"] and r["duplicate_of"] is None for r in resumed["results"])

    listing = cli.json("list", "--limit", "1000")
    assert listing["total"] == BATCH
    assert {m["hashes"]["sha256"] for m in listing["models"]} == source_hashes  # no duplicates
    assert len({m["id"] for m in listing["models"]}) == BATCH
    assert first_ids <= {m["id"] for m in listing["models"]}
    for d, snapshot in before.items():  # same inodes, sizes and mtimes: not copied again
        assert tree_snapshot(d) == snapshot, d
    assert [j["status"] for j in cli.json("jobs")["jobs"]] == ["done"]
    assert cli.json("jobs", "--resume")["jobs"] == []  # nothing left to resume
