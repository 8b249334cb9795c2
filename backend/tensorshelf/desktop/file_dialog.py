"""What the native "Add files…" / "Add folder…" dialog opens with: the folder the user last
picked from (else Downloads, else home) and a model-file filter first, all files second."""

from __future__ import annotations

import os
from pathlib import Path

MODEL_FILE_TYPES: tuple[str, ...] = (
    "Model files (*.safetensors;*.sft;*.gguf;*.ckpt;*.pt;*.pth;*.bin;*.onnx)",
    "All files (*.*)",
)


def start_folder(last: str | None, home: Path | None = None) -> str:
    """The last-used folder if it still exists, else ~/Downloads, else home."""
    if last and os.path.isdir(last):
        return last
    home = home or Path.home()
    downloads = home / "Downloads"
    return str(downloads if downloads.is_dir() else home)


def remembered_folder(chosen: list[str]) -> str | None:
    """The folder to open next time: the picked files' folder (a picked folder's parent)."""
    if not chosen:
        return None
    return str(Path(chosen[0]).parent)
