"""What a model file is, from its header alone (never its weights).

Public API:
- `detect_path(path) -> Detection` for a file, a sharded set (any shard or its `*.index.json`),
  a diffusers folder (`model_index.json` or a component `config.json`), a transformers folder
  or a PEFT adapter folder;
- `sniff_format(path) -> str` ("safetensors" | "gguf" | "pickle" | "onnx");
- `read_foreign_metadata(weight_path) -> ForeignMetadata` (sidecars + embedded metadata);
- `DETECTOR_VERSION`, bumped whenever a classification can change.
"""

from __future__ import annotations

import os
from pathlib import Path

from tensorshelf.detect.detector import detect_file, detect_index
from tensorshelf.detect.folders import detect_folder
from tensorshelf.detect.foreign import read_foreign_metadata
from tensorshelf.detect.gc_pause import gc_paused
from tensorshelf.detect.models import DETECTOR_VERSION, Detection, ForeignMetadata
from tensorshelf.detect.readers.header import headers_read
from tensorshelf.detect.readers.sniff import sniff_format
from tensorshelf.errors import InvalidModelFile

INDEX_SUFFIX = ".index.json"

__all__ = [
    "DETECTOR_VERSION",
    "Detection",
    "ForeignMetadata",
    "detect_path",
    "read_foreign_metadata",
    "sniff_format",
]


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
