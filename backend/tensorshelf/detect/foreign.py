"""What other tools said about a model file: Civitai Helper `.civitai.info`, Stability Matrix
`.cm-info.json`, LoRA Manager `.metadata.json`, same-stem preview images, and the metadata
embedded in safetensors headers (`modelspec.*`, kohya `ss_*`).

Sidecars are advisory: a malformed one is logged and ignored, never fatal.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

from tensorshelf import settings
from tensorshelf.detect import names
from tensorshelf.detect.companions import byte_split, load_json
from tensorshelf.detect.gc_pause import gc_paused
from tensorshelf.detect.models import ForeignMetadata
from tensorshelf.detect.names import strip_suffix
from tensorshelf.detect.readers.header import read_header
from tensorshelf.errors import InvalidModelFile

log = logging.getLogger(__name__)

GGUF_TITLE_KEYS = ("general.name", "general.basename")
GGUF_DESCRIPTION_KEY = "general.description"
CIVITAI_INFO = ".civitai.info"
CM_INFO = ".cm-info.json"
LORA_MANAGER = ".metadata.json"
PREVIEW_EXTS = (".png", ".jpg", ".jpeg", ".webp", ".gif")
PREVIEW_INFIXES = (".preview", "")
DATA_URI_PREFIX = "data:"


_MISSING = {errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP}  # as pathlib.is_file


def _exists(path: str) -> bool:
    """False only when the path surely does not exist (a cheap os.stat on a str, instead of
    building a Path for each of the ~13 sidecar names probed per weight file)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True  # let the full check decide (and report)
    return True


def _is_file(path: str) -> bool:
    """Path.is_file() on a str path, without building the Path."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError as exc:
        if exc.errno not in _MISSING:
            raise
        return False
    except ValueError:
        return False


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _words(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    out: list[str] = []
    for item in value:
        if isinstance(item, str):
            out.extend(w.strip() for w in item.split(",") if w.strip())
    return out


def _get(data: dict[str, Any], *keys: str) -> Any:
    """First present key, case-insensitively (C# tools write PascalCase)."""
    lowered = {k.lower(): v for k, v in data.items() if isinstance(k, str)}
    for key in keys:
        if key.lower() in lowered:
            return lowered[key.lower()]
    return None


class _Collector:
    def __init__(self) -> None:
        self.meta = ForeignMetadata()

    def add(
        self,
        source: str,
        title: Any = None,
        description: Any = None,
        base_model: Any = None,
        words: list[str] | None = None,
        preview: str | None = None,
    ) -> None:
        m = self.meta
        m.title = m.title or _text(title)
        m.description = m.description or _text(description)
        raw = _text(base_model)
        family = names.base_model_family(raw) if raw else None
        if family and m.base_model is None:  # the first source that names a known family
            m.base_model, m.base_model_raw = family, raw
        elif raw and m.base_model_raw is None:
            m.base_model_raw = raw
        for w in words or []:
            if w not in m.trigger_words:
                m.trigger_words.append(w)
        m.preview_image = m.preview_image or preview
        m.source.append(source)


def _civitai(c: _Collector, data: dict[str, Any]) -> None:
    found = data.get("model")
    model: dict[str, Any] = found if isinstance(found, dict) else {}
    c.add(
        CIVITAI_INFO,
        title=model.get("name") or data.get("name"),
        description=data.get("description") or model.get("description"),
        base_model=data.get("baseModel"),
        words=_words(data.get("trainedWords")),
    )


def _cm_info(c: _Collector, data: dict[str, Any]) -> None:
    c.add(
        CM_INFO,
        title=_get(data, "UserTitle") or _get(data, "ModelName"),
        description=_get(data, "ModelDescription") or _get(data, "VersionDescription"),
        base_model=_get(data, "BaseModel"),
        words=_words(_get(data, "TrainedWords")),
    )


def _lora_manager(c: _Collector, data: dict[str, Any], weight: Path) -> None:
    found = data.get("civitai")
    civitai: dict[str, Any] = found if isinstance(found, dict) else {}
    preview = _text(data.get("preview_url"))
    local = None
    if preview and not preview.startswith(("http://", "https://")):
        candidate = Path(preview)
        if candidate.parent == weight.parent or not candidate.is_absolute():
            local = candidate.name if (weight.parent / candidate.name).is_file() else None
    c.add(
        LORA_MANAGER,
        title=data.get("model_name"),
        description=data.get("modelDescription") or civitai.get("description"),
        base_model=data.get("base_model"),
        words=_words(civitai.get("trainedWords")),
        preview=local,
    )


def _tag_frequency(raw: str | None) -> list[str]:
    """kohya ss_tag_frequency: the most frequent tag of each dataset folder (a LoRA's trigger
    word is normally in every caption); generic tags further down are not trigger words."""
    if not raw:
        return []
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return []
    out: list[str] = []
    if isinstance(data, dict):
        for tags in data.values():
            if not isinstance(tags, dict):
                continue
            counted = [
                (n, t.strip())
                for t, n in tags.items()
                if isinstance(t, str) and isinstance(n, int) and t.strip()
            ]
            if counted:
                top = max(counted)[1]
                if top not in out:
                    out.append(top)
    return out[: settings.DETECT_MAX_TRIGGER_TAGS]


def _embedded(c: _Collector, md: dict[str, str]) -> None:
    thumb = md.get("modelspec.thumbnail")
    preview = None
    if (
        thumb
        and thumb.startswith(DATA_URI_PREFIX)
        and len(thumb) <= settings.PREVIEW_DATA_URI_MAX_BYTES
    ):
        preview = thumb
    words = _words(md.get("modelspec.trigger_phrase"))
    if any(k.startswith("modelspec.") for k in md):
        c.add(
            "modelspec",
            title=md.get("modelspec.title"),
            description=md.get("modelspec.description"),
            base_model=md.get("modelspec.architecture"),
            words=words,
            preview=preview,
        )
    if any(k.startswith("ss_") for k in md):
        tags = [] if c.meta.trigger_words else _tag_frequency(md.get("ss_tag_frequency"))
        c.add(
            "ss_metadata",
            title=md.get("ss_output_name"),
            base_model=md.get("ss_base_model_version"),
            words=tags,
        )


def _gguf(c: _Collector, kv: dict[str, Any]) -> None:
    """A GGUF's own name for the model (`general.name`, else `general.basename`)."""
    title = next(
        (v for k in GGUF_TITLE_KEYS if isinstance(v := kv.get(k), str) and v.strip()), None
    )
    description = kv.get(GGUF_DESCRIPTION_KEY)
    if title or isinstance(description, str):
        c.add("gguf_metadata", title=title, description=description)


def _preview_file(weight: Path) -> str | None:
    stem = strip_suffix(weight.name)
    folder = os.fspath(weight.parent)
    for infix in PREVIEW_INFIXES:
        for ext in PREVIEW_EXTS:
            name = f"{stem}{infix}{ext}"
            if _is_file(os.path.join(folder, name)):
                return name
    return None


def foreign_metadata(
    weight_path: str | os.PathLike[str],
    embedded: dict[str, str] | None = None,
    gguf: dict[str, Any] | None = None,
) -> ForeignMetadata:
    """Combine sidecars (in priority order) and embedded metadata (safetensors `embedded`, or
    a GGUF's key/values `gguf`) for one weight file."""
    weight = Path(weight_path)
    stem = strip_suffix(weight.name)
    c = _Collector()
    base = weight.parent
    folder = os.fspath(base)

    def sidecar(suffix: str) -> dict[str, Any] | None:
        name = f"{stem}{suffix}"
        return load_json(base / name) if _exists(os.path.join(folder, name)) else None

    if (data := sidecar(CIVITAI_INFO)) is not None:
        _civitai(c, data)
    if (data := sidecar(CM_INFO)) is not None:
        _cm_info(c, data)
    if (data := sidecar(LORA_MANAGER)) is not None:
        _lora_manager(c, data, weight)
    preview = _preview_file(weight)
    if preview:
        c.meta.preview_image = preview
        c.meta.source.append("preview_file")
    if embedded:
        _embedded(c, embedded)
    if gguf:
        _gguf(c, gguf)
    return c.meta


def read_foreign_metadata(weight_path: str | os.PathLike[str]) -> ForeignMetadata:
    """Sidecars beside `weight_path` plus the metadata embedded in its header (safetensors
    `__metadata__`, GGUF key/values; piece 1's header for a byte-split file)."""
    weight = Path(weight_path)
    embedded: dict[str, str] | None = None
    split = byte_split(weight) if ".part" in weight.name.lower() else None
    header, size = (split.first, split.size) if split is not None else (weight, None)
    name = split.whole if split is not None else weight.name
    gguf: dict[str, Any] | None = None
    lower = name.lower()
    if header is not None and lower.endswith((".safetensors", ".gguf")) and header.is_file():
        try:
            with gc_paused():
                found = read_header(header, size, parse_pickles=False)
            if found.gguf is not None:
                gguf = found.gguf.metadata
            elif found.safetensors is not None:
                embedded = found.safetensors.metadata
        except (InvalidModelFile, OSError) as exc:
            log.warning("no embedded metadata from %s: %s", header.name, exc)
    return foreign_metadata(weight, embedded, gguf)
