"""A model's preview image, read for the UI.

`metadata.json`'s `preview_image` names a file relative to the model dir (an import copies a
`<stem>.preview.png` companion or decodes an embedded thumbnail). Because metadata.json can
be edited by hand, the name is treated as untrusted: only a file that resolves inside the
model dir (symlinks followed), has an image extension and is at most `max_bytes` is read."""

from __future__ import annotations

import logging
from pathlib import Path

from tensorshelf.errors import UnsafePath
from tensorshelf.io.naming import safe_relative_path
from tensorshelf.library.metadata.document import ModelMetadata

log = logging.getLogger(__name__)

IMAGE_TYPES: dict[str, str] = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


def image_kind(data: bytes) -> str | None:
    """The file extension of an image by its first bytes (png, jpg, webp, gif), else None —
    never by what a server or a name claims."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((ext for magic, ext in _MAGIC if data.startswith(magic)), None)


def preview_name(meta: ModelMetadata) -> str | None:
    """The preview file's model-relative name: `preview_image`, else a file of role preview."""
    if meta.preview_image:
        return meta.preview_image
    return next((f.path for f in meta.files if f.role == "preview"), None)


def preview_path(model_dir: Path, rel: str) -> Path | None:
    """The file `rel` names, if it is a regular file strictly inside `model_dir`."""
    try:
        safe = safe_relative_path(rel)
    except UnsafePath:
        log.warning("preview %r of %s is not a plain relative path; not shown", rel, model_dir)
        return None
    root = model_dir.resolve()
    try:
        target = root.joinpath(*safe.parts).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symlink loop
        return None
    if not target.is_relative_to(root) or target == root or not target.is_file():
        log.warning("preview %r of %s leads outside the model folder; not shown", rel, model_dir)
        return None
    return target


def read_preview(model_dir: Path, meta: ModelMetadata, max_bytes: int) -> tuple[str, bytes] | None:
    """(mime type, bytes) of the model's preview image, or None when it has none that may be
    shown (missing, outside the model dir, not an image type, larger than `max_bytes`)."""
    rel = preview_name(meta)
    if not rel:
        return None
    mime = IMAGE_TYPES.get(Path(rel).suffix.lower())
    if mime is None:
        log.info("preview %r of %s is not a png/jpeg/webp/gif image; not shown", rel, meta.id)
        return None
    target = preview_path(model_dir, rel)
    if target is None:
        return None
    try:
        with target.open("rb") as f:
            data = f.read(max_bytes + 1)  # never more, even if the file grows meanwhile
    except OSError as exc:
        log.warning("cannot read preview %s: %s", target, exc)
        return None
    if len(data) > max_bytes:
        log.info("preview %s is larger than %d bytes; not shown", target, max_bytes)
        return None
    return mime, data
