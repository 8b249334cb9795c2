"""Apply a sync plan: remove our obsolete links (each checked again: still exactly our link),
then create the new ones (never over anything) and record each in the registry. Conflicts
are skipped and never overwritten. One link's failure is reported; the others go on."""

from __future__ import annotations

import logging
import os
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, Field

from tensorshelf.error_info import ErrorInfo
from tensorshelf.errors import FileAccessError
from tensorshelf.mapping.apps.models import AppInstall
from tensorshelf.mapping.links.make import create, make_folders, remove_if_ours
from tensorshelf.mapping.links.registry import LinkRow, Registry
from tensorshelf.mapping.sync.plan import LinkAction, SyncPlan

log = logging.getLogger(__name__)


class SyncResult(BaseModel):
    app_id: str
    created: int = 0
    removed: int = 0
    adopted: int = 0
    already_ok: int = 0
    conflicts: int = 0
    not_mapped: int = 0
    errors: list[ErrorInfo] = Field(default_factory=list)


def _error(action: LinkAction, link: Path, exc: OSError) -> ErrorInfo:
    return FileAccessError(
        f"cannot link {link}: {exc.strerror or exc}", path=str(link), model=action.model_id
    ).info()


def apply_plan(
    plan: SyncPlan, app: AppInstall, registry: Registry, library_root: Path
) -> SyncResult:
    models_dir = Path(app.models_dir)
    result = SyncResult(
        app_id=app.id,
        already_ok=plan.already_ok,
        conflicts=len(plan.conflicts),
        not_mapped=len(plan.not_mapped),
    )
    for action in plan.to_remove:
        link = models_dir / action.target
        try:
            if os.path.lexists(link) and remove_if_ours(
                link, library_root / action.source, action.kind
            ):
                result.removed += 1
            registry.remove(app.id, action.target)
        except OSError as exc:
            result.errors.append(_error(action, link, exc))
    registry.add_many([_row(app, action) for action in plan.adopt])
    result.adopted = len(plan.adopt)
    made = []
    for action in plan.to_create:
        link = models_dir / action.target
        try:
            make_folders(models_dir, Path(*PurePosixPath(action.target).parts[:-1]))
            create(library_root / action.source, link, action.kind)
        except FileExistsError:
            log.info("%s appeared meanwhile; left alone", link)
            result.conflicts += 1
            continue
        except OSError as exc:
            result.errors.append(_error(action, link, exc))
            continue
        made.append(_row(app, action))
    registry.add_many(made)  # one transaction for the whole run
    result.created = len(made)
    return result


def _row(app: AppInstall, action: LinkAction) -> LinkRow:
    return LinkRow(
        app_id=app.id,
        target=action.target,
        source=action.source,
        model_id=action.model_id,
        sha256=action.sha256,
        kind=action.kind,
    )
