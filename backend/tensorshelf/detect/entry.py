"""`detect_path`: the one entry of detection, for a file, a set's index or a folder."""

from __future__ import annotations

import os
from pathlib import Path

from tensorshelf.detect.detector import detect_file, detect_index
from tensorshelf.detect.folders import detect_folder
from tensorshelf.detect.gc_pause import gc_paused
from tensorshelf.detect.models import Detection
from tensorshelf.detect.readers.header import headers_read
from tensorshelf.errors import InvalidModelFile

INDEX_SUFFIX = ".index.json"


def detect_path(path: str | os.PathLike[str]) -> Detection:
    """Classify a model file or folder. Raises InvalidModelFile (with the file name and what
    was wrong) for anything that is not a readable model; never reads tensor data."""
    p = Path(path)
    with gc_paused(), headers_read() as read:
        det = _detect(p)
    det._headers_read = read
    return det


def _detect(p: Path) -> Detection:
    if p.is_dir():
        return detect_folder(p)
    if not p.exists():
        raise InvalidModelFile(f"{p.name}: no such file or folder", file=str(p))
    if p.name.lower().endswith(INDEX_SUFFIX):
        return detect_index(p)
    return detect_file(p)
