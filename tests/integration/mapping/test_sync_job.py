"""The Sync button's call: `start_sync` runs as a job whose `job.progress` counts links up to
the plan's size and whose `job.done` carries each app's counts; the job is listed like any
other; a resolution chosen in the preview applies (a user's file moved aside, never lost)."""

from __future__ import annotations

import threading
from pathlib import Path

from tensorshelf.api.shelf import ShelfApi
from tensorshelf.jobs.events import Event
from tensorshelf.settings import resolve_locations
from tests.fixtures.cli_runner import make_cli, write_lora
from tests.integration.mapping.test_cli_sync import fake_comfyui

LORAS = 6


def test_sync_job_pushes_progress_and_its_counts(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    sources = [write_lora(tmp_path / "src" / f"l{i}.safetensors", seed=i) for i in range(LORAS)]
    cli.json("import", "--no-lookup", *(str(s) for s in sources))
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    mine = comfy / "models" / "loras" / "l0.safetensors"
    mine.write_bytes(b"the user's own file")

    api = ShelfApi(resolve_locations(cli.home, cli.library), bridge="web")
    events: list[Event] = []
    finished = threading.Event()

    def on_event(event: Event) -> None:
        if event.payload.get("kind") == "sync":
            events.append(event)
            if event.type == "job.done":
                finished.set()

    api.bus.subscribe(on_event)
    try:
        app = api.add_app(str(comfy), sync=False).app
        (plan,) = api.plan_sync()
        assert len(plan.to_create) == LORAS - 1 and len(plan.conflicts) == 1
        ref = api.start_sync(resolutions={"loras/l0.safetensors": "replace"})
        assert finished.wait(60), events
        progress = [e.payload for e in events if e.type == "job.progress"]
        assert progress and progress[-1]["items_done"] == progress[-1]["items_total"] == LORAS
        done = events[-1].payload
        assert done["job_id"] == ref.job_id and done["status"] == "done"
        (result,) = done["result"]["results"]
        assert result["app_id"] == app.id and result["created"] == LORAS
        assert (mine.parent / "l0.safetensors.old").read_bytes() == b"the user's own file"
        (job,) = [j for j in api.list_jobs() if j.job_id == ref.job_id]
        assert job.kind == "sync" and job.status == "done" and job.problems == 0
        assert api.plan_sync()[0].empty
    finally:
        api.close()
