"""`tensorshelf jobs`: list jobs (incl. interrupted ones), resume them, cancel one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tensorshelf.cli.output import UsageError, emit, handle_errors, human_size, plain
from tensorshelf.cli.state import CliState, get_state

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from tensorshelf.jobs.models import JobDone, JobInfo


def _progress_cell(j: JobInfo) -> str:
    text = f"{j.items_done}/{j.items_total}"
    if j.bytes_total:
        text += f" · {human_size(j.bytes_total)}"
        if j.bytes_done < j.bytes_total:
            text += f" ({j.bytes_done * 100 // j.bytes_total}%)"
    if j.bytes_read is not None:
        text += f" · {human_size(j.bytes_read)} read"
    return text


def status_text(status: str, problems: int) -> str:
    """A finished job that went wrong for some items says so, with how many."""
    if status == "done" and problems:
        return f"finished with problems ({problems})"
    return status


def _jobs_table(jobs: list[JobInfo]) -> Table:
    from rich.table import Table

    table = Table(
        "job",
        "kind",
        "status",
        "progress",
        "updated",
        "title",
        show_edge=False,
        header_style="bold",
    )
    for j in jobs:
        style = {"interrupted": "yellow", "failed": "red", "running": "cyan"}.get(j.status, "")
        if j.problems and j.status == "done":
            style = "red"
        status = status_text(j.status, j.problems)
        table.add_row(
            j.job_id,
            j.kind,
            f"[{style}]{status}[/]" if style else status,
            _progress_cell(j),
            j.updated_at.replace("T", " ").rstrip("Z"),
            plain(j.title),
        )
    return table


def _resume(state: CliState) -> None:
    from tensorshelf.cli.import_cmd import import_results, print_import_results
    from tensorshelf.cli.jobwait import JobWatcher

    api = state.api()
    with JobWatcher(api) as watcher:
        refs = api.resume_jobs()
        done = watcher.wait([r.job_id for r in refs])
    finished: list[JobDone] = list(done.values())
    results = [r for d in finished if d.kind == "import" for r in import_results(d)]
    bad_jobs = [d for d in finished if d.status != "done"]
    bad_items = [r for r in results if not r.get("ok")]
    document: dict[str, Any] = {
        "ok": not bad_jobs and not bad_items,
        "jobs": finished,
        "results": results,
    }
    if bad_jobs or bad_items:
        document["error"] = {
            "code": "resume_failed",
            "message": f"{len(bad_jobs)} job(s) did not finish, {len(bad_items)} item(s) failed",
            "details": {"jobs": [d.job_id for d in bad_jobs]},
        }

    def human(c: Console) -> None:

        if not finished:
            c.print("no interrupted jobs")
            return
        for d in finished:
            c.print(
                f"job {d.job_id} ({d.kind}): {d.status}"
                + (f" — {plain(d.error.message)}" if d.error else "")
            )
        if results:
            print_import_results(c, results)

    emit(state, document, human)
    if bad_jobs or bad_items:
        raise typer.Exit(1)


@handle_errors
def jobs_cmd(
    ctx: typer.Context,
    resume: Annotated[
        bool, typer.Option("--resume", help="Resume interrupted jobs and wait for them.")
    ] = False,
    cancel: Annotated[
        str | None, typer.Option("--cancel", metavar="ID", help="Cancel a running job.")
    ] = None,
) -> None:
    """List jobs (running, finished, interrupted); resume or cancel them."""
    state = get_state(ctx)
    if resume and cancel:
        raise UsageError("--resume and --cancel exclude each other")
    if resume:
        _resume(state)
        return
    api = state.api()
    if cancel:
        info = api.cancel_job(job_id=cancel)
        emit(
            state, {"ok": True, "job": info}, lambda c: c.print(f"job {info.job_id}: {info.status}")
        )
        return
    jobs = api.list_jobs()

    def human(c: Console) -> None:
        if not jobs:
            c.print("no jobs")
            return
        c.print(_jobs_table(jobs))
        if any(j.status == "interrupted" for j in jobs):
            c.print("resume interrupted jobs with: tensorshelf jobs --resume")

    emit(state, {"ok": True, "jobs": jobs}, human)
