"""`<state>/libraries.json`: where each library (by the uuid in its `.tensorshelf-library`
signature) was last seen. A library found at another path than the one remembered has been
moved or its drive remounted elsewhere: the window and the CLI offer `relocate OLD NEW`
(links into it were made for the old place) until that runs or the user dismisses it."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from tensorshelf.io.atomic import write_json_atomic

log = logging.getLogger(__name__)


class _PlacesFile(BaseModel):
    version: int = 1
    libraries: dict[str, str] = Field(default_factory=dict)  # uuid → last path


class Places:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _load(self) -> _PlacesFile:
        try:
            return _PlacesFile.model_validate_json(self.path.read_bytes())
        except FileNotFoundError:
            return _PlacesFile()
        except (OSError, ValidationError, json.JSONDecodeError) as exc:
            log.warning("%s cannot be read (%s); library places start afresh", self.path, exc)
            return _PlacesFile()

    def last(self, uuid: str) -> str | None:
        return self._load().libraries.get(uuid)

    def remember(self, uuid: str, path: str) -> None:
        with self._lock:
            data = self._load()
            if data.libraries.get(uuid) == path:
                return
            data.libraries[uuid] = path
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                write_json_atomic(self.path, data)
            except OSError as exc:  # a read-only state dir: nothing to offer next time
                log.warning("cannot record where the library is (%s): %s", self.path, exc)
