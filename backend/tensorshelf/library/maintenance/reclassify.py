"""Re-run detection on library models (headers only) and re-file those whose class changed.

Ids never change; paths move and the index follows. Fields the user set (`user_overrides`)
and models whose match is `manual` are left alone; a detector answer of "unknown" (None)
never erases a known value."""

from __future__ import annotations

import logging
from pathlib import Path

from tensorshelf.detect import names
from tensorshelf.detect.models import Detection
from tensorshelf.error_info import ErrorInfo, error_info
from tensorshelf.errors import FileAccessError, ShelfError
from tensorshelf.library.context import LibraryContext
from tensorshelf.library.editing import load, save
from tensorshelf.library.importing.planning import detect
from tensorshelf.library.journaled import free_target
from tensorshelf.library.metadata.document import ModelMetadata, utc_now
from tensorshelf.library.models import ReclassifyChange, ReclassifyItem

log = logging.getLogger(__name__)

FIELDS = ("model_type", "subtype", "family", "precision")
REFILE_FIELDS = ("model_type", "family")
FOLDER_FORMATS = ("diffusers-folder", "bundle")
_UNKNOWN_VALUES = {None, "", "unknown"}


def detection_target(model_dir: Path, meta: ModelMetadata) -> Path:
    if meta.model_format in FOLDER_FORMATS:
        return model_dir
    weights = [f for f in meta.files if f.role == "weights"]
    primary = weights[0] if weights else meta.files[0]
    return model_dir.joinpath(*primary.path.split("/"))


def proposed_changes(meta: ModelMetadata, det: Detection) -> dict[str, list[str | None]]:
    """field → [old, new] for the fields reclassify may change."""
    if meta.match_source == "manual":
        return {}
    changes: dict[str, list[str | None]] = {}
    for field in FIELDS:
        if field in meta.user_overrides:
            continue
        old, new = getattr(meta, field), getattr(det, field)
        if new in _UNKNOWN_VALUES or (field == "model_type" and new == "other"):
            continue  # "don't know" never erases what is known
        if new != old:
            changes[field] = [old, new]
    base = _normalised_base_model(meta)
    if base is not None:
        changes["base_model"] = [meta.base_model, base]
    return changes


def _normalised_base_model(meta: ModelMetadata) -> str | None:
    """The family id for a raw base-model string kept by detector v1 ("SDXL 1.0" → sdxl),
    or None when it is already an id, unknown to the vocabulary, or the user's."""
    if "base_model" in meta.user_overrides or not meta.base_model:
        return None
    family = names.base_model_family(meta.base_model)
    return family if family is not None and family != meta.base_model else None


def _for(error: ErrorInfo, ref: str) -> ErrorInfo:
    """The error with the model it is about (details.ref)."""
    return error.model_copy(update={"details": {**error.details, "ref": ref}})


def reclassify_model(ctx: LibraryContext, ref: str, dry_run: bool) -> ReclassifyItem:
    """Re-run detection on one model and (unless `dry_run`) re-file it. Never raises for a
    model-level failure: that comes back as the item's `error`, so one unreadable file or
    detector bug never stops a run over the whole library."""
    try:
        return ReclassifyItem(ref=ref, change=_one(ctx, ref, dry_run))
    except ShelfError as exc:
        return ReclassifyItem(ref=ref, error=_for(exc.info(), ref))
    except OSError as exc:
        where = exc.filename or ref
        return ReclassifyItem(
            ref=ref,
            error=_for(FileAccessError(f"{exc.strerror or exc}: {where}").info(), ref),
        )
    except Exception as exc:  # one file's detector bug must not stop the others
        log.warning("reclassify of %s failed", ref, exc_info=True)
        return ReclassifyItem(ref=ref, error=error_info(exc, ref=ref))


def _one(ctx: LibraryContext, ref: str, dry_run: bool) -> ReclassifyChange | None:
    if dry_run:  # a reader: never waits for another writer
        return _reclassify(ctx, ref, dry_run)
    with ctx.writer.hold(f"reclassifying {ref}"):
        return _reclassify(ctx, ref, dry_run)


def _reclassify(ctx: LibraryContext, ref: str, dry_run: bool) -> ReclassifyChange | None:
    model_dir, meta = load(ctx, ref)
    det = detect(detection_target(model_dir, meta))
    changes = proposed_changes(meta, det)
    newer_detector = (
        meta.detection is None or meta.detection.detector_version != det.detector_version
    )
    if not changes and (dry_run or not newer_detector):
        return None
    old_path = meta.path
    for field, (_old, new) in changes.items():
        setattr(meta, field, new)
    refile_needed = any(f in changes for f in REFILE_FIELDS)
    if dry_run:
        new_path = old_path
        if refile_needed:
            new_path = free_target(ctx.library_root, meta, model_dir).as_posix()
        return ReclassifyChange(id=meta.id, old_path=old_path, new_path=new_path, changes=changes)
    meta.detection = det
    meta.updated_date = utc_now()
    save(ctx, model_dir, meta, refile_needed, "reclassify")
    if not changes:
        return None  # only the stored detection evidence was refreshed
    return ReclassifyChange(id=meta.id, old_path=old_path, new_path=meta.path, changes=changes)
