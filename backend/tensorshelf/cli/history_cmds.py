"""`tensorshelf history [--undo BATCH [--yes]]` (the import batches, undoing one) and
`tensorshelf stats` (disk use, savings, growth): thin adapters over ShelfApi."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tensorshelf.cli.output import (
    confirm_or_fail,
    emit,
    handle_errors,
    human_size,
    plain,
    short_id,
)
from tensorshelf.cli.state import CliState, get_state

if TYPE_CHECKING:
    from rich.console import Console

    from tensorshelf.jobs.history import ImportBatch
    from tensorshelf.library.query_models import LibraryStats, UsageRow


def _when(stamp: str) -> str:
    return stamp.replace("T", " ").rstrip("Z")[:16]


def _print_batches(console: Console, batches: list[ImportBatch]) -> None:
    from rich.table import Table

    from tensorshelf.jobs.history import short_batch

    if not batches:
        console.print("no imports yet: tensorshelf import PATH...")
        return
    table = Table("batch", "when", "source", "new", "dup", "failed", "in library",
                  "status", show_edge=False, header_style="bold")  # fmt: skip
    for b in batches:
        table.add_row(
            short_batch(b.batch_id),
            _when(b.started_at),
            plain(b.source or "—"),
            str(b.new),
            str(b.duplicates),
            f"[red]{b.failed}[/]" if b.failed else "0",
            f"{b.in_library} of {b.new}" if b.new else "—",
            b.status,
        )
    console.print(table)
    console.print("undo one: tensorshelf history --undo BATCH")


@handle_errors
def history_cmd(
    ctx: typer.Context,
    undo: Annotated[
        str | None,
        typer.Option("--undo", metavar="BATCH", help="Remove the models this import added."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """The import batches (source, time, new / duplicate / failed, the models each added);
    with --undo, remove exactly the models one batch added (never your source files)."""
    state = get_state(ctx)
    api = state.api()
    if undo is None:
        batches = api.list_history()
        emit(state, {"ok": True, "batches": batches}, lambda c: _print_batches(c, batches))
        return
    batch = api.get_import_batch(batch_id=undo)  # an unknown or ambiguous ref stops here
    if not yes:
        _confirm_undo(state, batch)
    report = api.undo_import(batch_id=batch.batch_id)
    failed = report.failed
    document: dict[str, Any] = {"ok": not failed, **report.model_dump(mode="json")}
    if failed:
        document["error"] = {
            "code": "undo_incomplete",
            "message": f"{len(failed)} model(s) of the import were kept in the library",
            "details": {"kept": [r.id for r in failed]},
        }

    def human(console: Console) -> None:
        if not report.results:
            console.print("nothing to undo: the models of this import are no longer there")
        for r in report.results:
            if r.removed:
                back = f"; put back {plain(r.restored[0])}" if r.restored else ""
                if len(r.restored) > 1:
                    back += f" and {len(r.restored) - 1} more file(s)"
                console.print(f"removed {plain(r.path)} ({short_id(r.id)}){back}")
            else:
                reason = r.error.message if r.error else "unknown reason"
                console.print(f"[red]kept[/] {plain(r.path)}: {plain(reason)}")

    emit(state, document, human)
    if failed:
        raise typer.Exit(1)


def _confirm_undo(state: CliState, batch: ImportBatch) -> None:
    confirm_or_fail(
        state,
        f"Remove the {batch.in_library} model(s) the import of {_when(batch.started_at)} from "
        f"{batch.source or 'several folders'} added? (your source files are not touched)",
        "undo an import",
        "nothing removed",
        (f"  {m.path}  ({short_id(m.id)})" for m in batch.models if m.in_library),
    )


def _usage_lines(console: Console, title: str, rows: list[UsageRow], total: int) -> None:
    console.print(f"[bold]{title}[/]")
    for row in rows:
        share = row.bytes * 100 / total if total else 0.0
        console.print(
            f"  {plain(row.key):<24} {human_size(row.bytes):>10}  {share:5.1f} %  "
            f"{row.models} model(s)"
        )


@handle_errors
def stats_cmd(ctx: typer.Context) -> None:
    """Disk use per type, family and format, the space linking saved per app, duplicates
    avoided, the largest models and growth per month."""
    state = get_state(ctx)
    stats = state.api().get_stats()
    emit(state, {"ok": True, "stats": stats}, lambda c: _print_stats(c, stats))


def _print_stats(console: Console, s: LibraryStats) -> None:
    console.print(f"{s.models} model(s), {human_size(s.bytes)}")
    _usage_lines(console, "By type", s.by_type, s.bytes)
    _usage_lines(console, "By kind", s.by_kind, s.bytes)
    _usage_lines(console, "By family", s.by_family, s.bytes)
    _usage_lines(console, "By format", s.by_format, s.bytes)
    console.print("[bold]Space saved by linking instead of copying[/]")
    for row in s.linked:
        console.print(f"  {plain(row.key):<24} {human_size(row.bytes):>10}  {row.models} model(s)")
    if not s.linked:
        console.print("  no apps registered: tensorshelf apps add PATH")
    console.print(
        f"[bold]Duplicates avoided[/]: {s.duplicates_avoided} "
        f"({human_size(s.duplicate_bytes_avoided)} not stored twice)"
    )
    console.print("[bold]Largest models[/]")
    for m in s.largest:
        console.print(f"  {human_size(m.size_bytes):>10}  {plain(m.name)} ({short_id(m.id)})")
    console.print("[bold]Growth[/]")
    for g in s.growth:
        console.print(
            f"  {g.month}  +{g.models} model(s), +{human_size(g.bytes)} → "
            f"{human_size(g.total_bytes)}"
        )
