"""`plan_import`: grouping + header checks + detection + known-duplicate lookup.

Headers only: a plan never hashes a weight file; `duplicate_of` comes from the hash cache
(files seen before) and the index."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

from tensorshelf.detect.companions import joined_name
from tensorshelf.detect.models import Detection, SecurityTier
from tensorshelf.error_info import ErrorInfo
from tensorshelf.errors import (
    DangerousPickle,
    FileAccessError,
    ImportFailed,
    InvalidModelFile,
    ShelfError,
)
from tensorshelf.io.hash_cache import HashCache
from tensorshelf.library.importing.companions import (
    companion_names,
    is_weight_name,
    stem_of,
    suffix_of,
)
from tensorshelf.library.importing.detect_pool import detect_many
from tensorshelf.library.importing.display_name import choose_display_name
from tensorshelf.library.importing.grouping import Grouping, Unit, group_paths
from tensorshelf.library.importing.shards import missing_indices, parse_shard_name, siblings
from tensorshelf.library.models import ImportPlan, ImportPlanItem, SourceStamp

log = logging.getLogger(__name__)

SAFE_FORMATS = frozenset({"safetensors", "gguf", "onnx"})
# Weight files whose whole header is parsed (and so validated) before an import.
PARSED_SUFFIXES = (".safetensors", ".gguf")
# Loose files with these extensions are not opened: they are never model weights.
NOT_MODEL_EXTENSIONS = frozenset(
    {
        ".txt",
        ".md",
        ".json",
        ".yaml",
        ".yml",
        ".png",
        ".jpg",
        ".jpeg",
        ".webp",
        ".gif",
        ".info",
        ".html",
        ".htm",
        ".py",
        ".toml",
        ".ini",
        ".cfg",
        ".csv",
        ".zip",
        ".gz",
        ".tar",
    }
)

# Browsers' and download managers' names for files still being written.
PARTIAL_DOWNLOAD_EXTENSIONS = frozenset(
    {".part", ".partial", ".crdownload", ".download", ".incomplete", ".tmp", ".aria2"}
)

FindBySha = Callable[[str], str | None]


def detect(path: Path) -> Detection:
    from tensorshelf.detect import detect_path

    return detect_path(path)


def header_files(root: Path, weights: list[str]) -> list[Path]:
    """The weight files that carry a header of their own (not `.part2`… pieces)."""
    out = []
    for rel in weights:
        shard = parse_shard_name(Path(rel).name)
        if shard is None or shard.carries_header:
            out.append(root.joinpath(*rel.split("/")))
    return out


def weights_of(item: ImportPlanItem) -> list[str]:
    """The weight files among an item's relative files (primary first)."""
    if not item.relative_files:
        return []
    weights = [r for r in item.relative_files if is_weight_name(r, shards_too=True)]
    primary = item.relative_files[0]
    return [primary] + [w for w in weights if w != primary]


def security_tier(formats: list[str], detection: Detection | None = None) -> SecurityTier:
    """The plan's word on safety: "pickle" when any weight file (or the detection) is one."""
    if "pickle" in formats or (detection is not None and detection.security_tier == "pickle"):
        return "pickle"
    if formats and all(f in SAFE_FORMATS for f in formats):
        return "safe"
    return "unknown"


def header_formats(
    root: Path, weights: list[str], already: dict[str, str] | None = None
) -> list[str]:
    """The container format of every header-carrying weight file, each header parsed whole
    (JSON that parses, tensors inside the file, a supported GGUF version; pickles are only
    sniffed). Files in `already` ({path: format}, what detection parsed) are not opened
    again; the others are opened once. InvalidModelFile names the first bad file."""
    from tensorshelf.detect.readers.header import read_header

    known = {os.path.normpath(k): v for k, v in (already or {}).items()}
    formats = []
    for path in header_files(root, weights):
        fmt = known.get(os.path.normpath(path))
        if fmt is None:
            fmt = read_header(path, sniff_only=is_byte_split(path), parse_pickles=False).format
        formats.append(fmt)
    return formats


def is_byte_split(path: Path) -> bool:
    """A `.partN` piece: its header (part 1) describes the joined file, not the piece."""
    shard = parse_shard_name(path.name)
    return shard is not None and shard.kind == "part"


def is_incomplete_byte_split(path: Path) -> bool:
    """A `.partN` piece of a set that lacks a piece: part 1's header (which describes the
    joined file) cannot be checked against the pieces' total size."""
    shard = parse_shard_name(path.name)
    if shard is None or shard.kind != "part":
        return False
    try:
        listing = sorted(os.listdir(path.parent))
    except OSError:
        return True
    return bool(missing_indices(shard, siblings(path.parent, shard, listing)))


def detection_target(item: ImportPlanItem) -> Path:
    if item.model_format in ("diffusers-folder", "bundle"):
        return Path(item.root)
    return Path(item.paths[0])


def plan_import(
    paths: list[str],
    library_root: Path | None = None,
    hash_cache: HashCache | None = None,
    find_by_sha256: FindBySha | None = None,
    grouping: Grouping | None = None,
) -> ImportPlan:
    """`grouping`: `group_paths(paths, library_root)` when the caller has it already."""
    grouping = grouping if grouping is not None else group_paths(list(paths), library_root)
    _adopt_unknown(grouping)
    _report_empty_folders(grouping, paths)
    planned = [(unit, _planned_item(unit)) for unit in grouping.units]
    wanted = [(unit, item) for unit, item in planned if item.error is None]
    outcomes = detect_many([detection_target(item) for _, item in wanted])
    finished = {item.key: outcome for (_, item), outcome in zip(wanted, outcomes, strict=True)}
    items = []
    for unit, item in planned:
        outcome = finished.get(item.key)
        if outcome is None:
            items.append(item)  # grouping gave it its error already
        elif unit.adopted and not isinstance(outcome, Detection):
            # a file without a model extension whose header is not a model's: not an item
            grouping.reject(Path(item.paths[0]), _adoption_refusal(outcome))
        else:
            items.append(_finish_item(item, unit, outcome, hash_cache, find_by_sha256))
    for item in items:
        if item.error is None:
            item.name = choose_display_name(item.name, detection_target(item), item.detection)
    items.sort(key=lambda item: _input_position(paths, item))  # stable: folder order kept
    return ImportPlan(items=items, rejected=grouping.rejected)


def _adoption_refusal(outcome: Exception) -> str:
    if isinstance(outcome, ShelfError):
        return outcome.message
    if isinstance(outcome, OSError):
        return f"cannot read: {outcome.strerror or outcome}"
    return f"not a model file ({outcome})"


def _input_position(paths: list[str], item: ImportPlanItem) -> int:
    """Index of the first input argument that this item came from (results follow inputs)."""
    for position, given in enumerate(paths):
        prefix = given.rstrip("/") + "/"
        if item.key == given or any(p == given or p.startswith(prefix) for p in item.paths):
            return position
    return len(paths)


def _adopt_unknown(grouping: Grouping) -> None:
    """Loose files without a weight extension: a model if their header says so (the
    detection decides, in `plan_import`; nothing is read here)."""
    for path in grouping.unknown:
        ext = suffix_of(path.name)
        if ext in PARTIAL_DOWNLOAD_EXTENSIONS:
            grouping.reject(
                path,
                f"looks like an unfinished download ({ext}); import it once "
                "the download has completed",
            )
            continue
        if ext in NOT_MODEL_EXTENSIONS:
            if path in grouping.walked:  # a README or picture inside a dropped folder
                grouping.ignored.append(path)
            else:
                grouping.reject(path, f"not a model file ({ext} files are not imported alone)")
            continue
        listing = sorted(os.listdir(path.parent))
        companions = [
            c
            for c in companion_names(path.name, listing)
            if not is_weight_name(c) and c != path.name
        ]
        grouping.add(
            Unit(
                key=str(path),
                name=stem_of(path.name),
                model_format="single-file",
                root=path.parent,
                rel_files=[path.name, *companions],
                weights=[path.name],
                adopted=True,  # detection decides whether it is a model at all
            )
        )


def _report_empty_folders(grouping: Grouping, paths: list[str]) -> None:
    """A dropped folder in which nothing was found to import (or report) is rejected, so
    the user hears about it; the non-model files a walk skipped are only logged."""
    if grouping.ignored:
        log.info(
            "skipped %d non-model file(s) inside folders: %s",
            len(grouping.ignored),
            ", ".join(p.name for p in grouping.ignored[:10]),
        )
    found = [u.root for u in grouping.units] + [Path(r.details["path"]) for r in grouping.rejected]
    for raw in paths:
        folder = Path(os.path.abspath(raw))
        if not folder.is_dir() or any(f == folder or folder in f.parents for f in found):
            continue
        skipped = sum(1 for p in grouping.ignored if folder in p.parents)
        grouping.reject(
            folder,
            "no model files found in this folder"
            + (f" ({skipped} other file(s) skipped)" if skipped else ""),
        )


def _cannot_read(exc: OSError, key: str) -> ErrorInfo:
    where = exc.filename or key
    return FileAccessError(f"cannot read {where}: {exc.strerror or exc}", path=str(where)).info()


def _not_importable(message: str, key: str) -> ErrorInfo:
    return ImportFailed(message, path=key).info()


def _stamps(unit: Unit) -> dict[str, SourceStamp]:
    out = {}
    for rel, path in zip(unit.rel_files, unit.paths, strict=True):
        with contextlib.suppress(OSError):
            out[rel] = SourceStamp.of(path.stat())
    return out


def _planned_item(unit: Unit) -> ImportPlanItem:
    """The unit as a plan item, before its headers are read (sizes and stamps from stat)."""
    stamps = _stamps(unit)
    return ImportPlanItem(
        key=unit.key,
        name=unit.name,
        model_format=unit.model_format,
        paths=[str(p) for p in unit.paths],
        root=str(unit.root),
        relative_files=list(unit.rel_files),
        size_bytes=sum(s.size for s in stamps.values()),
        stamps=stamps,
        warnings=list(unit.warnings),
        error=None if unit.error is None else _not_importable(unit.error, unit.key),
    )


def _named_parsed(path: Path) -> bool:
    """Named like a safetensors / GGUF file (a `.partN` piece by its joined name)."""
    return joined_name(path.name).lower().endswith(PARSED_SUFFIXES)


def _failed_detection(item: ImportPlanItem, unit: Unit, outcome: Exception) -> bool:
    """Record a detection failure on `item`; True when it makes the item unimportable."""
    if isinstance(outcome, InvalidModelFile):
        target = detection_target(item)
        single = item.model_format in ("single-file", "sharded-set")
        first = header_files(unit.root, unit.weights)[:1]
        parsed = single and bool(first) and _named_parsed(first[0])
        if parsed and not is_incomplete_byte_split(target):
            item.error = outcome.info()  # a malformed or truncated header: not usable
            return True
        item.warnings.append(f"could not classify: {outcome.message}")
    elif isinstance(outcome, ShelfError):
        item.warnings.append(f"could not classify: {outcome.message}")
    elif isinstance(outcome, OSError):  # unreadable (permissions, I/O error): no traceback
        item.warnings.append(f"could not read its header: {outcome.strerror or outcome}")
    else:
        log.warning("detection of %s failed", unit.key, exc_info=outcome)
        item.warnings.append(f"could not classify: {outcome}")
    return False


def _finish_item(
    item: ImportPlanItem,
    unit: Unit,
    outcome: Detection | Exception,
    hash_cache: HashCache | None,
    find_by_sha256: FindBySha | None,
) -> ImportPlanItem:
    """Apply the detection outcome of the item's target, then read (once) the headers that
    detection did not: each weight file's header is read exactly once per plan."""
    read: dict[str, str] = {}
    if isinstance(outcome, Detection):
        item.detection = outcome
        read = outcome.headers_read
        danger = dangerous_pickle(item)
        if danger is not None:
            item.error = danger.info()  # never importable, --accept-pickle or not
            return item
    elif _failed_detection(item, unit, outcome):
        return item
    try:
        formats = header_formats(unit.root, unit.weights, read)
    except InvalidModelFile as exc:
        item.error = exc.info()
        return item
    except OSError as exc:
        item.error = _cannot_read(exc, unit.key)
        return item
    item.security_tier = security_tier(formats, item.detection)
    if item.security_tier == "pickle":
        item.warnings.append(
            "pickle format: can execute code when loaded; import only from "
            "trusted sources (safetensors is the safe format)"
        )
    item.duplicate_of = _known_duplicate(unit.paths[0], hash_cache, find_by_sha256)
    return item


def _known_duplicate(
    primary: Path, hash_cache: HashCache | None, find_by_sha256: FindBySha | None
) -> str | None:
    if hash_cache is None or find_by_sha256 is None:
        return None
    try:
        cached = hash_cache.get(primary)
    except (OSError, ValueError):
        return None
    return find_by_sha256(cached.sha256) if cached is not None else None


def dangerous_pickle(item: ImportPlanItem) -> DangerousPickle | None:
    """The refusal of an item whose pickle scan found code-running globals, or None."""
    scan = item.detection.pickle_scan if item.detection is not None else None
    if scan is None or scan.verdict != "dangerous":
        return None
    return DangerousPickle(
        f"{item.paths[0]} is a pickle that would run code when loaded (it references "
        f"{', '.join(scan.dangerous[:8])}); it is blocked and cannot be imported",
        path=item.paths[0],
        dangerous=scan.dangerous,
    )
