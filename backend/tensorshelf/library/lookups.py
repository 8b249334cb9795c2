"""Recording a Hugging Face lookup in a model's metadata.json (through the same journaled,
atomic save as an edit; the index follows): the match, the repo's metadata, the attempt. A
model whose match the user set (`match_source: manual`) keeps it — only the attempt is
recorded. A low-confidence (`filename_fuzzy`) match names its candidate repo but writes none
of the repo's metadata until the user confirms it."""

from __future__ import annotations

from tensorshelf.library.context import LibraryContext
from tensorshelf.library.editing import load, save
from tensorshelf.library.metadata.document import ModelMetadata, Source, utc_now
from tensorshelf.library.models import LookupOutcome


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
