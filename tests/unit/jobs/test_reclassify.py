"""The reclassify job (JobRunner + ShelfApi) on a real library: progress counted per model,
the ReclassifyReport as the job's result, library.changed with the re-filed ids, cancel,
checkpoints and resume of a real run; and job titles that count models."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tensorshelf.api.shelf import ShelfApi
from tensorshelf.errors import InvalidArgument, ModelNotFound
from tensorshelf.jobs.events import Event
from tensorshelf.library.models import ImportOptions
from tensorshelf.settings import Locations
from tests.fixtures.detect_files import make_model_file
from tests.fixtures.jobs_env import (
    WAIT_S,
    JobsEnv,
    dead_pid,
    open_env,
    set_job_owner,
    start_import_of,
)
from tests.fixtures.jobs_files import write_loras

# small real-shaped models whose family the detector knows (the synthetic LoRAs have none)
CASES = (
    "embedding_sd1_8vec",
    "lycoris_loha_sd15_r8",
    "lycoris_lokr_sdxl_r16",
    "lora_sd15_kohya_r32",
)


@pytest.fixture
def env(locations: Locations) -> Iterator[JobsEnv]:
    e = open_env(locations)
    yield e
    e.close()


def _import(env: JobsEnv, count: int) -> list[str]:
    src = env.locations.home.parent / "src"
    files = [make_model_file(case, src / case) for case in CASES[:count]]
    info = env.runner.wait(
        start_import_of(env.runner, [str(f) for f in files], ImportOptions(mode="move")), WAIT_S
    )
    assert info.status == "done" and all(r["ok"] for r in info.result), info.result
    return [r["id"] for r in info.result]


def _misfile(env: JobsEnv, model_id: str) -> tuple[str, str]:
    """File a model under sd2, as an older detector might have: (wrong, right) paths."""
    right = env.service.get_model(model_id).path
    wrong = f"diffusion/sd2/{Path(right).name}"
    root = env.locations.library
    (root / wrong).parent.mkdir(parents=True, exist_ok=True)
    shutil.move(root / right, root / wrong)
    meta_file = root / wrong / "metadata.json"
    raw = json.loads(meta_file.read_text("utf-8"))
    raw.update(path=wrong, family="sd2")
    raw["detection"]["detector_version"] = 0
    meta_file.write_text(json.dumps(raw), "utf-8")
    env.service.scan()
    return wrong, right


def _changed_events(env: JobsEnv) -> list[dict]:
    return [
        e.payload
        for e in env.events
        if e.type == "library.changed" and e.payload["reason"] == "reclassify"
    ]


def test_dry_run_job_counts_models_and_moves_nothing(env: JobsEnv) -> None:
    ids = _import(env, 3)
    wrong, right = _misfile(env, ids[1])
    job_id = env.runner.start_reclassify(None, dry_run=True)
    info = env.runner.wait(job_id, WAIT_S)
    assert info.status == "done" and info.kind == "reclassify"
    assert (info.items_done, info.items_total) == (3, 3)
    assert info.title == "Check the classification of all models"
    progress = [e.payload for e in env.of(job_id, "job.progress")]
    assert progress[0]["items_total"] == 3 and progress[-1]["items_done"] == 3
    assert [p["items_done"] for p in progress] == sorted(p["items_done"] for p in progress)
    assert len(env.of(job_id, "job.item_done")) == 3
    report = env.of(job_id, "job.done")[0].payload["result"]
    assert report == info.result and report["dry_run"] is True
    (change,) = report["changed"]
    assert (change["id"], change["old_path"], change["new_path"]) == (ids[1], wrong, right)
    assert change["changes"] == {"family": ["sd2", "sd1"]}
    assert report["unchanged"] == 2 and report["errors"] == []
    assert (env.locations.library / wrong).is_dir()  # nothing moved
    assert _changed_events(env) == [] and env.store.checkpoints(job_id) == {}


def test_real_run_refiles_checkpoints_and_announces_the_ids(env: JobsEnv) -> None:
    ids = _import(env, 3)
    wrong, right = _misfile(env, ids[2])
    job_id = env.runner.start_reclassify([ids[2][:-4], ids[0]], dry_run=False)  # a prefix too
    info = env.runner.wait(job_id, WAIT_S)
    assert info.status == "done" and info.title == "Re-classify 2 models"
    assert env.store.params(job_id)["refs"] == [ids[2], ids[0]]
    assert [c["id"] for c in info.result["changed"]] == [ids[2]]
    assert info.result["unchanged"] == 1
    assert not (env.locations.library / wrong).exists()
    assert env.service.get_model(ids[2]).path == right
    assert set(env.store.checkpoints(job_id)) == {ids[0], ids[2]}
    assert _changed_events(env) == [{"ids": [ids[2]], "reason": "reclassify", "elsewhere": False}]
    assert env.events[-1].type == "job.done"


def test_a_cancelled_run_keeps_what_it_refiled_and_says_so(env: JobsEnv) -> None:
    ids = _import(env, 4)
    for model_id in ids:
        _misfile(env, model_id)

    def cancel_after_first(event: Event) -> None:
        if event.type == "job.item_done" and event.payload["kind"] == "reclassify":
            env.runner.cancel(event.payload["job_id"], wait_s=0)

    env.bus.subscribe(cancel_after_first)
    info = env.runner.wait(env.runner.start_reclassify(None, dry_run=False), WAIT_S)
    assert info.status == "cancelled"
    refiled = [c["id"] for c in info.result["changed"]]
    assert len(refiled) == 1 and info.items_done == 1
    assert _changed_events(env) == [{"ids": refiled, "reason": "reclassify", "elsewhere": False}]


def test_an_interrupted_real_run_resumes_after_its_checkpoints(env: JobsEnv) -> None:
    ids = _import(env, 3)
    for model_id in ids:
        _misfile(env, model_id)
    first = env.service.reclassify_model(ids[0], dry_run=False)  # done before the "crash"
    crashed = env.store.create("reclassify", {"refs": None, "dry_run": False}, "Re-classify")
    env.store.add_checkpoint(crashed.job_id, ids[0], first.model_dump(mode="json"))
    set_job_owner(env.locations.ops_db, crashed.job_id, dead_pid())

    assert env.runner.resume() == [crashed.job_id]
    info = env.runner.wait(crashed.job_id, WAIT_S)
    assert info.status == "done" and (info.items_done, info.items_total) == (3, 3)
    assert [e.payload["result"]["ref"] for e in env.of(crashed.job_id, "job.item_done")] == sorted(
        ids[1:]
    )
    assert sorted(c["id"] for c in info.result["changed"]) == sorted(ids)
    assert [env.service.get_model(i).family for i in ids] == ["sd1", "sd1", "sdxl"]


def test_an_interrupted_dry_run_is_not_offered_for_resume(env: JobsEnv) -> None:
    crashed = env.store.create("reclassify", {"refs": None, "dry_run": True}, "Check")
    set_job_owner(env.locations.ops_db, crashed.job_id, dead_pid())
    assert env.runner.get(crashed.job_id).status == "interrupted"
    reopened = open_env(env.locations)  # the next process
    try:
        assert reopened.runner.get(crashed.job_id).status == "cancelled"
        assert reopened.runner.resume() == []
    finally:
        reopened.close()


def test_shelf_api_validates_before_starting_a_job(locations: Locations) -> None:
    api = ShelfApi(locations)
    try:
        with pytest.raises(InvalidArgument):
            api.start_reclassify()
        with pytest.raises(ModelNotFound):
            api.start_reclassify(refs=["no-such-model"], dry_run=True)
        assert api.list_jobs() == []
        ref = api.start_reclassify(all=True, dry_run=True)
        info = api.jobs.wait(ref.job_id, WAIT_S)
        assert info.status == "done" and info.result == {
            "dry_run": True,
            "changed": [],
            "unchanged": 0,
            "errors": [],
        }
    finally:
        api.close()


def test_import_title_counts_planned_models_not_inputs(env: JobsEnv) -> None:
    src = env.locations.home.parent / "src"
    write_loras(src / "folder", 5)
    (src / "folder" / "readme.txt").write_text("not a model")
    job_id = start_import_of(env.runner, [str(src / "folder")])
    info = env.runner.wait(job_id, WAIT_S)
    assert info.status == "done" and info.title == "Import 5 models"
    titles = {e.payload.get("title") for e in env.of(job_id, "job.progress")}
    assert "Import 5 models" in titles  # the UI learns the new title from job.progress

    single = write_loras(src / "one", 1, first_seed=50)
    info = env.runner.wait(start_import_of(env.runner, [str(single[0])]), WAIT_S)
    planned_name = env.service.get_model(info.result[0]["id"]).name
    assert info.title == f"Import {planned_name}"
