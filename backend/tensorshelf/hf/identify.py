"""Identify a local model on the Hub from what the import already knows (its files' sizes and
SHA-256 — nothing is read again):

1. the hash index: a weight file whose SHA-256 was ever listed → `hash`, with no request;
2. candidate repos: a search for the name (see hf.names) and for each hint (a GGUF's
   `general.name`, a safetensors `modelspec.title`, the model's name), ranked by name
   similarity (rapidfuzz) and downloads;
3. the top candidates' listings (cached, shared by a batch): a file with the same SHA-256 →
   `hash` (Verified); the same file name with other bytes → `filename_exact` with
   `hash_mismatch` (a Modified version); the same name and size where the listing has no
   SHA-256 (a small non-LFS file) → `filename_exact`; else a candidate whose name is close →
   `filename_fuzzy` (needs the user's confirmation); else `none`.

At most HF_MAX_REQUESTS_PER_FILE requests per model (the listing cache makes a batch cheap);
never a `hash` without an equal SHA-256. Network trouble propagates (the caller keeps the
model pending); answers already cached are used stale when the Hub cannot be asked."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal, TypeVar

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from tensorshelf import settings
from tensorshelf.hf.api import HubApi
from tensorshelf.hf.cache import HubCache
from tensorshelf.hf.errors import HubError
from tensorshelf.hf.models import RepoHit, RepoInfo, RepoListing
from tensorshelf.hf.names import base_tokens, search_query
from tensorshelf.network.errors import NetworkError

log = logging.getLogger(__name__)

MatchMethod = Literal["hash", "filename_exact", "filename_fuzzy", "none"]
CONFIDENCE: dict[str, float] = {
    "hash": 1.0,
    "filename_exact": 0.8,
    "modified": 0.6,
    "filename_fuzzy": 0.4,
    "none": 0.0,
}
T = TypeVar("T")


class LocalFile(BaseModel):
    path: str  # its name inside the model (the last part is compared with the repo's files)
    size: int
    sha256: str
    git_sha1: str | None = None  # small files: equal to a non-LFS file's listed `oid`


class LocalModel(BaseModel):
    id: str
    name: str
    files: list[LocalFile]  # the weight files
    hints: list[str] = Field(default_factory=list)


class Identification(BaseModel):
    model_id: str
    method: MatchMethod = "none"
    confidence: float = 0.0
    repo_id: str | None = None
    revision: str | None = None
    path: str | None = None  # the repo file it matched
    hash_mismatch: bool = False
    info: RepoInfo | None = None
    candidates: list[str] = Field(default_factory=list)  # repos looked at, best first
    requests: int = 0


class _Budget(Exception):
    """This model's request budget is spent."""


class Identifier:
    def __init__(self, api: HubApi, cache: HubCache) -> None:
        self.api, self.cache = api, cache
        self._spent = 0

    def _ask(self, call: Callable[[], T]) -> T:
        if self._spent >= settings.HF_MAX_REQUESTS_PER_FILE:
            raise _Budget
        before = self.api.requests
        try:
            return call()
        finally:
            self._spent += self.api.requests - before

    # --- cached answers ------------------------------------------------------------------------
    def _search(self, query: str) -> list[RepoHit]:
        hits = self.cache.search(query)
        if hits is None:
            try:
                hits = self._ask(lambda: self.api.search(query))
            except NetworkError:
                hits = self.cache.search(query, stale_ok=True)
                if hits is None:
                    raise
            else:
                self.cache.put_search(query, hits)
        return hits

    def _listing(self, repo_id: str) -> RepoListing | None:
        listing = self.cache.listing(repo_id, "main")
        if listing is not None:
            return listing
        try:
            listing = self._ask(lambda: self.api.tree(repo_id))
        except NetworkError:
            listing = self.cache.listing(repo_id, "main", stale_ok=True)
            if listing is None:
                raise
            return listing
        except HubError as exc:  # gated, gone: not a candidate
            log.info("lookup: %s skipped: %s", repo_id, exc.message)
            return None
        self.cache.put_listing(listing)
        return listing

    def info(self, repo_id: str) -> RepoInfo | None:
        info = self.cache.info(repo_id)
        if info is not None:
            return info
        try:
            info = self._ask(lambda: self.api.model_info(repo_id))
        except _Budget:
            return self.cache.info(repo_id, stale_ok=True)
        except NetworkError:
            return self.cache.info(repo_id, stale_ok=True)
        except HubError as exc:
            log.info("lookup: no info for %s: %s", repo_id, exc.message)
            return None
        self.cache.put_info(info)
        return info

    # --- the update check ------------------------------------------------------------------------
    def update(
        self, model: LocalModel, repo_id: str, revision: str | None, repo_path: str | None = None
    ) -> tuple[str, str]:
        """(state, sentence) of a matched model against its repo as it is now:
        `up_to_date`, `update_available` (new bytes under its name, or a new commit) or
        `gone` (no file of its name left). Always asks the Hub: for the model's own file
        when its path in the repo is known (paths-info: one light request however big the
        repo), else the whole listing (refreshing the cache)."""
        if repo_path is not None:
            listing = self.api.paths_info(repo_id, [repo_path])
        else:
            listing = self.api.tree(repo_id)
            self.cache.put_listing(listing)
        by_name = {f.path.rsplit("/", 1)[-1]: f for f in listing.files}
        hashes = {f.sha256 for f in listing.files if f.sha256}
        info = self.api.model_info(repo_id)
        self.cache.put_info(info)
        ours = model.files[0] if model.files else None
        if ours is None:
            return "unknown", "no weight file to compare"
        if ours.sha256 in hashes:
            newer = info.sha and revision and info.sha != revision
            detail = (
                f"the same bytes at the newest commit {info.sha[:8]}"
                if newer and info.sha
                else "the same bytes"
            )
            return "up_to_date", detail
        named = by_name.get(ours.path.rsplit("/", 1)[-1])
        if named is None:
            return "gone", f"{repo_id} no longer has a file named {ours.path}"
        commit = (info.sha or "?")[:8]
        return "update_available", f"{repo_id} has new bytes for {named.path} (commit {commit})"

    # --- the steps -----------------------------------------------------------------------------
    def identify(self, model: LocalModel) -> Identification:
        self._spent = 0
        result = self._identify(model)
        result.requests = self._spent
        if result.repo_id and result.method != "filename_fuzzy":
            result.info = self.info(result.repo_id)
            if result.info is not None and result.info.sha:
                result.revision = result.info.sha
            result.requests = self._spent
        return result

    def _identify(self, model: LocalModel) -> Identification:
        for f in model.files:  # 1: the hash index
            for hit in self.cache.by_sha256(f.sha256):
                if hit.size == f.size:
                    return _found(model, "hash", hit.repo_id, hit.path, hit.revision)
        try:
            candidates = self._candidates(model)
        except _Budget:
            return Identification(model_id=model.id)
        fuzzy: str | None = None
        for repo_id, score in candidates[: settings.HF_CANDIDATES]:
            try:
                listing = self._listing(repo_id)
            except _Budget:
                break
            if listing is None:
                continue
            found = _in_listing(model, listing)
            if found is not None:
                found.candidates = [c for c, _ in candidates]
                return found
            if fuzzy is None and score >= settings.HF_FUZZY_MIN_SCORE:
                fuzzy = repo_id
        if fuzzy is not None:
            result = Identification(
                model_id=model.id,
                method="filename_fuzzy",
                confidence=CONFIDENCE["filename_fuzzy"],
                repo_id=fuzzy,
            )
            result.candidates = [c for c, _ in candidates]
            return result
        return Identification(model_id=model.id, candidates=[c for c, _ in candidates])

    def _candidates(self, model: LocalModel) -> list[tuple[str, float]]:
        """(repo, name similarity) best first: similarity, then downloads."""
        primary = model.files[0].path if model.files else model.name
        queries: list[str] = []
        for text in (primary, *_shorter(search_query(primary)), *model.hints, model.name):
            query = search_query(text) if "/" not in text.strip("/") else text.strip("/")
            if query and query.lower() not in (q.lower() for q in queries):
                queries.append(query)
        wanted = " ".join(base_tokens(primary)) or model.name.lower()
        scored: dict[str, tuple[float, int]] = {}
        for query in queries[: settings.HF_SEARCHES_PER_MODEL]:  # searches are requests
            if scored:
                break  # the first query with hits decides the candidates
            for hit in self._search(query):
                name = hit.repo_id.split("/", 1)[-1].lower()
                score = float(fuzz.token_set_ratio(wanted, name.replace("-", " ")))
                old = scored.get(hit.repo_id)
                if old is None or score > old[0]:
                    scored[hit.repo_id] = (score, hit.downloads)
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        return [(repo, score) for repo, (score, _downloads) in ranked]


def _shorter(query: str) -> list[str]:
    """The query without its last word (a remix, a merge, a suffix the repo has not)."""
    cut = max(query.rfind("-"), query.rfind("_"), query.rfind(" "))
    return [query[:cut]] if cut > 0 else []


def _found(
    model: LocalModel,
    method: MatchMethod,
    repo: str,
    path: str,
    revision: str,
    mismatch: bool = False,
) -> Identification:
    key = "modified" if mismatch else method
    return Identification(
        model_id=model.id,
        method=method,
        confidence=CONFIDENCE[key],
        repo_id=repo,
        path=path,
        revision=revision,
        hash_mismatch=mismatch,
    )


def _in_listing(model: LocalModel, listing: RepoListing) -> Identification | None:
    by_sha = {f.sha256: f for f in listing.files if f.sha256}
    for f in model.files:
        same = by_sha.get(f.sha256)
        if same is not None and same.size == f.size:
            return _found(model, "hash", listing.repo_id, same.path, listing.revision)
    by_name = {f.path.rsplit("/", 1)[-1]: f for f in listing.files}
    for f in model.files:
        named = by_name.get(f.path.rsplit("/", 1)[-1])
        if named is None:
            continue
        if named.sha256 is None:  # a small non-LFS file: its git blob SHA-1, else its size
            same_bytes = f.git_sha1 is not None and f.git_sha1 == named.git_oid
            if same_bytes or (f.git_sha1 is None and named.size == f.size):
                # the same bytes (or size) — but "Verified" needs an equal SHA-256
                return _found(
                    model, "filename_exact", listing.repo_id, named.path, listing.revision
                )
            if f.git_sha1 is not None and named.git_oid:
                return _found(
                    model, "filename_exact", listing.repo_id, named.path, listing.revision, True
                )
            continue
        return _found(
            model, "filename_exact", listing.repo_id, named.path, listing.revision, mismatch=True
        )
    return None
