"""`tensorshelf import --from-hf-cache [PATH] [--repo R… | --all] [--rehash]`: list the model
repos of a local Hugging Face cache, or adopt them (a thin adapter over ShelfApi)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tensorshelf.cli.output import emit, fail, human_size, plain

if TYPE_CHECKING:
    from rich.console import Console

    from tensorshelf.cli.state import CliState
    from tensorshelf.hf.local_cache import HfCacheListing


def adopt_from_hf_cache(
    state: CliState, path: str | None, repos: list[str], every: bool, rehash: bool
) -> None:
    from tensorshelf.cli.import_cmd import job_outcome_or_fail, print_import_results
    from tensorshelf.cli.jobwait import run_job
    from tensorshelf.hf.local_cache import RepoSnapshotRef

    api = state.api(create=True)
    listing = api.scan_hf_cache(path=path)
    if not repos and not every:
        emit(state, {"ok": True, **listing.model_dump(mode="json")}, lambda c: _print(c, listing))
        return
    by_id = {r.repo_id: r for r in listing.repos}
    unknown = [r for r in repos if r not in by_id]
    if unknown:
        fail(
            state,
            "not_in_cache",
            f"not in the cache at {listing.path}: {', '.join(unknown)} "
            f"(it holds: {', '.join(by_id) or 'no model repos'})",
        )
    chosen = [by_id[r] for r in repos] if repos else listing.repos
    refs = [RepoSnapshotRef(repo_id=r.repo_id, commit=r.snapshots[0].commit) for r in chosen]
    done = run_job(api, lambda: api.start_adopt(repos=refs, path=listing.path, trust=not rehash))
    job_outcome_or_fail(state, done)
    result: dict[str, Any] = done.result or {}
    adopted = result.get("repos") or []
    imported = [i for r in adopted for i in r.get("imported") or []]
    problems = [r["error"]["message"] for r in adopted if r.get("error")]
    failed = [i for i in imported if not i.get("ok")]

    def human(c: Console) -> None:
        print_import_results(c, imported)
        for message in problems:
            c.print(f"[red]{plain(message)}[/]")

    emit(state, {"ok": not (problems or failed), "job_id": done.job_id, **result}, human)
    if problems or failed:
        fail(state, "adopt_failed", f"{len(problems) + len(failed)} repo(s) or model(s) failed")


def _print(c: Console, listing: HfCacheListing) -> None:
    if not listing.repos:
        c.print(f"no model repos in the Hugging Face cache at {plain(listing.path)}")
        return
    c.print(f"Hugging Face cache at {plain(listing.path)}:")
    for repo in listing.repos:
        snap = repo.snapshots[0]
        refs = f" ({', '.join(snap.refs)})" if snap.refs else ""
        held = f", {snap.in_library} already in the library" if snap.in_library else ""
        c.print(
            f"  {plain(repo.repo_id)} @ {snap.commit[:12]}{refs}: {len(snap.files)} files, "
            f"{human_size(snap.size_bytes)}{held}"
        )
    c.print(
        "adopt with: tensorshelf import --from-hf-cache [PATH] --repo OWNER/NAME (or --all); "
        "the cache's SHA-256 are trusted unless --rehash"
    )
