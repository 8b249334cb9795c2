"""`tensorshelf lookup [MODEL... | --pending]`: identify models on Hugging Face (as a job),
and the lookup that follows an import (thin adapters over ShelfApi)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tensorshelf.cli.output import emit, fail, handle_errors, plain
from tensorshelf.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import Console

    from tensorshelf.api.shelf import ShelfApi
    from tensorshelf.library.models import LookupReport

BADGES = {
    ("hash", False): "Verified",
    ("filename_exact", False): "High confidence",
    ("filename_exact", True): "Modified version",
    ("filename_fuzzy", False): "Low confidence (confirm it)",
    ("none", False): "No match",
}


def badge(method: str, mismatch: bool, status: str) -> str:
    if status == "pending":
        return "Pending (the Hub could not be asked)"
    return BADGES.get((method, mismatch), method)


def print_lookup(c: Console, report: LookupReport) -> None:
    for item in report.items:
        where = f" {plain(item.repo_id)}" if item.repo_id else ""
        why = f" — {plain(item.problem)}" if item.problem else ""
        verdict = (
            f"{item.update}: {item.update_detail}"
            if item.update
            else badge(item.match_method, item.hash_mismatch, item.status)
        )
        c.print(f"{plain(item.name)}: {verdict}{where}{why}")


def run_lookup(
    api: ShelfApi, refs: list[str] | None, pending: bool, updates: bool = False, quick: bool = False
) -> tuple[str, LookupReport]:
    from tensorshelf.cli.jobwait import run_job
    from tensorshelf.library.models import LookupReport

    done = run_job(
        api, lambda: api.start_lookup(refs=refs, pending=pending, updates=updates, quick=quick)
    )
    return done.job_id, LookupReport.model_validate(done.result or {})


def lookup_after_import(api: ShelfApi, ids: list[str]) -> dict[str, Any]:
    """The import's lookup of the models it added: skipped (they stay pending) when offline."""
    from tensorshelf.network.offline import offline_reason

    reason = offline_reason(api.get_settings().offline)
    if not ids:
        return {}
    if reason is not None:
        return {"lookup": {"skipped": f"offline ({reason}); the models stay pending"}}
    job_id, report = run_lookup(api, ids, False, quick=True)
    return {"lookup": {"job_id": job_id, **report.model_dump(mode="json")}}


@handle_errors
def lookup_cmd(
    ctx: typer.Context,
    models: Annotated[list[str] | None, typer.Argument(help="Models to look up.")] = None,
    pending: Annotated[
        bool, typer.Option("--pending", help="Every model still waiting for a lookup.")
    ] = False,
    repo: Annotated[
        str | None,
        typer.Option("--repo", help="Say the model comes from this repo (owner/name): manual."),
    ] = None,
    no_match: Annotated[
        bool, typer.Option("--no-match", help="Say the model is not on the Hub: manual.")
    ] = False,
    updates: Annotated[
        bool,
        typer.Option("--updates", help="Check matched models for newer bytes (changes nothing)."),
    ] = False,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            metavar="TEXT",
            help="Find repos on the Hub ('' with one MODEL: by its cleaned name); changes nothing.",
        ),
    ] = None,
) -> None:
    """Identify models on Hugging Face from their recorded hashes (nothing is read again);
    --repo / --no-match record your own answer, which no lookup overwrites."""
    state = get_state(ctx)
    if search is not None:
        if len(models or []) > 1:
            fail(state, "invalid_argument", "--search takes at most one model")
        found = state.api().search_hub(query=search, ref=models[0] if models else None)

        def human(c: Console) -> None:
            c.print(f"Hugging Face repos for {plain(found.query)!r}:")
            for hit in found.hits:
                tag = f" ({hit.pipeline_tag})" if hit.pipeline_tag else ""
                c.print(f"  {plain(hit.repo_id)}{tag} — {hit.downloads:,} downloads")
            if not found.hits:
                c.print("  nothing found")

        emit(state, {"ok": True, **found.model_dump(mode="json")}, human)
        return
    if repo is not None or no_match:
        if len(models or []) != 1 or pending or (repo is not None and no_match):
            fail(state, "invalid_argument", "--repo or --no-match takes exactly one model")
        meta = state.api().set_match(ref=(models or [""])[0], repo_id=repo)
        emit(
            state,
            {"ok": True, "model": meta.model_dump(mode="json")},
            lambda c: c.print(
                f"{plain(meta.name)}: {meta.repo_id or 'not on the Hub'} (manual; lookups keep it)"
            ),
        )
        return
    if not models and not pending and not updates:
        fail(state, "invalid_argument", "name models to look up, or pass --pending / --updates")
    job_id, report = run_lookup(state.api(), list(models or []) or None, pending, updates)
    emit(
        state,
        {"ok": True, "job_id": job_id, **report.model_dump(mode="json")},
        lambda c: print_lookup(c, report),
    )
