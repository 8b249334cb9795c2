"""`<state>/apps.json`: the registered app installs, written atomically."""

from __future__ import annotations

import builtins
import json
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from tensorshelf.errors import InvalidArgument, ShelfError
from tensorshelf.io.atomic import write_json_atomic
from tensorshelf.library.metadata.document import utc_now
from tensorshelf.mapping.apps.models import AppCandidate, AppInstall, LinkMethod

log = logging.getLogger(__name__)

_SLUG = re.compile(r"[^a-z0-9]+")


class AppNotFound(ShelfError):
    code = "app_not_found"


class _AppsFile(BaseModel):
    version: int = 1
    apps: list[AppInstall] = Field(default_factory=list)


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-") or "app"


class AppsStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _load(self) -> _AppsFile:
        try:
            return _AppsFile.model_validate_json(self.path.read_bytes())
        except FileNotFoundError:
            return _AppsFile()
        except (OSError, ValidationError, json.JSONDecodeError) as exc:
            raise ShelfError(
                f"{self.path} cannot be read ({exc}); fix or remove it to register apps again",
                path=str(self.path),
            ) from exc

    def list(self) -> list[AppInstall]:
        return self._load().apps

    def get(self, ref: str) -> AppInstall:
        """An app by id, name (case-insensitive) or root folder."""
        apps = self.list()
        for app in apps:
            if ref in (app.id, app.root) or app.name.lower() == ref.lower():
                return app
        known = ", ".join(a.id for a in apps) or "none registered"
        raise AppNotFound(f"no registered app {ref!r} (apps: {known})", app=ref)

    def add(
        self,
        candidate: AppCandidate,
        name: str | None,
        method: LinkMethod,
        links_dir: Callable[[str], str] | None = None,
    ) -> AppInstall:
        """Register `candidate` under a fresh id. `links_dir(id)`: where its links go
        instead of the app's own models folder (the extra-paths method's view tree)."""
        with self._lock:
            data = self._load()
            for app in data.apps:
                if Path(app.root) == Path(candidate.root):
                    raise InvalidArgument(
                        f"{candidate.root} is registered already (as {app.id})", app=app.id
                    )
            folder = Path(candidate.root).name
            display = name or folder
            default_id = (
                candidate.kind
                if _slug(folder) == candidate.kind
                else (f"{candidate.kind}-{_slug(folder)}")
            )
            base = _slug(name) if name else default_id
            taken = {a.id for a in data.apps}
            app_id, n = base, 2
            while app_id in taken:
                app_id, n = f"{base}-{n}", n + 1
            app = AppInstall(
                id=app_id,
                name=display,
                kind=candidate.kind,
                root=candidate.root,
                models_dir=links_dir(app_id) if links_dir else candidate.models_dir,
                method=method,
                version=candidate.version,
                flavour=candidate.flavour,
                added_at=utc_now(),
            )
            data.apps.append(app)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(self.path, data)
            return app

    def relocate(self, old: str, new: str) -> builtins.list[AppInstall]:
        """Re-point every app whose folders lie under `old` to the same place under `new`."""
        moved = []
        with self._lock:
            data = self._load()
            for app in data.apps:
                changed = False
                for attr in ("root", "models_dir"):
                    value = getattr(app, attr)
                    if value == old or value.startswith(old.rstrip("/") + "/"):
                        setattr(app, attr, new.rstrip("/") + value[len(old.rstrip("/")) :])
                        changed = True
                if changed:
                    moved.append(app)
            if moved:
                write_json_atomic(self.path, data)
        return moved

    def remove(self, app_id: str) -> None:
        with self._lock:
            data = self._load()
            data.apps = [a for a in data.apps if a.id != app_id]
            write_json_atomic(self.path, data)
