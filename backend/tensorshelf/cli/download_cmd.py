"""`tensorshelf download REPO [FILE...] [--revision R]`: download files of a Hugging Face
repo (verified, resumable) and import them (a thin adapter over ShelfApi)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tensorshelf.cli.output import UsageError, emit, fail, handle_errors, plain
from tensorshelf.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import Console

LISTED = 40


@handle_errors
def download_cmd(
    ctx: typer.Context,
    repo: Annotated[str | None, typer.Argument(help="The repo (owner/name).")] = None,
    files: Annotated[
        list[str] | None,
        typer.Argument(help="Files or globs (`*Q4_K_M*.gguf`, `unet/*`); none: list them."),
    ] = None,
    revision: Annotated[str, typer.Option("--revision", help="Branch, tag or commit.")] = "main",
    complete: Annotated[
        str | None,
        typer.Option(
            "--complete",
            metavar="MODEL",
            help="Download the shards an incomplete sharded set lacks, into its own folder.",
        ),
    ] = None,
) -> None:
    """Download files of a Hugging Face repo, verified against their SHA-256, and import them."""
    from tensorshelf.cli.import_cmd import job_outcome_or_fail, print_import_results
    from tensorshelf.cli.jobwait import run_job
    from tensorshelf.io.diskspace import format_bytes

    state = get_state(ctx)
    api = state.api(create=True)
    if complete is not None:
        if repo or files:
            raise UsageError("--complete MODEL takes no repo or files: the model's repo is used")
        done = run_job(api, lambda: api.start_complete_shards(ref=complete), pause=True)
        job_outcome_or_fail(state, done)
        result = done.result or {}
        emit(
            state,
            {"ok": True, "job_id": done.job_id, **result},
            lambda c: c.print(
                f"{len(result.get('files') or [])} missing shard(s) downloaded, verified and "
                f"added to {plain(str(result.get('completed')))}"
            ),
        )
        return
    if repo is None:
        raise UsageError("name the repo (owner/name), or --complete MODEL")
    if not files:
        listing = api.list_repo_files(repo_id=repo, revision=revision)

        def human(c: Console) -> None:
            for f in listing.files[:LISTED]:
                c.print(f"{format_bytes(f.size):>10}  {plain(f.path)}")
            if len(listing.files) > LISTED:
                c.print(f"… and {len(listing.files) - LISTED} more")
            c.print("name the files (or globs) to download")

        emit(state, {"ok": True, **listing.model_dump(mode="json")}, human)
        return
    done = run_job(
        api, lambda: api.start_download(repo_id=repo, files=files, revision=revision), pause=True
    )
    job_outcome_or_fail(state, done)
    result = done.result or {}
    imported = list(result.get("imported") or [])
    failed = [r for r in imported if not r.get("ok")]
    emit(
        state,
        {"ok": not failed, "job_id": done.job_id, **result},
        lambda c: print_import_results(c, imported),
    )
    if failed:
        fail(state, "import_failed", f"{len(failed)} downloaded item(s) could not be imported")
