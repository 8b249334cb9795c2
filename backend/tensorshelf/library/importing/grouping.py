"""Turn dropped paths into logical import units: one `ImportPlanItem` per future model.

* a weight file → one unit, with its same-stem companions (preview, yaml, sidecars);
* shards (`-00001-of-00005`, `.partN`, `_00001`) → ONE unit with all siblings found in the
  same directory and the set's `*.index.json`, however many of them were passed;
* a diffusers folder (`model_index.json`) or a transformers / PEFT folder (`config.json` or
  `adapter_config.json` beside weights) → one unit keeping every relative path;
* any other folder → recursed, one unit per model found inside;
* anything else → `rejected` with a reason. Nothing here reads more than a directory listing
  (and a shard index); header checks and detection happen in `planning`."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from tensorshelf import settings
from tensorshelf.error_info import ErrorInfo
from tensorshelf.errors import UnsafePath
from tensorshelf.io.naming import safe_relative_path
from tensorshelf.library.importing.companions import (
    RESERVED_TOP_LEVEL,
    companion_names,
    is_weight_name,
    stem_of,
)
from tensorshelf.library.importing.entries import (
    NOT_UTF8,
    link_target_kind,
    listing,
    outside,
    regular_files,
    rejection,
    undecodable,
)
from tensorshelf.library.importing.shards import (
    is_index_json,
    missing_indices,
    parse_shard_name,
    read_weight_map,
    siblings,
)
from tensorshelf.library.layout import is_inside
from tensorshelf.library.metadata.document import ModelFormat

log = logging.getLogger(__name__)

DIFFUSERS_MARKER = "model_index.json"
BUNDLE_MARKERS = ("config.json", "adapter_config.json")


@dataclass
class Unit:
    """One logical model found among the inputs (before header checks and detection)."""

    key: str
    name: str
    model_format: ModelFormat
    root: Path
    rel_files: list[str]  # weights first; the primary weight file is rel_files[0]
    weights: list[str] = field(default_factory=list)  # the weight files among rel_files
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    adopted: bool = False  # a loose file without a weight extension: its header decides

    @property
    def paths(self) -> list[Path]:
        return [self.root.joinpath(*rel.split("/")) for rel in self.rel_files]


@dataclass
class Grouping:
    units: list[Unit] = field(default_factory=list)
    rejected: list[ErrorInfo] = field(default_factory=list)
    unknown: list[Path] = field(default_factory=list)  # loose non-weight files: sniff decides
    walked: set[Path] = field(default_factory=set)  # those of `unknown` found inside a folder
    ignored: list[Path] = field(default_factory=list)  # non-model files met inside a folder
    _seen: set[str] = field(default_factory=set)

    def add(self, unit: Unit) -> bool:
        primary = os.path.realpath(unit.paths[0]) if unit.rel_files else unit.key
        if primary in self._seen:
            return False  # the same model reached twice (a shard and its folder, a repeat)
        self._seen.add(primary)
        _check_names(unit)
        self.units.append(unit)
        return True

    def reject(self, path: Path, reason: str) -> None:
        self.rejected.append(rejection(path, reason))


def group_paths(paths: list[str | os.PathLike[str]], library_root: Path | None = None) -> Grouping:
    """Group `paths` (files and folders, absolute) into units; see the module docstring."""
    result = Grouping()
    loose: dict[Path, list[str]] = {}
    for raw in paths:
        path = Path(os.path.abspath(raw))
        if undecodable(path):
            result.reject(path, NOT_UTF8)
        elif library_root is not None and _in_library(library_root, path):
            result.reject(path, "is inside the library already")
        elif path.is_dir():
            _group_dir(path, result, budget=[settings.FOLDER_WALK_MAX_FILES], top=path)
        elif path.is_file():
            names = loose.setdefault(path.parent, [])
            if path.name not in names:
                names.append(path.name)
        elif os.path.lexists(path):
            result.reject(path, "not a regular file or folder (broken link, device or socket)")
        else:
            result.reject(path, "no such file or folder")
    for directory, names in loose.items():
        _group_loose(directory, names, listing(directory), result)
    return result


def _in_library(library_root: Path, path: Path) -> bool:
    return is_inside(library_root, path) or (
        os.path.realpath(path) == os.path.realpath(library_root)
    )


def _group_dir(directory: Path, result: Grouping, budget: list[int], top: Path) -> None:
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        result.reject(directory, f"cannot list folder {directory}: {exc.strerror or exc}")
        return
    files = regular_files(entries, top, result.reject)
    if DIFFUSERS_MARKER in files:
        _folder_unit(directory, "diffusers-folder", result, budget, top)
        return
    if any(m in files for m in BUNDLE_MARKERS) and any(is_weight_name(f) for f in files):
        _folder_unit(directory, "bundle", result, budget, top)
        return
    budget[0] -= len(files)
    if budget[0] < 0:
        result.reject(
            directory,
            f"more than {settings.FOLDER_WALK_MAX_FILES} files; drop the model folders one by one",
        )
        return
    if files:
        _group_loose(directory, files, files, result, walked=True)
    for entry in entries:
        if entry.name.startswith(".") or undecodable(entry.name):
            continue  # an undecodable name was reported above
        if entry.is_dir(follow_symlinks=False):
            _group_dir(Path(entry.path), result, budget, top)
        elif entry.is_symlink() and link_target_kind(entry) == "dir":
            result.reject(Path(entry.path), "symlinked folder not followed")


def _folder_unit(
    directory: Path, fmt: ModelFormat, result: Grouping, budget: list[int], top: Path
) -> None:
    rels: list[str] = []
    sizes: dict[str, int] = {}
    warnings: list[str] = []
    for current, dirnames, filenames in os.walk(directory, followlinks=False):
        base = Path(current)
        for name in list(dirnames):
            if undecodable(name):
                warnings.append(f"folder {rejection(name, '').details['path']!r} was not "
                                f"imported: {NOT_UTF8}")  # fmt: skip
                dirnames.remove(name)
                continue
            if name.startswith(".") or (base / name).is_symlink():
                if not name.startswith("."):
                    warnings.append(f"symlinked folder {name!r} was not imported")
                dirnames.remove(name)
        dirnames.sort()
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = base / name
            if undecodable(name):
                shown = rejection(name, "").details["path"]
                warnings.append(f"{shown!r} was not imported: {NOT_UTF8}")
                continue
            rel = full.relative_to(directory).as_posix()
            if full.is_symlink():  # never followed out of the folder; inside: the real file
                if outside(full, top):
                    warnings.append(f"{rel} was not imported: a symlink to a file outside the "
                                    "dropped folder")  # fmt: skip
                continue
            if rel in RESERVED_TOP_LEVEL:
                warnings.append(f"{rel} was not imported: the library uses that name itself")
                continue
            try:
                sizes[rel] = full.stat().st_size
            except OSError as exc:
                warnings.append(f"{rel} was not imported: {exc.strerror or exc}")
                continue
            rels.append(rel)
    budget[0] -= len(rels)
    if budget[0] < 0:
        result.reject(directory, f"more than {settings.FOLDER_WALK_MAX_FILES} files in folder")
        return
    weights = [r for r in rels if is_weight_name(r, shards_too=True)]
    # The primary weight file (whose hashes identify the model) is the largest one.
    weights.sort(key=lambda r: (-sizes[r], r))
    others = [r for r in rels if r not in set(weights)]
    unit = Unit(
        key=str(directory),
        name=directory.name,
        model_format=fmt,
        root=directory,
        rel_files=weights + others,
        weights=weights,
        warnings=warnings,
    )
    if not weights:
        unit.error = f"{directory} holds no model weight files"
    result.add(unit)


def _group_loose(
    directory: Path, given: list[str], listing: list[str], result: Grouping, walked: bool = False
) -> None:
    consumed: set[str] = set()
    for name in given:  # index.json files first: they name their shards
        if is_index_json(name) and name not in consumed:
            _index_unit(directory, name, listing, consumed, result)
    for name in given:
        if name in consumed or not is_weight_name(name, shards_too=True):
            continue
        shard = parse_shard_name(name)
        found = siblings(directory, shard, listing) if shard else {}
        if shard is not None and (shard.kind != "underscore" or len(found) > 1):
            _shard_unit(directory, name, listing, consumed, result)
        else:
            _single_unit(directory, name, listing, consumed, result)
    for name in given:
        if name not in consumed and not name.startswith("."):
            result.unknown.append(directory / name)
            if walked:
                result.walked.add(directory / name)


def _single_unit(
    directory: Path, name: str, listing: list[str], consumed: set[str], result: Grouping
) -> None:
    companions = [
        c for c in companion_names(name, listing) if c not in consumed and not is_weight_name(c)
    ]
    consumed.update([name, *companions])
    result.add(
        Unit(
            key=str(directory / name),
            name=stem_of(name),
            model_format="single-file",
            root=directory,
            rel_files=[name, *companions],
            weights=[name],
        )
    )


def _shard_unit(
    directory: Path, name: str, listing: list[str], consumed: set[str], result: Grouping
) -> Unit | None:
    shard = parse_shard_name(name)
    assert shard is not None
    found = siblings(directory, shard, listing)
    shard_files = list(found.values())
    extra = [shard.index_json_name] if shard.index_json_name in listing else []
    companions = [
        c
        for c in companion_names(name, listing, stems=[shard.base])
        if c not in consumed and not is_weight_name(c) and c not in extra
    ]
    consumed.update([*shard_files, *extra, *companions])
    unit = Unit(
        key=str(directory / shard_files[0]),
        name=shard.base,
        model_format="sharded-set",
        root=directory,
        rel_files=[*shard_files, *extra, *companions],
        weights=shard_files,
    )
    missing = missing_indices(shard, found)
    if missing:
        total = shard.total or max(found)
        unit.warnings.append(
            f"incomplete sharded set: {len(missing)} of {total} shards missing "
            f"(indices {', '.join(map(str, missing))})"
        )
    return unit if result.add(unit) else None


def _index_unit(
    directory: Path, index_name: str, listing: list[str], consumed: set[str], result: Grouping
) -> None:
    referenced = read_weight_map(directory / index_name)
    first = next((n for n in referenced if n in listing and parse_shard_name(n)), None)
    if first is not None:
        unit = _shard_unit(directory, first, listing, consumed, result)
        if unit is not None and index_name not in unit.rel_files:
            unit.rel_files.append(index_name)
            consumed.add(index_name)
        _report_unlisted(directory, index_name, referenced, listing, unit)
        return
    present = [n for n in referenced if n in listing and "/" not in n and "\\" not in n]
    if not present:
        consumed.add(index_name)
        result.reject(directory / index_name, "shard index names no shard file found beside it")
        return
    consumed.update([index_name, *present])
    result.add(
        Unit(
            key=str(directory / present[0]),
            name=index_name.split(".")[0] or index_name,
            model_format="sharded-set",
            root=directory,
            rel_files=[*present, index_name],
            weights=present,
        )
    )


def _report_unlisted(
    directory: Path, index_name: str, referenced: list[str], listing: list[str], unit: Unit | None
) -> None:
    missing = [n for n in referenced if n not in listing]
    if unit is not None and missing:
        shown = ", ".join(repr(n) for n in missing[:5])
        unit.warnings.append(f"{index_name} names {len(missing)} file(s) not found: {shown}")


def _check_names(unit: Unit) -> None:
    """Every relative name must stay inside the model dir and be stored unchanged."""
    for rel in unit.rel_files:
        try:
            safe = safe_relative_path(rel)
        except UnsafePath as exc:
            unit.error = f"unsafe file name {rel!r}: {exc.message}"
            return
        if safe.as_posix() != rel:
            unit.error = (
                f"file name {rel!r} cannot be kept as is in the library (backslash or empty part)"
            )
            return
