"""The CLI's progress views and formatting helpers, fed with real EventBus events."""

from __future__ import annotations

import io

from rich.console import Console

from tensorshelf.cli.output import human_size, short_id
from tensorshelf.cli.progress import (
    LineProgressView,
    RichProgressView,
    describe_item_result,
    format_eta,
)
from tensorshelf.jobs.events import EventBus
from tensorshelf.jobs.models import JobProgress
from tests.fixtures.payloads import Payload

JOB = "job-1"
GIB = 1024**3


def _progress(items_done: int, bytes_done: int, stage: str = "copying") -> JobProgress:
    return JobProgress.model_validate(
        {
            "job_id": JOB,
            "kind": "import",
            "items_done": items_done,
            "items_total": 2,
            "bytes_done": bytes_done,
            "bytes_total": 2 * GIB,
            "rate_bps": 500e6,
            "eta_s": 3.0,
            "item": {
                "key": "/src/a.safetensors",
                "file": "a.safetensors",
                "stage": stage,
                "bytes_done": bytes_done,
                "bytes_total": GIB,
                "rate_bps": 500e6,
                "eta_s": 1.0,
            },
        }
    )


def _ok(key: str) -> dict:
    return {"ok": True, "key": key, "id": "01ABC", "path": "diffusion/sd1/a", "warnings": []}


def _feed(bus: EventBus) -> None:
    bus.publish("job.progress", _progress(0, GIB // 2))
    bus.publish("job.progress", _progress(0, GIB, stage="done"))
    bus.publish("job.item_done", Payload(job_id=JOB, kind="import", result=_ok("/src/a")))
    bus.publish(
        "job.item_done",
        Payload(
            job_id=JOB,
            kind="import",
            result={
                "ok": False,
                "key": "/src/b",
                "error": {"code": "x", "message": "bad header"},
            },
        ),
    )
    bus.publish("job.done", Payload(job_id=JOB, kind="import", status="done"))


def test_format_helpers() -> None:
    assert format_eta(None) == "-:--"
    assert format_eta(65.4) == "1:05"
    assert format_eta(3725) == "1:02:05"
    assert human_size(512) == "512 B"
    assert human_size(3 * GIB) == "3.0 GiB"
    assert short_id("01a1fed2-b3d6-74d5-a099-977f3a5a4f66") == "977f3a5a4f66"  # the random end


def test_describe_item_results() -> None:
    assert describe_item_result(_ok("/src/a")) == "imported /src/a -> diffusion/sd1/a"
    assert "already in the library as 01X" in describe_item_result(
        {**_ok("/src/a"), "duplicate_of": "01X"}
    )
    assert describe_item_result({"ok": False, "key": "/k", "error": {"message": "boom"}}) == (
        "failed /k: boom"
    )
    verification = {
        "id": "1",
        "path": "p",
        "ok": False,
        "files": [{"path": "w.safetensors", "ok": False}],
    }
    assert describe_item_result(verification) == "MISMATCH p: w.safetensors"
    # reclassify: a line per change or error; an unchanged model is counted, not listed
    assert describe_item_result({"ref": "m1", "change": None, "error": None}) is None
    assert describe_item_result({"ref": "m1", "change": None, "error": "not a model"}) == (
        "error m1: not a model"
    )
    change = {
        "id": "m1",
        "old_path": "diffusion/sd2/x",
        "new_path": "diffusion/sd1/x",
        "changes": {"family": ["sd2", "sd1"]},
    }
    assert describe_item_result({"ref": "m1", "change": change, "error": None}) == (
        "re-classified diffusion/sd2/x -> diffusion/sd1/x (family)"
    )


def test_line_view_prints_one_line_per_finished_item() -> None:
    stream = io.StringIO()
    bus = EventBus()
    view = LineProgressView(stream)
    bus.subscribe(view.on_event)
    _feed(bus)
    assert stream.getvalue().splitlines() == [
        "[1/2] imported /src/a -> diffusion/sd1/a",
        "[2/2] failed /src/b: bad header",
    ]


def test_rich_view_draws_bars_and_notes_on_a_terminal() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=120)
    bus = EventBus()
    view = RichProgressView(console)
    bus.subscribe(view.on_event)
    view.start()
    bus.publish("job.progress", _progress(0, GIB // 2))
    console.print()  # let the live display render once
    view._progress.refresh()
    rendered = stream.getvalue()
    assert "a.safetensors [copying]" in rendered
    assert "ETA 0:03" in rendered and "476.8 MiB/s" in rendered
    _feed(bus)
    view.stop()
    assert not view._items and not view._jobs  # finished files and jobs were removed
