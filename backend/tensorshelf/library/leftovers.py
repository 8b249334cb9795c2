"""Sweep what killed processes left at the library root: temp databases of a rebuild whose
process is gone, and the temp files of an atomic write (`.<name>.tmp-*`) of the library's
own files (signature, change journal, intents). Run at start-up while holding the writer
lock; temp metadata.json files inside model dirs are swept by `scan`, which walks them."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from tensorshelf.library.index.swap import sweep_stale_rebuilds
from tensorshelf.library.intents import intents_dir

log = logging.getLogger(__name__)

_TEMP_INFIX = ".tmp-"


def sweep_leftovers(root: Path, db_path: Path) -> list[Path]:
    removed = sweep_stale_rebuilds(db_path)
    for directory in (root, intents_dir(root)):
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") and _TEMP_INFIX in entry.name and entry.is_file():
                try:
                    os.unlink(entry.path)
                except OSError as exc:
                    log.debug("could not remove %s: %s", entry.path, exc)
                    continue
                removed.append(Path(entry.path))
    if removed:
        log.info("removed %d leftover temp file(s): %s", len(removed), ", ".join(map(str, removed)))
    return removed
