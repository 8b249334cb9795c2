"""User settings (`settings.json` in the state dir): small, typed, written atomically."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tensorshelf import settings
from tensorshelf.errors import InvalidArgument
from tensorshelf.io.atomic import write_json_atomic

log = logging.getLogger(__name__)


class SavedFilter(BaseModel):
    """A search and sidebar filters the user named ("SDXL LoRAs to sort"); `filters` are
    the window's own filter keys, kept as given (the window checks them when applied)."""

    name: str = Field(min_length=1, max_length=settings.SAVED_FILTER_NAME_MAX)
    text: str = Field(default="", max_length=settings.SEARCH_MAX_QUERY_CHARS)
    filters: dict[str, str | bool | None] = Field(default_factory=dict)


class AppSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    theme: Literal["system", "light", "dark"] = "system"
    default_import_mode: Literal["copy", "move"] = "copy"
    lookup_on_import: bool = True
    offline: bool = False  # no request to Hugging Face at all (as HF_HUB_OFFLINE=1)
    window_width: int = settings.WINDOW_DEFAULT_WIDTH
    window_height: int = settings.WINDOW_DEFAULT_HEIGHT
    last_pick_folder: str | None = None  # where the desktop "Add files…" dialog opens next
    saved_filters: list[SavedFilter] = Field(
        default_factory=list, max_length=settings.SAVED_FILTERS_MAX
    )


class SettingsStore:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._current = self._load()

    def _load(self) -> AppSettings:
        try:
            return AppSettings.model_validate(json.loads(self._path.read_text("utf-8")))
        except FileNotFoundError:
            return AppSettings()
        except (OSError, ValueError, ValidationError) as exc:
            log.warning("ignoring unreadable settings file %s: %s", self._path, exc)
            return AppSettings()

    def get(self) -> AppSettings:
        return self._current

    def update(self, changes: dict[str, Any]) -> AppSettings:
        unknown = set(changes) - set(AppSettings.model_fields)
        if unknown:
            raise InvalidArgument(f"unknown setting(s): {', '.join(sorted(unknown))}")
        with self._lock:
            try:
                new = AppSettings.model_validate({**self._current.model_dump(), **changes})
            except ValidationError as exc:
                raise InvalidArgument(f"invalid setting: {exc.errors()[0]['msg']}") from exc
            self._path.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(self._path, new.model_dump())
            self._current = new
            return new
