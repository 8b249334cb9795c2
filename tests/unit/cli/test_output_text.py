"""Human CLI output stays readable with hostile names: a newline in a file name must not
split a table row or a progress line, an RTL override must not display a name reversed,
and markup in a tag is text. A resumed job's progress lines count on from the items an
earlier run finished."""

from __future__ import annotations

import io
from types import SimpleNamespace

from rich.console import Console

from tensorshelf.cli.output import cell, models_table, visible
from tensorshelf.cli.progress import LineProgressView
from tensorshelf.jobs.events import Event

JOB = "job-r"


def _render(renderable: object) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None).print(renderable)
    return buffer.getvalue()


def test_visible_escapes_controls_and_bidi_overrides_only() -> None:
    assert visible("new\nline") == "new\\nline"
    assert visible("\u202eevil\u202dgnp") == "\\u202eevil\\u202dgnp"
    assert visible("a\x1b[31mred") == "a\\x1b[31mred"
    for kept in ("🦙 llama 🔥", "Café", "模型", "👨\u200d👩\u200d👧"):  # ZWJ emoji intact
        assert visible(kept) == kept


def test_table_row_of_a_hostile_name_stays_on_one_line() -> None:
    model = SimpleNamespace(
        id="01a",
        name="new\nline \u202egnp",
        model_type="other",
        subtype=None,
        family=None,
        size_bytes=1,
        tags=["[bold]x[/bold]"],
    )
    lines = [ln for ln in _render(models_table([model])).splitlines() if "01a" in ln]
    assert len(lines) == 1 and "new\\nline \\u202egnp" in lines[0], lines
    assert "[bold]x[/bold]" in lines[0]  # a tag is text, not markup
    assert cell(["a\nb"]) == "a\\nb"


def test_resumed_job_counts_on_from_the_finished_items() -> None:
    stream = io.StringIO()
    view = LineProgressView(stream)
    view.on_event(Event("job.progress", {"job_id": JOB, "items_done": 4, "items_total": 8}))
    result = {"ok": True, "key": "/src/new\nline.safetensors", "path": "other/unknown/x"}
    view.on_event(Event("job.item_done", {"job_id": JOB, "result": result}))
    assert stream.getvalue() == ("[5/8] imported /src/new\\nline.safetensors -> other/unknown/x\n")
