"""The download job: fetch the chosen files of one Hub repo (each verified against its SHA-256,
resumable: see hf.download) into `<state>/downloads/<owner--name>@<revision>/`, then publish
them through the normal import path (moved in; a shard set or a diffusers folder keeps its
relative paths), so they are detected, indexed and synced like any import, and record each
as Verified from that repo. Finished files are checkpointed: a resumed job skips them and
continues a partial one where it stopped."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tensorshelf import settings
from tensorshelf.errors import DiskFull, InvalidArgument, OperationCancelled
from tensorshelf.hf.download import fetch
from tensorshelf.io.diskspace import format_bytes, free_bytes
from tensorshelf.io.types import FileHashes
from tensorshelf.jobs.models import JobStatus
from tensorshelf.jobs.repo_publish import publish_repo_files

if TYPE_CHECKING:
    from tensorshelf.hf.session import HubSession
    from tensorshelf.jobs.tasks import JobContext, Outcome

log = logging.getLogger(__name__)


def download_root(state_dir: Path, repo_id: str, revision: str) -> Path:
    """Where a repo's files are downloaded to: `…/<owner--name>@<revision>/<name>/<path>`
    (the last folder is the repo's name: a folder import is named after it)."""
    holder = state_dir / settings.DOWNLOADS_DIR / f"{repo_id.replace('/', '--')}@{revision}"
    return holder / repo_id.rsplit("/", 1)[-1]


def _complete(
    ctx: JobContext, root: Path, files: list[str], repo_id: str, commit: str | None
) -> dict[str, Any]:
    """Put the downloaded shards into the model's own folder (it keeps its id) — beside the
    shards it has — and list them in its metadata.json."""
    from tensorshelf.library.shard_completion import AddedFile

    model_id, folder = ctx.params["complete"], ctx.params.get("folder") or ""
    done = ctx.store.checkpoints(ctx.job_id)
    added = [
        AddedFile(
            rel=f"{folder}/{Path(p).name}" if folder else Path(p).name,
            source=root / p,
            hashes=FileHashes.model_validate(done[p]),
        )
        for p in files
    ]
    meta = ctx.service.add_files(model_id, added)
    ctx.library_changed([meta.id], "edit")
    shutil.rmtree(root.parent, ignore_errors=True)  # ours, in the state dir: nothing lost
    return {"repo_id": repo_id, "revision": commit, "files": files, "completed": meta.id}


def discard_partials(state_dir: Path, params: dict[str, Any]) -> None:
    """A paused download cancelled for good: its partial files (ours, in the state dir) go."""
    root = download_root(state_dir, params["repo_id"], params.get("revision") or "main")
    shutil.rmtree(root.parent, ignore_errors=True)


def check_space(root: Path, library: Path, remaining: int) -> None:
    """DiskFull unless the downloads folder (and the library, when elsewhere) can hold it."""
    for where in {root, library}:
        free = free_bytes(where)
        if free < remaining:
            raise DiskFull(
                f"{format_bytes(remaining)} to download, only {format_bytes(free)} free at {where}",
                path=str(where),
            )


def run_download(ctx: JobContext) -> Outcome:
    hub: HubSession | None = ctx.hub
    if hub is None:
        raise InvalidArgument("this job runner has no Hugging Face session")
    api = hub.api()
    repo_id, revision = ctx.params["repo_id"], ctx.params.get("revision") or "main"
    files: list[str] = list(ctx.params["files"])
    sizes: dict[str, int] = dict(ctx.params.get("sizes") or {})
    root = download_root(hub.state_dir, repo_id, revision)
    done = ctx.store.checkpoints(ctx.job_id)
    tracker = ctx.tracker
    tracker.set_totals(len(files), sum(sizes.get(p, 0) for p in files))
    tracker.skip(sum(1 for p in files if p in done), sum(sizes.get(p, 0) for p in done))
    tracker.publish()
    check_space(root, ctx.service.root, sum(sizes.get(p, 0) for p in files if p not in done))
    commit: str | None = next((d.get("commit") for d in done.values() if d.get("commit")), None)
    status: JobStatus = "done"
    try:
        for path in files:
            if path in done:
                continue
            if ctx.cancel.cancelled:
                status = "cancelled"
                break
            tracker.start_item(sizes.get(path, 0), path)
            hashes, resolved = fetch(
                api, repo_id, path, revision, root / path, tracker.on_bytes, ctx.cancel
            )
            commit = resolved.commit or commit
            ctx.service.hash_cache.put(root / path, hashes)  # the import need not hash it again
            data = {**hashes.model_dump(mode="json"), "commit": resolved.commit}
            ctx.store.add_checkpoint(ctx.job_id, path, data)
            ctx.item_done({"path": path, **data}, key=path)
    except OperationCancelled:
        status = "cancelled"
    if status != "done":
        if not ctx.cancel.paused:  # cancelled for good: its partial files go
            discard_partials(hub.state_dir, ctx.params)
        return status, {"repo_id": repo_id, "files": list(done), "imported": []}
    if ctx.params.get("complete"):
        return "done", _complete(ctx, root, files, repo_id, commit)
    imported = publish_repo_files(ctx, hub, root, files, repo_id, commit or revision, "move")
    if all(r.get("ok") for r in imported):
        shutil.rmtree(root.parent, ignore_errors=True)  # ours, in the state dir: nothing lost
    return "done", {"repo_id": repo_id, "revision": commit, "files": files, "imported": imported}
