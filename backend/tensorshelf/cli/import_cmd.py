"""`tensorshelf import PATH...`: one import job through ShelfApi.start_import, waited for
with per-file progress."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tensorshelf.cli.output import UsageError, emit, fail, handle_errors, plain, short_id
from tensorshelf.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import Console

    from tensorshelf.jobs.models import JobDone
    from tensorshelf.library.models import ImportMode


def job_outcome_or_fail(state: Any, done: JobDone) -> None:
    """Exit 1 (with the job's error) unless the job ran to its end."""
    if done.status == "cancelled":
        fail(
            state,
            "cancelled",
            f"{done.kind} job {done.job_id} was cancelled",
            {"job_id": done.job_id},
            {"job_id": done.job_id, "result": done.result},
        )
    if done.status != "done":
        fail(
            state,
            "job_failed",
            done.error.message if done.error else f"{done.kind} job {done.job_id} failed",
            {"job_id": done.job_id, "status": done.status},
            {"job_id": done.job_id, "result": done.result},
        )


def import_results(done: JobDone) -> list[dict[str, Any]]:
    result = done.result
    if isinstance(result, dict):  # tolerate {"results": [...]}
        result = result.get("results")
    return list(result or [])


def print_import_results(console: Console, results: list[dict[str, Any]]) -> None:
    for r in results:
        source = plain(str(r.get("key") or "?"))
        if not r.get("ok"):
            message = plain((r.get("error") or {}).get("message", "failed"))
            console.print(f"[red]✗[/] {source}: {message}")
        elif r.get("duplicate_of"):
            console.print(
                f"[yellow]=[/] {source}: already in the library as "
                f"{short_id(r['duplicate_of'])} ({plain(str(r.get('path')))})"
            )
        else:
            console.print(
                f"[green]✓[/] {source} → {plain(str(r.get('path')))} "
                f"[dim](id {short_id(r.get('id'))})[/]"
            )
        for warning in r.get("warnings") or []:
            console.print(f"    [yellow]warning:[/] {plain(str(warning))}")
    failed = sum(1 for r in results if not r.get("ok"))
    known = sum(1 for r in results if r.get("ok") and r.get("duplicate_of"))
    console.print(
        f"{len(results) - failed - known} of {len(results)} imported"
        + (f", {known} already in the library" if known else "")
        + (f", {failed} failed" if failed else "")
    )


def report_import(state: Any, done: JobDone, extra: dict[str, Any] | None = None) -> None:
    """Print an import job's results; exit 1 if any item failed."""
    results = import_results(done)
    failed = [r for r in results if not r.get("ok")]
    document: dict[str, Any] = {"ok": not failed, "results": results, **(extra or {})}
    if failed:
        message = f"{len(failed)} of {len(results)} item(s) failed to import"
        document["error"] = {
            "code": "import_failed",
            "message": message,
            "details": {"failed": [r.get("key") for r in failed]},
        }

    def human(c: Any) -> None:
        print_import_results(c, results)
        lookup = document.get("lookup") or {}
        if lookup.get("skipped"):
            c.print(f"Hugging Face lookup skipped: {lookup['skipped']}")
        elif lookup.get("items"):
            from tensorshelf.cli.lookup_cmd import print_lookup
            from tensorshelf.library.models import LookupReport

            print_lookup(c, LookupReport.model_validate(lookup))

    emit(state, document, human)
    if failed:
        raise typer.Exit(1)


@handle_errors
def import_cmd(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to import (with --from-hf-cache: the cache)."),
    ] = None,
    move: Annotated[
        bool,
        typer.Option(
            "--move",
            help="Move instead of copy (rename on the "
            "same filesystem; else copy, verify, then delete).",
        ),
    ] = False,
    link: Annotated[
        bool, typer.Option("--link", help="Hard-link in place (same filesystem only).")
    ] = False,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    family: Annotated[str | None, typer.Option("--family", help="Override the family.")] = None,
    model_type: Annotated[
        str | None, typer.Option("--type", help="Override the model type.")
    ] = None,
    subtype: Annotated[str | None, typer.Option("--subtype", help="Override the subtype.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")] = None,
    no_lookup: Annotated[
        bool, typer.Option("--no-lookup", help="Skip the Hugging Face lookup.")
    ] = False,
    accept_pickle: Annotated[
        bool, typer.Option("--accept-pickle", help="Allow pickle-format files (.ckpt/.pt/.bin).")
    ] = False,
    from_hf_cache: Annotated[
        bool,
        typer.Option(
            "--from-hf-cache",
            help="List a Hugging Face cache's model repos (PATH, default HF_HUB_CACHE); "
            "with --repo/--all adopt them (read-only: linked or copied, never written).",
        ),
    ] = False,
    repo: Annotated[
        list[str] | None, typer.Option("--repo", help="With --from-hf-cache: adopt this repo.")
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="With --from-hf-cache: adopt every model repo.")
    ] = False,
    rehash: Annotated[
        bool,
        typer.Option("--rehash", help="With --from-hf-cache: hash every file, trust no name."),
    ] = False,
) -> None:
    """Import model files into the library (copy + hash in one pass)."""
    from tensorshelf.cli.jobwait import run_job
    from tensorshelf.library.models import ImportOptions

    state = get_state(ctx)
    if from_hf_cache:
        from tensorshelf.cli.adopt_cmd import adopt_from_hf_cache

        if paths and len(paths) > 1:
            raise UsageError("--from-hf-cache takes one cache folder")
        cache = str(paths[0].resolve()) if paths else None
        adopt_from_hf_cache(state, cache, list(repo or []), every, rehash)
        return
    if repo or every or rehash:
        raise UsageError("--repo, --all and --rehash go with --from-hf-cache")
    if not paths:
        raise UsageError("name the files or folders to import")
    if move and link:
        raise typer.BadParameter("--move and --link exclude each other", param_hint="--move")
    mode: ImportMode = "move" if move else "link" if link else "copy"
    options = ImportOptions(
        mode=mode,
        name=name,
        family=family,
        model_type=model_type,
        subtype=subtype,
        tags=list(tag or []),
        accept_pickle=accept_pickle,
        lookup=not no_lookup,
    )
    api = state.api(create=True)
    plan = api.plan_import(paths=[str(p) for p in paths])
    done = run_job(api, lambda: api.start_import(plan_id=plan.plan_id or "", options=options))
    job_outcome_or_fail(state, done)
    extra: dict[str, Any] = {}
    if options.lookup:
        from tensorshelf.cli.lookup_cmd import lookup_after_import

        new = [r["id"] for r in import_results(done) if r.get("ok") and not r.get("duplicate_of")]
        extra = lookup_after_import(api, new)
    report_import(state, done, extra)
