"""The intent journal: a multi-step change is written down before any step is taken.

Each change to a published model that takes more than one filesystem step (publish →
index, re-file rename → metadata.json → index, rm's rename → delete → index) first writes
`<library>/.tensorshelf-intents/<model id>.json` (atomically, fsynced), then applies its
steps, then removes the file. Whoever next holds the writer lock (start-up, `scan`) finds
the files a killed process left and completes them (library.recovery), so after any kill a
model is wholly old or wholly new and the index agrees. One model has at most one intent:
changes are serialised by the writer lock."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from tensorshelf import settings
from tensorshelf.io.atomic import fsync_dir, write_json_atomic

log = logging.getLogger(__name__)

IntentOp = Literal["publish", "save", "remove"]


class Intent(BaseModel):
    """`path`: where the model is when the change starts (library-relative; a publish's
    staged dir); `target`: where it ends (a save's new dir, a publish's final dir, a
    remove's trash dir); `metadata`: the metadata.json it ends with (publish, save);
    `reason`: what the change journal records (import, edit, reclassify, delete)."""

    op: IntentOp
    id: str
    path: str
    target: str
    reason: str
    metadata: dict[str, Any] | None = None


def intents_dir(root: Path) -> Path:
    return root / settings.INTENTS_DIR


def intent_file(root: Path, model_id: str) -> Path:
    return intents_dir(root) / f"{model_id}.json"


def write_intent(root: Path, intent: Intent) -> Path:
    """Record `intent` durably (replacing an earlier one of the same model)."""
    directory = intents_dir(root)
    if not directory.is_dir():
        directory.mkdir(exist_ok=True)
        fsync_dir(root)
    path = intent_file(root, intent.id)
    write_json_atomic(path, intent)
    return path


def clear_intent(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    with contextlib.suppress(OSError):
        fsync_dir(path.parent)


def pending_intents(root: Path) -> list[tuple[Path, Intent | None]]:
    """Every intent file left behind (None for one that cannot be read), oldest first."""
    directory = intents_dir(root)
    try:
        entries = sorted(
            (e for e in os.scandir(directory) if e.name.endswith(".json") and e.is_file()),
            key=lambda e: e.stat().st_mtime_ns,
        )
    except FileNotFoundError:
        return []
    out: list[tuple[Path, Intent | None]] = []
    for entry in entries:
        path = Path(entry.path)
        try:
            out.append((path, Intent.model_validate_json(path.read_bytes())))
        except (OSError, ValidationError, json.JSONDecodeError) as exc:
            log.warning("intent %s is unreadable (%s); it is dropped", path, exc)
            out.append((path, None))
    return out
