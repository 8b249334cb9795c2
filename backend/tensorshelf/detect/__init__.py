"""What a model file is, from its header alone (never its weights).

Public API:
- `detect_path(path) -> Detection` for a file, a sharded set (any shard or its `*.index.json`),
  a diffusers folder (`model_index.json` or a component `config.json`), a transformers folder
  or a PEFT adapter folder;
- `sniff_format(path) -> str` ("safetensors" | "gguf" | "pickle" | "onnx");
- `read_foreign_metadata(weight_path) -> ForeignMetadata` (sidecars + embedded metadata);
- `DETECTOR_VERSION`, bumped whenever a classification can change.

The package's names are loaded on first use (PEP 562), so importing the vocabulary
(`tensorshelf.detect.models`) does not load the readers and classifiers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tensorshelf.detect.entry import detect_path
    from tensorshelf.detect.foreign import read_foreign_metadata
    from tensorshelf.detect.models import DETECTOR_VERSION, Detection, ForeignMetadata
    from tensorshelf.detect.readers.header import sniff_format

_PUBLIC = {
    "DETECTOR_VERSION": "tensorshelf.detect.models",
    "Detection": "tensorshelf.detect.models",
    "ForeignMetadata": "tensorshelf.detect.models",
    "detect_path": "tensorshelf.detect.entry",
    "read_foreign_metadata": "tensorshelf.detect.foreign",
    "sniff_format": "tensorshelf.detect.readers.header",
}

__all__ = [
    "DETECTOR_VERSION",
    "Detection",
    "ForeignMetadata",
    "detect_path",
    "read_foreign_metadata",
    "sniff_format",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
