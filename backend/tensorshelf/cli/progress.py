"""Job progress on stderr, fed by EventBus events (`job.progress`, `job.item_done`,
`job.done`). On a terminal: rich bars (bytes/s, ETA) for the job and the file in flight.
Otherwise: one plain line per finished item, so logs and tests can follow along."""

from __future__ import annotations

import sys
import threading
from typing import Any, Protocol

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TextColumn
from rich.text import Text

from tensorshelf.cli.output import human_size, plain, visible
from tensorshelf.jobs.events import Event
from tensorshelf.jobs.models import EVENT_JOB_DONE, EVENT_JOB_ITEM_DONE, EVENT_JOB_PROGRESS
from tensorshelf.settings import CLI_PROGRESS_REFRESH_PER_S

_FINISHED_STAGES = frozenset({"done", "failed", "duplicate", "skipped"})
_SECONDS_PER_MINUTE = 60
_SECONDS_PER_HOUR = 3600


class ProgressView(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def on_event(self, event: Event) -> None: ...
    def note(self, message: str) -> None: ...


def format_eta(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return "-:--"
    s = int(seconds + 0.5)
    if s >= _SECONDS_PER_HOUR:
        return f"{s // _SECONDS_PER_HOUR}:{s % _SECONDS_PER_HOUR // 60:02d}:{s % 60:02d}"
    return f"{s // _SECONDS_PER_MINUTE}:{s % _SECONDS_PER_MINUTE:02d}"


def _describe_reclassify(result: dict[str, Any]) -> str | None:
    if result.get("error"):
        return f"error {result.get('ref')}: {result['error']}"
    change = result.get("change")
    if not change:
        return None  # unchanged: counted, not listed
    where = change.get("old_path")
    if change.get("new_path") != where:
        where = f"{where} -> {change.get('new_path')}"
    return f"re-classified {where} ({', '.join(change.get('changes') or {})})"


def describe_item_result(result: dict[str, Any]) -> str | None:
    """One human line for an ImportResult, ModelVerification or ReclassifyItem (as JSON);
    None for an item not worth a line (a model reclassify left unchanged)."""
    if "ref" in result and "change" in result:  # a ReclassifyItem
        return _describe_reclassify(result)
    label = result.get("key") or result.get("path") or result.get("id") or "?"
    if "files" in result and "ok" in result:  # a ModelVerification
        bad = [f["path"] for f in result["files"] if not f.get("ok")]
        return (
            f"verified {result.get('path')}"
            if result["ok"]
            else f"MISMATCH {result.get('path')}: {', '.join(bad)}"
        )
    if not result.get("ok"):
        message = (result.get("error") or {}).get("message", "failed")
        return f"failed {label}: {message}"
    if result.get("duplicate_of"):
        return f"duplicate {label} (already in the library as {result['duplicate_of']})"
    return f"imported {label} -> {result.get('path')}"


class _CountColumn(ProgressColumn):
    """ "1.2/3.4 GiB" for byte-counted tasks, "7/20" for item-counted ones."""

    def render(self, task: Task) -> Text:
        if task.fields.get("unit") == "bytes":
            return Text(f"{human_size(int(task.completed))}/{human_size(int(task.total or 0))}")
        return Text(f"{int(task.completed)}/{int(task.total or 0)}")


class _RateEtaColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        if task.fields.get("unit") != "bytes":
            return Text("")
        rate = task.fields.get("rate_bps") or task.speed or 0.0
        return Text(f"{human_size(int(rate))}/s  ETA {format_eta(task.fields.get('eta_s'))}")


class RichProgressView:
    """Bars on stderr: one per job, one per file being copied or hashed. Per-item outcomes
    are left to the command's own summary."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            _CountColumn(),
            _RateEtaColumn(),
            console=console,
            refresh_per_second=CLI_PROGRESS_REFRESH_PER_S,
            transient=True,
        )
        self._jobs: dict[str, TaskID] = {}
        self._items: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self._progress.start()

    def stop(self) -> None:
        self._progress.stop()

    def note(self, message: str) -> None:
        self._progress.console.print(escape(message), highlight=False)

    def on_event(self, event: Event) -> None:
        payload = event.payload
        with self._lock:
            if event.type == EVENT_JOB_PROGRESS:
                self._job_progress(payload)
            elif event.type == EVENT_JOB_DONE:
                task = self._jobs.pop(payload.get("job_id", ""), None)
                if task is not None:
                    self._progress.remove_task(task)

    def _job_progress(self, p: dict[str, Any]) -> None:
        by_bytes = bool(p.get("bytes_total"))
        total, done = (
            (p["bytes_total"], p["bytes_done"])
            if by_bytes
            else (p.get("items_total") or 0, p.get("items_done") or 0)
        )
        description = f"{p.get('kind', 'job')} {p.get('items_done', 0)}/{p.get('items_total', 0)}"
        fields: dict[str, Any] = {
            "unit": "bytes" if by_bytes else "items",
            "rate_bps": p.get("rate_bps"),
            "eta_s": p.get("eta_s"),
        }
        job_id = p.get("job_id", "")
        if job_id not in self._jobs:
            self._jobs[job_id] = self._progress.add_task(description, total=total, **fields)
        self._progress.update(
            self._jobs[job_id], description=description, total=total, completed=done, **fields
        )
        item = p.get("item")
        if item:
            self._item_progress(item)

    def _item_progress(self, item: dict[str, Any]) -> None:
        key = item.get("key", "")
        if item.get("stage") in _FINISHED_STAGES:
            task = self._items.pop(key, None)
            if task is not None:
                self._progress.remove_task(task)
            return
        description = plain(f"  {item.get('file', key)} [{item.get('stage')}]")
        fields: dict[str, Any] = {
            "unit": "bytes",
            "rate_bps": item.get("rate_bps"),
            "eta_s": item.get("eta_s"),
        }
        if key not in self._items:
            self._items[key] = self._progress.add_task(
                description, total=item.get("bytes_total"), **fields
            )
        self._progress.update(
            self._items[key],
            description=description,
            total=item.get("bytes_total") or None,
            completed=item.get("bytes_done", 0),
            **fields,
        )


class LineProgressView:
    """Plain lines on stderr (not a terminal): one per finished item."""

    def __init__(self, stream: Any = None) -> None:
        self._stream = stream or sys.stderr
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._totals: dict[str, int] = {}

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def note(self, message: str) -> None:
        with self._lock:
            self._stream.write(message + "\n")
            self._stream.flush()

    def on_event(self, event: Event) -> None:
        payload = event.payload
        job_id = payload.get("job_id", "")
        if event.type == EVENT_JOB_PROGRESS:
            self._totals[job_id] = payload.get("items_total") or 0
            # a resumed job starts with the items an earlier run finished
            self._counts.setdefault(job_id, payload.get("items_done") or 0)
        elif event.type == EVENT_JOB_ITEM_DONE:
            self._counts[job_id] = self._counts.get(job_id, 0) + 1
            total = self._totals.get(job_id) or "?"
            line = describe_item_result(payload.get("result") or {})
            if line is not None:
                self.note(f"[{self._counts[job_id]}/{total}] {visible(line)}")


def make_view(console: Console | None = None) -> ProgressView:
    console = console or Console(stderr=True)
    if console.is_terminal:
        return RichProgressView(console)
    return LineProgressView()
