"""The lookup job: identify models on the Hugging Face Hub one at a time (the named ones, or
every model still pending) from the hashes their import recorded, and record each result in
its metadata.json. The Hub being unreachable is not a failure: the model stays pending (the
circuit breaker makes the rest of the batch fail fast) and is retried when the host is back."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from tensorshelf import settings
from tensorshelf.errors import InvalidArgument, ModelNotFound
from tensorshelf.hf.errors import HubError
from tensorshelf.hf.identify import Identification, LocalFile, LocalModel
from tensorshelf.jobs.models import EVENT_JOB_ITEM_DONE, JobItemDone, JobStatus
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.models import LookupItem, LookupOutcome, LookupReport
from tensorshelf.library.previews import preview_name
from tensorshelf.network.errors import HostUnavailable, NetworkError, Offline
from tensorshelf.network.urls import quote_path

if TYPE_CHECKING:
    from tensorshelf.jobs.tasks import JobContext, Outcome

log = logging.getLogger(__name__)


def local_model(meta: ModelMetadata) -> LocalModel:
    weights = [f for f in meta.files if f.role == "weights"] or list(meta.files)
    foreign = meta.detection.foreign if meta.detection is not None else None
    hints = [h for h in (foreign.title if foreign else None, meta.official_name) if h]
    return LocalModel(
        id=meta.id,
        name=meta.name,
        files=[
            LocalFile(path=f.path, size=f.size, sha256=f.sha256, git_sha1=f.git_sha1)
            for f in weights
        ],
        hints=hints,
    )


def outcome_of(found: Identification, endpoint: str) -> LookupOutcome:
    if found.method == "none" or found.repo_id is None:
        return LookupOutcome(status="no_match")
    info = found.info
    revision = found.revision or "main"
    license_tag = next(
        (t.split(":", 1)[1] for t in (info.tags if info else []) if t.startswith("license:")), None
    )
    return LookupOutcome(
        status="matched",
        repo_id=found.repo_id,
        revision=found.revision,
        match_method=found.method,
        match_confidence=found.confidence,
        hash_mismatch=found.hash_mismatch,
        official_name=found.repo_id.split("/", 1)[-1],
        hf_tags=list(info.tags) if info else [],
        license=(info.license if info else None) or license_tag,
        pipeline_tag=info.pipeline_tag if info else None,
        card_image=(
            info.card_images[0]
            if info and info.card_images and found.method in ("hash", "filename_exact")
            else None
        ),
        download_url=(
            f"{endpoint}/{found.repo_id}/resolve/{revision}/{quote_path(found.path)}"
            if found.path
            else None
        ),
    )


def run_lookup(ctx: JobContext) -> Outcome:
    if ctx.hub is None:
        raise HubError("this job runner has no Hugging Face session")
    if ctx.params.get("updates"):
        return _check_updates(ctx)
    refs = ctx.params.get("refs") or ctx.service.pending_lookups()
    quick = bool(ctx.params.get("quick"))  # right after an import: never make it wait
    identifier = ctx.hub.identifier(retry=not quick)
    unreachable: str | None = None  # quick: once the Hub failed, the rest stay pending
    endpoint = ctx.hub.config().endpoint
    tracker = ctx.tracker
    tracker.set_totals(len(refs), 0)
    tracker.publish()
    report = LookupReport()
    status: JobStatus = "done"
    changed: list[str] = []
    for ref in refs:
        if ctx.cancel.cancelled:
            status = "cancelled"
            break
        try:
            meta = ctx.service.get_model(ref)
        except ModelNotFound:
            continue
        asked = unreachable is None
        try:
            if unreachable is not None:
                raise NetworkError(unreachable)
            found = identifier.identify(local_model(meta))
            outcome = outcome_of(found, endpoint)
            requests = found.requests
        except NetworkError as exc:
            outcome, requests = LookupOutcome(status="pending", error=exc.message), 0
            asked = asked and not quick and not isinstance(exc, Offline | HostUnavailable)
            unreachable = exc.message if quick else None
        except HubError as exc:
            outcome, requests = LookupOutcome(status="no_match", error=exc.message), 0
        if asked or not meta.pending_online_lookup:
            recorded = ctx.service.record_lookup(meta.id, outcome)
            changed.append(meta.id)
            if outcome.card_image and not preview_name(recorded):
                _keep_card_image(ctx, recorded, outcome, quick)
        # else: the Hub was not asked (or not reached right after the import): still
        # pending, nothing to write — it is retried when the circuit closes and at start-up
        item = LookupItem(
            id=meta.id,
            name=meta.name,
            status=outcome.status,
            match_method=outcome.match_method,
            repo_id=outcome.repo_id,
            hash_mismatch=outcome.hash_mismatch,
            requests=requests,
            problem=outcome.error,
        )
        report.items.append(item)
        tracker.set_items(tracker.items_done + 1, len(refs))
        ctx.save_progress()
        ctx.bus.publish(
            EVENT_JOB_ITEM_DONE,
            JobItemDone(job_id=ctx.job_id, kind=ctx.kind, result=item.model_dump(mode="json")),
        )
    tracker.publish()
    if changed:
        ctx.library_changed(changed, "lookup")
    log.info(
        "job %s: lookup of %d models, %d pending", ctx.job_id, len(report.items), report.pending
    )
    return status, report.model_dump(mode="json")


def _keep_card_image(
    ctx: JobContext, meta: ModelMetadata, outcome: LookupOutcome, quick: bool
) -> None:
    """The matched repo's card image as the preview of a model without one; a failure is
    logged only — the match stands, and the model simply has no preview."""
    assert ctx.hub is not None and outcome.repo_id and outcome.card_image
    origin = f"{outcome.repo_id}/{outcome.card_image}"
    try:
        data = ctx.hub.api(retry=not quick).fetch_small(
            outcome.repo_id,
            outcome.card_image,
            outcome.revision or "main",
            settings.HF_CARD_IMAGE_MAX_BYTES,
        )
        ctx.service.record_card_image(meta.id, data, origin)
    except (NetworkError, HubError, InvalidArgument) as exc:
        log.info("no preview for %s from %s: %s", meta.id, origin, exc)


def _check_updates(ctx: JobContext) -> Outcome:
    """The update check: each matched model against its repo's current listing; nothing in
    the library changes."""
    assert ctx.hub is not None
    identifier = ctx.hub.identifier()
    refs = ctx.params.get("refs") or ctx.service.matched_models()
    ctx.tracker.set_totals(len(refs), 0)
    report = LookupReport()
    status: JobStatus = "done"
    for ref in refs:
        if ctx.cancel.cancelled:
            status = "cancelled"
            break
        meta = ctx.service.get_model(ref)
        item = LookupItem(
            id=meta.id,
            name=meta.name,
            status="matched",
            match_method=meta.match_method,
            repo_id=meta.repo_id,
            hash_mismatch=meta.hash_mismatch,
        )
        if meta.repo_id is None:
            item.update, item.update_detail = "unknown", "not matched to a repo"
        else:
            try:
                repo_path = next(
                    (
                        s.file
                        for s in meta.sources
                        if s.kind == "huggingface" and s.repo_id == meta.repo_id and s.file
                    ),
                    None,
                )
                item.update, item.update_detail = identifier.update(
                    local_model(meta), meta.repo_id, meta.revision, repo_path
                )
            except (NetworkError, HubError) as exc:
                item.update, item.problem = "unknown", exc.message
        report.items.append(item)
        ctx.tracker.set_items(ctx.tracker.items_done + 1, len(refs))
    ctx.tracker.publish()
    return status, report.model_dump(mode="json")
