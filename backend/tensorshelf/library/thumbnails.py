"""The grid view's thumbnails: each model's preview (library.previews — an imported preview,
a Civitai sidecar image, an embedded `modelspec.thumbnail` decoded at import) made small once
with Pillow and kept in the state dir, so the grid never loads an image full size.

A cache file is named by the model id and the source's size and mtime: a changed preview
gets a new thumbnail and the old one is removed. A source Pillow cannot read gets a
`.none` marker, so it is not decoded again on every scroll. The library is never written."""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from tensorshelf import settings
from tensorshelf.io.atomic import write_bytes_atomic
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.previews import IMAGE_TYPES, preview_name, preview_path

log = logging.getLogger(__name__)

SUFFIX = ".webp"
NO_THUMBNAIL = ".none"
MIME = "image/webp"


def _make(source: Path) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source) as image:
            image.draft("RGB", (settings.THUMBNAIL_PX, settings.THUMBNAIL_PX))  # JPEG: decode small
            small = ImageOps.exif_transpose(image)
            small.thumbnail((settings.THUMBNAIL_PX, settings.THUMBNAIL_PX))
            if small.mode not in ("RGB", "RGBA"):
                small = small.convert("RGBA" if "A" in small.getbands() else "RGB")
            out = io.BytesIO()
            small.save(out, "WEBP", quality=settings.THUMBNAIL_QUALITY)
            return out.getvalue()


def _drop_old(cache_dir: Path, model_id: str, keep: str) -> None:
    for old in cache_dir.glob(f"{model_id}-*"):
        if old.name not in (keep, keep + NO_THUMBNAIL):
            with contextlib.suppress(OSError):
                old.unlink()


def thumbnail(cache_dir: Path, model_dir: Path, meta: ModelMetadata) -> bytes | None:
    """WebP bytes of the model's thumbnail (made now if it is not cached), or None when it
    has no preview that may be shown or the preview is not a readable image."""
    rel = preview_name(meta)
    if not rel or Path(rel).suffix.lower() not in IMAGE_TYPES:
        return None
    source = preview_path(model_dir, rel)
    if source is None:
        return None
    try:
        st = source.stat()
    except OSError:
        return None
    name = f"{meta.id}-{st.st_size}-{st.st_mtime_ns}{SUFFIX}"
    cached = cache_dir / name
    with contextlib.suppress(FileNotFoundError):
        return cached.read_bytes()
    if (cache_dir / (name + NO_THUMBNAIL)).exists():
        return None
    if st.st_size > settings.THUMBNAIL_SOURCE_MAX_BYTES:
        log.info("preview %s is too large for a thumbnail", source)
        return None
    cache_dir.mkdir(parents=True, exist_ok=True)
    _drop_old(cache_dir, meta.id, name)
    try:
        data = _make(source)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning) as exc:
        log.info("no thumbnail for %s: %s", source, exc)
        with contextlib.suppress(OSError):
            (cache_dir / (name + NO_THUMBNAIL)).touch()
        return None
    try:
        write_bytes_atomic(cached, data)
    except OSError as exc:  # a full or read-only state dir: serve it anyway, uncached
        log.warning("cannot keep the thumbnail %s: %s", cached, exc)
    return data
