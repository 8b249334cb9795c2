"""Build a new model's metadata.json content from what the import learned."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from tensorshelf.detect.models import Detection, ForeignMetadata, SecurityTier
from tensorshelf.io.hashing import hash_file
from tensorshelf.library.importing.companions import preview_file, role_for, write_data_uri_preview
from tensorshelf.library.importing.shards import parse_shard_name
from tensorshelf.library.importing.transfer import StagedFile
from tensorshelf.library.metadata.document import FileEntry, Hashes, ModelMetadata, Source, utc_now
from tensorshelf.library.models import ImportOptions, ImportPlanItem

log = logging.getLogger(__name__)

OVERRIDABLE = ("name", "family", "model_type", "subtype")


def read_foreign(primary: Path, detection: Detection | None) -> ForeignMetadata:
    """Sidecars (.civitai.info, .cm-info.json, .metadata.json) and embedded keys: the plan's
    detection has both; without one only the sidecars are read (never the header again)."""
    if detection is not None:
        return detection.foreign
    try:
        from tensorshelf.detect.foreign import foreign_metadata

        return foreign_metadata(primary)
    except Exception:
        log.warning("could not read foreign metadata of %s", primary, exc_info=True)
        return ForeignMetadata()


def file_entries(staged: list[StagedFile], weights: set[str], sharded: bool) -> list[FileEntry]:
    entries = []
    for item in staged:
        is_weights = item.rel in weights
        entry = FileEntry(
            path=item.rel,
            size=item.hashes.size,
            sha256=item.hashes.sha256,
            blake3=item.hashes.blake3,
            git_sha1=item.hashes.git_sha1,
            mtime_ns=os.stat(item.staged).st_mtime_ns,
            role=role_for(item.rel, is_weights),
        )
        shard = parse_shard_name(Path(item.rel).name) if sharded and is_weights else None
        if shard is not None:
            entry.shard_index = shard.index
            entry.shard_total = shard.total
        entries.append(entry)
    if sharded:
        known = [e.shard_index for e in entries if e.shard_index is not None]
        for entry in entries:  # ".partN" / "_NNNNN" names carry no total: the set's size is it
            if entry.shard_index is not None and entry.shard_total is None:
                entry.shard_total = max(known)
    return entries


def classify(options: ImportOptions, detection: Detection | None) -> dict[str, str | None]:
    det = detection or Detection()
    return {
        "model_type": _clean(options.model_type) or det.model_type or "other",
        "subtype": _clean(options.subtype) or det.subtype,
        "family": _clean(options.family) or det.family,
        "precision": det.precision,
        "variant": det.variant,
    }


def _clean(text: str | None) -> str | None:
    return text.strip() or None if text is not None else None


def user_overrides(options: ImportOptions) -> list[str]:
    return [f for f in OVERRIDABLE if _clean(getattr(options, f))]


def build_metadata(
    *,
    model_id: str,
    item: ImportPlanItem,
    options: ImportOptions,
    staged: list[StagedFile],
    weights: set[str],
    detection: Detection | None,
    foreign: ForeignMetadata,
    tier: SecurityTier,
    model_dir: Path,
    import_session: str | None = None,
) -> ModelMetadata:
    """metadata.json for a model staged in `model_dir` (its `path` is set at publish time)."""
    primary = staged[0]
    name = _clean(options.name) or item.name
    files = file_entries(staged, weights, item.model_format == "sharded-set")
    rel_files = [f.path for f in files]
    now = utc_now()
    preview = _preview(item, rel_files, foreign, model_dir, primary.rel)
    if preview is not None and preview not in rel_files:
        path = model_dir / preview
        hashes = hash_file(path)
        files.append(
            FileEntry(
                path=preview,
                size=hashes.size,
                sha256=hashes.sha256,
                blake3=hashes.blake3,
                mtime_ns=path.stat().st_mtime_ns,
                role="preview",
            )
        )
    tags = list(dict.fromkeys(t.strip() for t in options.tags if t.strip()))
    classification = classify(options, detection)
    return ModelMetadata(
        id=model_id,
        path="",
        name=name,
        cleaned_name="",
        model_format=item.model_format,
        model_type=classification["model_type"] or "other",
        subtype=classification["subtype"],
        family=classification["family"],
        base_model=foreign.base_model,
        variant=classification["variant"],
        precision=classification["precision"],
        detection=detection,
        files=files,
        hashes=Hashes(sha256=primary.hashes.sha256, blake3=primary.hashes.blake3),
        size_bytes=sum(f.size for f in files),
        sources=[Source(kind="local", path=item.key, mode=options.mode, imported_at=now)],
        import_session=import_session,
        pending_online_lookup=options.lookup,
        trigger_words=list(foreign.trigger_words),
        description=foreign.description,
        tags=tags,
        preview_image=preview,
        user_overrides=user_overrides(options),
        security_tier=tier,
        added_date=now,
        updated_date=now,
        pickle_scan=detection.pickle_scan.model_dump()
        if detection is not None and detection.pickle_scan is not None
        else None,
    )


def _preview(
    item: ImportPlanItem,
    rel_files: list[str],
    foreign: ForeignMetadata,
    model_dir: Path,
    primary_rel: str,
) -> str | None:
    if item.model_format in ("single-file", "sharded-set"):
        found = preview_file(rel_files, primary_rel)
        if found is not None:
            return found
    wanted = foreign.preview_image
    if wanted and wanted in rel_files:
        return wanted
    if wanted and wanted.startswith("data:"):
        return write_data_uri_preview(wanted, model_dir, set(rel_files))
    return None
