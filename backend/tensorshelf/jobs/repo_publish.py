"""Import files that came from one Hugging Face repo — downloaded, or adopted from a local HF
cache — through the normal import path (so they are detected, indexed and synced like any
import), and record each resulting model as Verified from that repo at that commit. A
repo's top-level files are planned one by one (each quant its own model); a repo with
folders (a diffusers layout, a shard set under a folder) is planned as one folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tensorshelf.hf.identify import Identification
from tensorshelf.jobs.lookup_task import outcome_of
from tensorshelf.library.models import ImportMode, ImportOptions

if TYPE_CHECKING:
    from tensorshelf.hf.session import HubSession
    from tensorshelf.jobs.tasks import JobContext


def publish_repo_files(
    ctx: JobContext,
    hub: HubSession,
    root: Path,
    files: list[str],
    repo_id: str,
    commit: str,
    mode: ImportMode,
) -> list[dict[str, Any]]:
    """Import `files` (relative to `root`) and record them as from `repo_id`@`commit`;
    returns the ImportResults (as JSON)."""
    top_level = all("/" not in p for p in files)
    inputs = [str(root / p) for p in files] if top_level else [str(root)]
    plan = ctx.service.plan_import(inputs)
    options = ImportOptions(mode=mode, lookup=False)
    results = []
    info = hub.identifier().info(repo_id)  # cached, or asked; None offline
    endpoint = hub.config().endpoint
    for item in plan.items:
        result = ctx.service.import_item(item, options, cancel=ctx.cancel)
        results.append(result.model_dump(mode="json"))
        if not result.ok or result.id is None:
            continue
        found = Identification(
            model_id=result.id,
            method="hash",
            confidence=1.0,
            repo_id=repo_id,
            revision=commit,
            path=_repo_path(Path(item.key), root, files),
            info=info,
        )
        outcome = outcome_of(found, endpoint)
        outcome.downloaded_file = found.path
        ctx.service.record_lookup(result.id, outcome)
    ids = [r["id"] for r in results if r.get("ok") and r.get("id")]
    if ids:
        ctx.library_changed(ids, "import")
    return results


def _repo_path(key: Path, root: Path, files: list[str]) -> str:
    """The repo file an imported item stands for (its primary file for a folder)."""
    rel = key.relative_to(root).as_posix() if key.is_relative_to(root) else files[0]
    return rel if rel in files else next((p for p in files if p.startswith(rel + "/")), files[0])
