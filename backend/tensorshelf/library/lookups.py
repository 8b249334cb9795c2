"""Recording a Hugging Face lookup in a model's metadata.json (through the same journaled,
atomic save as an edit; the index follows): the match, the repo's metadata, the attempt. A
model whose match the user set (`match_source: manual`) keeps it — only the attempt is
recorded. A low-confidence (`filename_fuzzy`) match names its candidate repo but writes none
of the repo's metadata until the user confirms it."""

from __future__ import annotations

import hashlib

from tensorshelf.errors import InvalidArgument
from tensorshelf.io.atomic import write_bytes_atomic
from tensorshelf.library.context import LibraryContext
from tensorshelf.library.editing import load, save
from tensorshelf.library.metadata.document import FileEntry, ModelMetadata, Source, utc_now
from tensorshelf.library.models import LookupOutcome
from tensorshelf.library.previews import image_kind, preview_name


def record_lookup(ctx: LibraryContext, ref: str, outcome: LookupOutcome) -> ModelMetadata:
    with ctx.writer.hold(f"recording the Hugging Face lookup of {ref}"):
        model_dir, meta = load(ctx, ref)
        meta.lookup_attempts += 1
        meta.last_lookup_attempt = utc_now()
        meta.pending_online_lookup = outcome.status == "pending"
        if outcome.status != "pending" and meta.match_source != "manual":
            _apply(meta, outcome)
        save(ctx, model_dir, meta, False, "lookup")
        return meta


def _apply(meta: ModelMetadata, outcome: LookupOutcome) -> None:
    meta.match_method = outcome.match_method
    meta.match_confidence = outcome.match_confidence
    meta.hash_mismatch = outcome.hash_mismatch
    meta.repo_id = outcome.repo_id if outcome.match_method != "none" else None
    meta.revision = outcome.revision if outcome.match_method != "none" else None
    if outcome.match_method in ("none", "filename_fuzzy"):
        return  # nothing of a repo's is written without a match the user can trust
    meta.official_name = outcome.official_name or meta.official_name
    meta.hf_tags = outcome.hf_tags
    meta.license = outcome.license
    meta.pipeline_tag = outcome.pipeline_tag
    meta.download_url = outcome.download_url
    if outcome.downloaded_file is not None:  # where it came from: the Hub, not our temp folder
        meta.sources = [s for s in meta.sources if s.kind != "local"] + [
            Source(
                kind="huggingface",
                repo_id=outcome.repo_id,
                revision=outcome.revision,
                file=outcome.downloaded_file,
                url=outcome.download_url,
            )
        ]


def record_manual_match(
    ctx: LibraryContext, ref: str, repo_id: str | None, outcome: LookupOutcome | None
) -> ModelMetadata:
    """The user's word on where a model comes from (a repo, or "not on the Hub"): kept as
    `match_source: manual`, which no automatic lookup overwrites; `outcome` carries the
    repo's metadata when it could be fetched."""
    with ctx.writer.hold(f"setting where {ref} comes from"):
        model_dir, meta = load(ctx, ref)
        meta.match_source = "manual"
        meta.pending_online_lookup = False
        meta.hash_mismatch = False
        if repo_id is None:
            meta.match_method, meta.match_confidence = "none", 0.0
            meta.repo_id = meta.revision = None
        else:
            meta.match_method, meta.match_confidence = "manual", 1.0
            meta.repo_id = repo_id
            if outcome is not None:
                meta.revision = outcome.revision
                meta.official_name = outcome.official_name or meta.official_name
                meta.hf_tags = outcome.hf_tags
                meta.license = outcome.license
                meta.pipeline_tag = outcome.pipeline_tag
        save(ctx, model_dir, meta, False, "edit")
        return meta


def record_card_image(
    ctx: LibraryContext, ref: str, data: bytes, origin: str
) -> ModelMetadata | None:
    """A matched repo's card image (`origin`: repo/path) as the model's `preview.<ext>`, when
    it has no preview yet — the user's or the import's is never replaced. None when it was
    not needed; InvalidArgument when the bytes are no image."""
    ext = image_kind(data)
    if ext is None:
        raise InvalidArgument(f"{origin} is not a PNG, JPEG, WebP or GIF image; not kept")
    with ctx.writer.hold(f"keeping the card image of {ref} as its preview"):
        model_dir, meta = load(ctx, ref)
        name = f"preview.{ext}"
        if preview_name(meta) or any(f.path == name for f in meta.files):
            return None
        if (model_dir / name).exists():
            return None  # a file we do not know of: left alone
        write_bytes_atomic(model_dir / name, data)
        meta.files.append(
            FileEntry(
                path=name, size=len(data), sha256=hashlib.sha256(data).hexdigest(), role="preview"
            )
        )
        meta.preview_image = name
        save(ctx, model_dir, meta, False, "lookup")
        return meta
