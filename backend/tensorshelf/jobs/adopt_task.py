"""The adopt job: bring chosen snapshots of a local Hugging Face cache into the library —
the cache is only read. Each snapshot is laid out under its repo's own file names in
`<state>/adopt/<owner--name>@<commit>/<name>/` as hard links to the cache's blobs (a copy,
hashed while copying, when the state dir is on another filesystem), then imported through
the normal path: hard-linked into the library when it shares the cache's filesystem (no
byte copied, none read), else copied. With `trust` (the default) a blob named by its
SHA-256 is taken at its word, so a linked file is never read (its BLAKE3 is filled in by
the first verify that reads it); without it every file is hashed. Each model is recorded
Verified from its repo at that commit. The layout folder is ours and removed afterwards."""

from __future__ import annotations

import errno
import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tensorshelf import settings
from tensorshelf.errors import CrossDevice, FileAccessError, InvalidArgument, ShelfError
from tensorshelf.hf.local_cache import CachedSnapshot, scan_cache
from tensorshelf.io.copying import copy_with_hashes
from tensorshelf.io.hash_cache import HashCache
from tensorshelf.io.naming import safe_relative_path
from tensorshelf.io.transfer import hardlink, same_filesystem
from tensorshelf.io.types import FileHashes
from tensorshelf.jobs.models import JobStatus
from tensorshelf.jobs.repo_publish import publish_repo_files
from tensorshelf.library.models import ImportMode

if TYPE_CHECKING:
    from tensorshelf.jobs.tasks import JobContext, Outcome

log = logging.getLogger(__name__)

_NO_LINK = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP}


def adopt_root(state_dir: Path, repo_id: str, commit: str) -> Path:
    holder = state_dir / settings.ADOPT_DIR / f"{repo_id.replace('/', '--')}@{commit}"
    return holder / repo_id.rsplit("/", 1)[-1]


def lay_out(
    snapshot: CachedSnapshot, root: Path, trust: bool, cache: HashCache | None
) -> list[str]:
    """Put the snapshot's files under `root` by their repo paths (hard links, else hashed
    copies); returns the paths laid out. A copy whose SHA-256 is not its blob's name is
    refused (the cache is damaged): nothing of it is kept."""
    laid: list[str] = []
    for f in snapshot.files:
        rel = safe_relative_path(f.path).as_posix()
        dst = root.joinpath(*rel.split("/"))
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.unlink(missing_ok=True)  # a layout left by an interrupted run
        if not _linked(f.blob, dst):
            hashes = copy_with_hashes(Path(f.blob), dst)
            if f.sha256 is not None and hashes.sha256 != f.sha256:
                dst.unlink(missing_ok=True)
                raise FileAccessError(
                    f"{f.blob} is not what its name says (SHA-256 {hashes.sha256[:12]}…): the "
                    "Hugging Face cache is damaged; nothing of it was adopted",
                    path=f.blob,
                ) from None
            if cache is not None:
                cache.put(dst, hashes)
        elif trust and f.sha256 is not None and cache is not None:
            cache.put(dst, FileHashes(sha256=f.sha256, blake3=None, size=f.size))
        laid.append(rel)
    return laid


def _linked(blob: str, dst: Path) -> bool:
    """Hard-link the blob to `dst`; False where hard links cannot be made (then copy)."""
    try:
        hardlink(blob, dst)
    except CrossDevice:
        return False
    except OSError as exc:
        if exc.errno not in _NO_LINK:
            raise
        return False
    return True


def run_adopt(ctx: JobContext) -> Outcome:
    hub = ctx.hub
    if hub is None:
        raise InvalidArgument("this job runner has no Hugging Face session")
    cache_dir = Path(ctx.params["cache"])
    trust = bool(ctx.params.get("trust", True))
    wanted = [(str(r["repo_id"]), str(r["commit"])) for r in ctx.params["repos"]]
    listing = scan_cache(cache_dir)
    snapshots = {(r.repo_id, s.commit): s for r in listing.repos for s in r.snapshots}
    done = ctx.store.checkpoints(ctx.job_id)
    tracker = ctx.tracker
    sizes = {key: snapshots[key].size_bytes if key in snapshots else 0 for key in wanted}
    tracker.set_totals(len(wanted), sum(sizes.values()))
    tracker.publish()
    results: list[dict[str, Any]] = []
    status: JobStatus = "done"
    for repo_id, commit in wanted:
        key = f"{repo_id}@{commit}"
        if key in done:
            results.append(done[key])
            continue
        if ctx.cancel.cancelled:
            status = "cancelled"
            break
        tracker.start_item(sizes[(repo_id, commit)], key)
        entry = _adopt_one(ctx, hub.state_dir, snapshots.get((repo_id, commit)), key, trust)
        if entry.get("snapshot") is not None:
            root = adopt_root(hub.state_dir, repo_id, commit)
            entry["imported"] = publish_repo_files(
                ctx, hub, root, entry.pop("snapshot"), repo_id, commit, _mode(root, ctx)
            )
            shutil.rmtree(root.parent, ignore_errors=True)  # ours; the cache is untouched
        tracker.on_bytes(sizes[(repo_id, commit)])
        ctx.store.add_checkpoint(ctx.job_id, key, entry)
        ctx.item_done(entry, key=key)
        results.append(entry)
    return status, {"cache": str(cache_dir), "repos": results}


def _adopt_one(
    ctx: JobContext, state_dir: Path, snapshot: CachedSnapshot | None, key: str, trust: bool
) -> dict[str, Any]:
    repo_id, commit = key.rsplit("@", 1)
    entry: dict[str, Any] = {"repo_id": repo_id, "commit": commit, "imported": []}
    if snapshot is None:
        entry["error"] = {
            "code": "not_in_cache",
            "message": f"{key} is not in the Hugging Face cache (any more)",
            "details": {},
        }
        return entry
    root = adopt_root(state_dir, repo_id, commit)
    try:
        entry["snapshot"] = lay_out(snapshot, root, trust, ctx.service.hash_cache)
    except (ShelfError, OSError) as exc:
        shutil.rmtree(root.parent, ignore_errors=True)
        message = exc.message if isinstance(exc, ShelfError) else f"{exc.strerror}: {exc.filename}"
        entry["error"] = {"code": "adopt_failed", "message": message, "details": {}}
    entry["skipped"] = snapshot.skipped
    return entry


def _mode(root: Path, ctx: JobContext) -> ImportMode:
    """Link when the layout (hence the cache's blobs, or our copies) shares the library's
    filesystem; copy otherwise."""
    return "link" if same_filesystem(root, ctx.service.root) else "copy"
