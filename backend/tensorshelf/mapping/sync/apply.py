"""Apply a sync plan: remove our obsolete links (each checked again: still exactly our link),
then create the new ones (never over anything) and record each in the registry. Conflicts
are skipped unless the user resolved them: `rename` puts our link under the next free name
(`name (2).ext`), `replace` first moves the user's file aside to `<name>.old` (`.old.2`, …)
— it is never deleted. One link's failure is reported; the others go on. `step` is called
after each link removed or made (progress); a cancelled run stops between links and records
what it made."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, Field

from tensorshelf.error_info import ErrorInfo
from tensorshelf.errors import FileAccessError
from tensorshelf.io.transfer import rename_no_replace
from tensorshelf.io.types import CancelToken
from tensorshelf.library.pause import NO_PAUSE, PausePoints
from tensorshelf.mapping.apps.models import AppInstall
from tensorshelf.mapping.links.make import create, make_folders, remove_if_ours
from tensorshelf.mapping.links.registry import LinkRow, Registry
from tensorshelf.mapping.sync.plan import Conflict, LinkAction, SyncPlan

log = logging.getLogger(__name__)

MAX_ASIDE = 100  # name.old, name.old.2 … / name (2).ext … tried before giving up


class SyncResult(BaseModel):
    app_id: str
    created: int = 0
    removed: int = 0
    adopted: int = 0
    already_ok: int = 0
    conflicts: int = 0
    not_mapped: int = 0
    errors: list[ErrorInfo] = Field(default_factory=list)


def _error(action: LinkAction, link: Path | str, exc: OSError) -> ErrorInfo:
    return FileAccessError(
        f"cannot link {link}: {exc.strerror or exc}", path=str(link), model=action.model_id
    ).info()


Resolution = Literal["skip", "rename", "replace"]


def _free(path: Path, make: Callable[[int], Path]) -> Path:
    for n in range(2, MAX_ASIDE):
        if not os.path.lexists(path):
            return path
        path = make(n)
    raise FileExistsError(errno.EEXIST, "no free name", str(path))


def _resolved(conflict: Conflict, how: Resolution, models_dir: Path) -> LinkAction:
    """The link to create for a resolved conflict (after moving the user's file aside)."""
    target = models_dir / conflict.target
    if how == "replace":
        aside = _free(
            target.with_name(target.name + ".old"),
            lambda n: target.with_name(f"{target.name}.old.{n}"),
        )
        rename_no_replace(target, aside)
        log.info("moved %s aside to %s", target, aside)
        new = conflict.target
    else:
        stem, ext = os.path.splitext(target.name)
        free = _free(target, lambda n: target.with_name(f"{stem} ({n}){ext}"))
        new = free.relative_to(models_dir).as_posix()
    return LinkAction(
        model_id=conflict.model_id,
        target=new,
        source=conflict.source,
        kind=conflict.kind,
        note=f"conflict resolved: {how}",
    )


def apply_plan(
    plan: SyncPlan,
    app: AppInstall,
    registry: Registry,
    library_root: Path,
    resolutions: dict[str, Resolution] | None = None,
    step: Callable[[], None] | None = None,
    cancel: CancelToken | None = None,
    pause: PausePoints = NO_PAUSE,
) -> SyncResult:
    models_dir = Path(app.models_dir)

    def stopped() -> bool:
        if step is not None:
            step()
        return cancel is not None and cancel.cancelled

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
        if stopped():
            return result
    registry.add_many([_row(app, action) for action in plan.adopt])
    result.adopted = len(plan.adopt)
    creates = list(plan.to_create)
    for conflict in plan.conflicts:
        how = (resolutions or {}).get(conflict.target, "skip")
        if how == "skip":
            continue
        try:
            action = _resolved(conflict, how, models_dir)
        except OSError as exc:
            result.errors.append(
                FileAccessError(
                    f"cannot resolve {models_dir / conflict.target}: {exc.strerror or exc}",
                    path=str(models_dir / conflict.target),
                ).info()
            )
            continue
        creates.append(action)
        result.conflicts -= 1
    made = []
    folders_made: set[str] = set()  # each folder is made (and checked) once per run
    for action in creates:
        row = _make(action, app, models_dir, library_root, folders_made, result)
        if row is not None:
            made.append(row)
            pause.reached("sync_link_made")  # a crash here: the next sync adopts it
        if stopped():
            break
    registry.add_many(made)  # one transaction for the whole run
    result.created = len(made)
    return result


def _make(
    action: LinkAction,
    app: AppInstall,
    models_dir: Path,
    library_root: Path,
    folders_made: set[str],
    result: SyncResult,
) -> LinkRow | None:
    """Create one link (and its folders); its registry row, or None (counted in `result`)."""
    link = os.path.join(models_dir, action.target)  # strings: this runs once per link
    folder = action.target.rpartition("/")[0]
    try:
        if folder and folder not in folders_made:
            make_folders(models_dir, Path(*PurePosixPath(folder).parts))
            folders_made.add(folder)
        create(os.path.join(library_root, action.source), link, action.kind)
    except FileExistsError:
        log.info("%s appeared meanwhile; left alone", link)
        result.conflicts += 1
        return None
    except OSError as exc:
        result.errors.append(_error(action, link, exc))
        return None
    return _row(app, action)


def _row(app: AppInstall, action: LinkAction) -> LinkRow:
    return LinkRow(
        app_id=app.id,
        target=action.target,
        source=action.source,
        model_id=action.model_id,
        sha256=action.sha256,
        kind=action.kind,
    )
