"""MappingService's relocation (a mixin: it works on the service's apps, registry and
places): `relocate OLD NEW` re-points the apps under OLD and each of our links made for the
old place; `<state>/libraries.json` (mapping.places) remembers where the library was, so a
moved library is noticed at start and offered a relocation until done or dismissed."""

from __future__ import annotations

import contextlib
import logging
import os
from abc import abstractmethod
from pathlib import Path

from pydantic import BaseModel

from tensorshelf.errors import InvalidArgument
from tensorshelf.library.service import LibraryService
from tensorshelf.mapping.apps.models import AppInstall
from tensorshelf.mapping.apps.store import AppsStore
from tensorshelf.mapping.links.make import LinkPlan, create, points_to, remove_if_text, symlink_text
from tensorshelf.mapping.links.registry import LinkRow, Registry
from tensorshelf.mapping.places import Places

log = logging.getLogger(__name__)


class Relocated(BaseModel):
    apps: list[str]  # ids of the apps whose folders were re-pointed
    links_repointed: int  # absolute links re-made under the new prefix


class Relocation:
    library: LibraryService
    apps: AppsStore
    registry: Registry
    places: Places
    moved_from: str | None
    _link_plans: dict[str, LinkPlan]

    @abstractmethod
    def writing(self, doing: str) -> contextlib.AbstractContextManager[None]: ...

    @abstractmethod
    def write_extra_paths(self, app: AppInstall) -> None: ...

    def relocate(self, old: str, new: str) -> Relocated:
        """After a move (a drive remounted elsewhere, the library or an app moved): re-point
        the registered apps under `old` to `new`, and each of our links that was made for
        the old place — absolute ones, and relative ones whose library moved without them.
        Links that still reach their model (moved together: the Move Test) are left as they
        are, and links we did not make are never touched."""
        old_abs, new_abs = os.path.abspath(old), os.path.abspath(new)
        if not os.path.isdir(new_abs):
            raise InvalidArgument(f"{new_abs} is not a folder", path=new_abs)
        with self.writing(f"relocating {old_abs} to {new_abs}"):
            moved = self.apps.relocate(old_abs, new_abs)
            repointed = 0
            for app in self.apps.list():
                if app.method == "extra-paths" and Path(app.root).is_dir():
                    self.write_extra_paths(app)
                for row in self.registry.for_app(app.id):
                    repointed += self.repoint(app, row, old_abs, new_abs)
            self._link_plans.clear()
            self.dismiss_move()
        return Relocated(apps=[a.id for a in moved], links_repointed=repointed)

    def made_for(self, app: AppInstall, row: LinkRow, old: str, new: str) -> bool:
        """True if the recorded link is still exactly what we made before `old` moved to
        `new` (and no longer reaches its model)."""
        if row.kind == "hardlink":
            return False  # a hard link is the file itself: nothing points anywhere
        link, source = Path(app.models_dir) / row.target, self.library.root / row.source
        if points_to(link, source, row.kind):
            return False
        before = symlink_text(_before(source, old, new), _before(link, old, new), row.kind)
        try:
            return os.readlink(link) == before
        except OSError:
            return False

    def repoint(self, app: AppInstall, row: LinkRow, old: str, new: str) -> int:
        """1 if the recorded link was made for the place before the move and is re-made."""
        link, source = Path(app.models_dir) / row.target, self.library.root / row.source
        if not os.path.exists(source) or not self.made_for(app, row, old, new):
            return 0
        before = symlink_text(_before(source, old, new), _before(link, old, new), row.kind)
        try:
            if not remove_if_text(link, before):
                return 0  # changed meanwhile: left alone
            create(source, link, row.kind)
        except OSError as exc:
            log.warning("could not re-point %s: %s", link, exc)
            return 0
        return 1

    # --- where the library was ------------------------------------------------------------
    def _moved_from(self) -> str | None:
        """The library's last known path when it is not where it is now and links were made
        for the old place; otherwise the current place is recorded."""
        uuid, here = self.library.signature.uuid, str(self.library.root)
        last = self.places.last(uuid)
        if last is not None and last != here and self.registry.count() > 0:
            return last
        if not self.library.read_only:
            self.places.remember(uuid, here)
        return None

    def dismiss_move(self) -> None:
        """The library's current place is the one to remember (relocated, or not wanted)."""
        self.places.remember(self.library.signature.uuid, str(self.library.root))
        self.moved_from = None


def _before(path: Path, old: str, new: str) -> Path:
    """Where `path` was before `old` moved to `new`."""
    text = os.fspath(path)
    if text == new or text.startswith(new.rstrip("/") + "/"):
        return Path(old.rstrip("/") + text[len(new.rstrip("/")) :])
    return path
