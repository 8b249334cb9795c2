"""Keeping the index honest: scan, rebuild, verify, reclassify."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tensorshelf.cli.output import (
    UsageError,
    cell,
    emit,
    handle_errors,
    human_size,
    plain,
    short_id,
)
from tensorshelf.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import Console

    from tensorshelf.error_info import ErrorInfo


def _print_problems(
    console: Console, phantoms: list[str], errors: list[ErrorInfo], unreadable: list[ErrorInfo]
) -> None:
    for phantom in phantoms:
        console.print(f"[yellow]phantom[/] (files missing, not indexed): {plain(phantom)}")
    if unreadable:
        console.print(
            f"[red]{len(unreadable)} unreadable[/] model folder(s) (metadata.json cannot be "
            "read; not listed until it is repaired):"
        )
    for e in errors:
        where = e.details.get("path") or e.details.get("ref") or "?"
        console.print(f"[red]error[/] {plain(where)}: {plain(e.message)}")


@handle_errors
def scan_cmd(ctx: typer.Context) -> None:
    """Reconcile the index with the library on disk (only changed model folders)."""
    state = get_state(ctx)
    report = state.api().scan()

    def human(c: Console) -> None:
        c.print(
            f"added {len(report.added)}, updated {len(report.updated)}, removed "
            f"{len(report.removed)}, unchanged {report.unchanged}"
        )
        _print_problems(c, report.phantoms, report.errors, report.unreadable)
        if report.staging_swept:
            c.print(
                f"swept {len(report.staging_swept)} stale staging entr"
                f"{'y' if len(report.staging_swept) == 1 else 'ies'}"
            )

    emit(state, {"ok": True, **report.model_dump(mode="json")}, human)


@handle_errors
def rebuild_cmd(ctx: typer.Context) -> None:
    """Rebuild models.db from every metadata.json (deep scan, swapped in when complete)."""
    from tensorshelf.cli.import_cmd import job_outcome_or_fail
    from tensorshelf.cli.jobwait import run_job
    from tensorshelf.library.models import RebuildReport

    state = get_state(ctx)
    api = state.api()
    done = run_job(api, api.start_rebuild)
    job_outcome_or_fail(state, done)
    report = RebuildReport.model_validate(done.result or {})

    def human(c: Console) -> None:
        c.print(f"indexed {report.models_indexed} of {report.models_found} model(s)")
        _print_problems(c, report.phantoms, report.errors, report.unreadable)

    emit(state, {"ok": True, "job_id": done.job_id, **report.model_dump(mode="json")}, human)


@handle_errors
def verify_cmd(
    ctx: typer.Context,
    models: Annotated[
        list[str] | None, typer.Argument(help="Models to verify (default: all).")
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full", help="Re-read every file, even unchanged ones the hash cache vouches for."
        ),
    ] = False,
) -> None:
    """Re-hash model files and compare with metadata.json. Exit 1 on any mismatch."""
    from tensorshelf.cli.import_cmd import job_outcome_or_fail
    from tensorshelf.cli.jobwait import run_job
    from tensorshelf.library.models import VerifyReport

    state = get_state(ctx)
    api = state.api()
    done = run_job(api, lambda: api.start_verify(refs=list(models or []) or None, full=full))
    job_outcome_or_fail(state, done)
    report = VerifyReport.model_validate(done.result or {})
    bad = [m for m in report.models if not m.ok]
    document: dict[str, Any] = {
        "ok": not bad,
        "job_id": done.job_id,
        **report.model_dump(mode="json"),
    }
    if bad:
        document["error"] = {
            "code": "verify_failed",
            "message": f"{len(bad)} model(s) failed verification",
            "details": {"failed": [m.id for m in bad]},
        }

    def human(c: Console) -> None:
        for m in report.models:
            if m.ok:
                c.print(f"[green]ok[/]        {plain(m.path)}")
                continue
            for f in m.files:
                if not f.ok:
                    c.print(f"[red]{f.status:<9}[/] {plain(m.path)}/{plain(f.path)}")
        c.print(
            f"{len(report.models) - len(bad)} of {len(report.models)} model(s) ok, "
            f"{human_size(report.bytes_read)} read"
        )

    emit(state, document, human)
    if bad:
        raise typer.Exit(1)


@handle_errors
def reclassify_cmd(
    ctx: typer.Context,
    models: Annotated[list[str] | None, typer.Argument(help="Models to re-classify.")] = None,
    all_models: Annotated[bool, typer.Option("--all", help="Re-classify every model.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would change.")
    ] = False,
) -> None:
    """Run the current detector again and re-file models whose classification changed."""
    from tensorshelf.cli.import_cmd import job_outcome_or_fail
    from tensorshelf.cli.jobwait import run_job
    from tensorshelf.library.models import ReclassifyReport

    state = get_state(ctx)
    if all_models == bool(models):
        raise UsageError("give either --all or one or more models")
    api = state.api()
    # start_reclassify resolves every named model first: an unknown one is exit 1 (no job).
    done = run_job(
        api,
        lambda: api.start_reclassify(
            refs=list(models or []) or None, all=all_models, dry_run=dry_run
        ),
    )
    job_outcome_or_fail(state, done)
    report = ReclassifyReport.model_validate(done.result or {"dry_run": dry_run})

    def human(c: Console) -> None:
        verb = "would change" if report.dry_run else "changed"
        for change in report.changed:
            fields = ", ".join(
                f"{k}: {cell(v[0])} → {cell(v[1])}" for k, v in change.changes.items()
            )
            c.print(
                f"{verb} {short_id(change.id)} {plain(change.old_path)}"
                + (f" → {plain(change.new_path)}" if change.new_path != change.old_path else "")
                + f" ({fields})"
            )
        c.print(f"{len(report.changed)} {verb}, {report.unchanged} unchanged")
        _print_problems(c, [], report.errors, [])

    document: dict[str, Any] = {
        "ok": not report.errors,
        "job_id": done.job_id,
        **report.model_dump(mode="json"),
    }
    if report.errors:
        document["error"] = {
            "code": "reclassify_failed",
            "message": f"{len(report.errors)} model(s) could not be re-classified",
            "details": {"failed": [e.details.get("ref") for e in report.errors]},
        }
    emit(state, document, human)
    if report.errors:
        raise typer.Exit(1)
