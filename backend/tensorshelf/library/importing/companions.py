"""Which files are model weights, which travel with a weight file, and each file's role."""

from __future__ import annotations

import base64
import binascii
import logging
import re
from pathlib import Path, PurePosixPath

from tensorshelf import settings
from tensorshelf.library.importing.shards import is_index_json, parse_shard_name
from tensorshelf.library.metadata.document import FileRole

log = logging.getLogger(__name__)

WEIGHT_EXTENSIONS = frozenset(settings.MODEL_FILE_SUFFIXES)
# Longest first: "foo.preview.png" must not be read as the ".png" preview of "foo.preview".
COMPANION_SUFFIXES = (
    ".civitai.info",
    ".cm-info.json",
    ".metadata.json",
    ".preview.png",
    ".preview.jpg",
    ".preview.jpeg",
    ".preview.webp",
    ".yaml",
    ".yml",
    ".json",
    ".png",
    ".jpg",
    ".jpeg",
    ".webp",
)
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".webp"})
_TOKENIZER_NAMES = re.compile(
    r"^(tokenizer.*|vocab\..*|merges\.txt|spiece\.model|"
    r"special_tokens_map\.json|added_tokens\.json|.*\.tiktoken)$",
    re.IGNORECASE,
)
_CONFIG_EXTENSIONS = frozenset({".json", ".yaml", ".yml"})
_DATA_URI = re.compile(
    r"^data:image/(?P<kind>png|jpeg|jpg|webp);base64,(?P<data>.+)$", re.IGNORECASE | re.DOTALL
)
# Files our own model dirs use; a source file with one of these names at a model dir's top
# level cannot be kept under its own name.
RESERVED_TOP_LEVEL = frozenset({settings.METADATA_FILE, settings.OVERRIDES_FILE})


def suffix_of(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def is_weight_name(name: str, shards_too: bool = False) -> bool:
    """True for a weight file extension; with `shards_too` also for `x.gguf.part2` pieces."""
    if suffix_of(name) in WEIGHT_EXTENSIONS:
        return True
    if shards_too:
        shard = parse_shard_name(PurePosixPath(name).name)
        return shard is not None and f".{shard.ext.lower()}" in WEIGHT_EXTENSIONS
    return False


def stem_of(name: str) -> str:
    """'foo.safetensors' -> 'foo' (only the last extension goes)."""
    return PurePosixPath(name).stem if PurePosixPath(name).suffix else name


def companion_names(
    weight_name: str, listing: list[str] | set[str], stems: list[str] | None = None
) -> list[str]:
    """Names in `listing` that travel with `weight_name`: same stem + a companion suffix."""
    present = set(listing)
    out: list[str] = []
    for stem in stems or [stem_of(weight_name)]:
        for suffix in COMPANION_SUFFIXES:
            for candidate in _case_variants(stem, suffix, present):
                if candidate != weight_name and candidate not in out:
                    out.append(candidate)
    return out


def _case_variants(stem: str, suffix: str, present: set[str]) -> list[str]:
    """`stem + suffix` as present in the listing, the suffix matched case-insensitively."""
    prefix_len = len(stem)
    return sorted(
        name for name in present if name.startswith(stem) and name[prefix_len:].lower() == suffix
    )


def role_for(rel_path: str, is_weights: bool) -> FileRole:
    """A file's role inside its model dir."""
    name = PurePosixPath(rel_path).name
    if is_weights:
        return "weights"
    if is_index_json(name):
        return "index"
    lower = name.lower()
    if any(lower.endswith(s) for s in (".civitai.info", ".cm-info.json", ".metadata.json")):
        return "companion"
    if suffix_of(name) in IMAGE_EXTENSIONS:
        return "preview"
    if _TOKENIZER_NAMES.match(name):
        return "tokenizer"
    if suffix_of(name) in _CONFIG_EXTENSIONS:
        return "config"
    return "companion"


def preview_file(rel_files: list[str], weight_name: str) -> str | None:
    """The relative path of the preview image among a single file's companions, if any."""
    stem = stem_of(weight_name)
    ranked = sorted(
        (
            f
            for f in rel_files
            if suffix_of(f) in IMAGE_EXTENSIONS and PurePosixPath(f).name.startswith(stem)
        ),
        key=lambda f: (".preview." not in f.lower(), len(f), f),
    )
    return ranked[0] if ranked else None


def write_data_uri_preview(data_uri: str, model_dir: Path, taken: set[str]) -> str | None:
    """Decode an embedded `data:image/...;base64,` thumbnail into `preview.<ext>`.

    Returns the relative name written, or None (malformed, too large, or name taken)."""
    match = _DATA_URI.match(data_uri.strip())
    if match is None:
        return None
    if len(match["data"]) * 3 // 4 > settings.PREVIEW_DATA_URI_MAX_BYTES:
        log.info(
            "embedded preview is larger than %d bytes; not written",
            settings.PREVIEW_DATA_URI_MAX_BYTES,
        )
        return None
    try:
        payload = base64.b64decode(match["data"], validate=False)
    except (binascii.Error, ValueError):
        return None
    kind = match["kind"].lower()
    name = f"preview.{'jpg' if kind == 'jpeg' else kind}"
    if name in taken or not payload:
        return None
    (model_dir / name).write_bytes(payload)
    return name
