"""JobRunner's starting side (a mixin, so callers keep the one runner): what each kind of job
takes — its refs resolved now, so an unknown one raises here rather than inside the job —
and the title it shows. The runner itself (`_start`) creates, runs and finishes it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any

from tensorshelf.errors import InvalidArgument
from tensorshelf.jobs.import_task import import_params, plan_items
from tensorshelf.jobs.models import JobKind
from tensorshelf.jobs.store import JobStore
from tensorshelf.jobs.titles import (
    import_plan_title,
    reclassify_title,
    sync_title,
    verify_title,
)
from tensorshelf.library.models import ImportOptions, ImportPlan

if TYPE_CHECKING:
    from tensorshelf.hf.session import HubSession
    from tensorshelf.library.service import LibraryService
    from tensorshelf.mapping.service import MappingService


class JobStarting:
    _service: LibraryService
    _mapping: MappingService | None
    _hub: Callable[[], HubSession] | None
    _store: JobStore

    def _start(self, kind: JobKind, params: dict[str, Any], title: str) -> str:
        raise NotImplementedError  # JobRunner's

    def plan_import(self, paths: Sequence[str | PathLike[str]]) -> ImportPlan:
        """Plan an import of `paths` (headers only) and keep the plan in ops.db: the plan
        that is reviewed is the one `start_import` imports."""
        if not paths:
            raise InvalidArgument("nothing to import: no paths given")
        return self._store.save_plan(self._service.plan_import([str(p) for p in paths]))

    def start_import(
        self,
        plan_id: str,
        options: ImportOptions | None = None,
        items: dict[str, ImportOptions] | None = None,
    ) -> str:
        """Import the kept plan `plan_id` in a new job; returns its id. `items` chooses the
        plan items to import (by ImportPlanItem.key) with the options of each; None imports
        every item with `options` (and reports the plan's rejected inputs)."""
        plan = self._store.plan(plan_id)
        chosen = plan_items(plan, items)
        params = import_params(plan_id, options or ImportOptions(), items)
        return self._start("import", params, import_plan_title(chosen) or "Import")

    def start_rebuild(self) -> str:
        return self._start("rebuild", {}, "Rebuild index")

    def start_verify(self, refs: Sequence[str] | None = None, full: bool = False) -> str:
        """Verify the given models (None or empty: every model). Refs are resolved now, so
        an unknown or ambiguous ref raises here rather than inside the job."""
        ids = self._resolve(refs)
        return self._start("verify", {"refs": ids, "full": full}, verify_title(ids, full))

    def start_reclassify(self, refs: Sequence[str] | None = None, dry_run: bool = False) -> str:
        """Re-run detection on the given models (None or empty: every model) and, unless
        `dry_run`, re-file those whose classification changed. Refs are resolved now."""
        ids = self._resolve(refs)
        return self._start(
            "reclassify", {"refs": ids, "dry_run": dry_run}, reclassify_title(ids, dry_run)
        )

    def start_sync(
        self, apps: Sequence[str] | None = None, resolutions: dict[str, str] | None = None
    ) -> str:
        """Link the library into the apps (None: every registered app) as a job."""
        if self._mapping is None:
            raise InvalidArgument("this job runner has no app mapping")
        names = [self._mapping.apps.get(a).id for a in apps] if apps else None
        return self._start(
            "sync", {"apps": names, "resolutions": resolutions or {}}, sync_title(names)
        )

    def start_lookup(
        self, refs: Sequence[str] | None = None, updates: bool = False, quick: bool = False
    ) -> str:
        """Identify the given models on the Hub (None: every model still pending); with
        `updates`, check matched models (None: every one) for newer bytes instead."""
        if self._hub is None:
            raise InvalidArgument("this job runner has no Hugging Face session")
        ids = self._resolve(refs)
        if updates:
            what = "matched models" if ids is None else f"{len(ids)} model(s)"
            title = f"Check {what} for updates on Hugging Face"
        else:
            what = "pending models" if ids is None else f"{len(ids)} model(s)"
            title = f"Look up {what} on Hugging Face"
        return self._start("lookup", {"refs": ids, "updates": updates, "quick": quick}, title)

    def start_download(
        self,
        repo_id: str,
        revision: str,
        files: list[str],
        sizes: dict[str, int],
        complete: str | None = None,
        folder: str = "",
    ) -> str:
        """Download `files` of the repo (sizes from its listing, for progress and the disk
        check) and import them — or, with `complete` (a model id), add them to that model's
        `folder` (its missing shards)."""
        if self._hub is None:
            raise InvalidArgument("this job runner has no Hugging Face session")
        what = files[0] if len(files) == 1 else f"{len(files)} files"
        title = f"Download {what} of {repo_id}" + (" (missing shards)" if complete else "")
        params: dict[str, Any] = {
            "repo_id": repo_id,
            "revision": revision,
            "files": files,
            "sizes": sizes,
            "complete": complete,
            "folder": folder,
        }
        return self._start("download", params, title)

    def start_adopt(self, cache: str, repos: list[dict[str, str]], trust: bool) -> str:
        """Adopt snapshots (`{repo_id, commit}`) of the Hugging Face cache at `cache`."""
        if self._hub is None:
            raise InvalidArgument("this job runner has no Hugging Face session")
        what = repos[0]["repo_id"] if len(repos) == 1 else f"{len(repos)} repos"
        params = {"cache": cache, "repos": repos, "trust": trust}
        return self._start("adopt", params, f"Adopt {what} from the Hugging Face cache")

    def _resolve(self, refs: Sequence[str] | None) -> list[str] | None:
        """Model ids of `refs` (deduplicated, in order); None for "every model". Raises
        ModelNotFound / AmbiguousModelRef for a ref that names no single model."""
        if not refs:
            return None
        return list(dict.fromkeys(self._service.get_model(r).id for r in refs))
