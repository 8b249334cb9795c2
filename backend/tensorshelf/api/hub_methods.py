"""ShelfApi's Hugging Face methods (a mixin, so they stay on the one API object the UI's
types are generated from): the process's Hub session and network client, identification and
update-check jobs, the user's own answer, downloads, the token and the network state pushed
as `network.status` — with the window's retries: after an import, at start-up, and after
each breaker cool-down while the Hub stays down (one timer; the page never polls)."""

from __future__ import annotations

import logging
import threading
from abc import abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING

from tensorshelf import settings
from tensorshelf.api.events_schema import EVENT_NETWORK_STATUS, NetworkStatus
from tensorshelf.api.models import HubStatus
from tensorshelf.api.settings_store import SettingsStore
from tensorshelf.errors import InvalidArgument
from tensorshelf.hf.local_cache import HfCacheListing, RepoSnapshotRef
from tensorshelf.hf.models import HubSearch, RepoFile, RepoListing
from tensorshelf.jobs.events import Event, EventBus
from tensorshelf.jobs.models import EVENT_JOB_DONE, EVENT_LIBRARY_CHANGED, JobRef, LibraryChanged
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.service import LibraryService
from tensorshelf.settings import Locations

if TYPE_CHECKING:
    from tensorshelf.hf.session import HubSession
    from tensorshelf.jobs.runner import JobRunner
    from tensorshelf.network.status import HostStatus

log = logging.getLogger(__name__)


class HubMethods:
    locations: Locations
    bridge: str
    bus: EventBus
    service: LibraryService
    settings: SettingsStore
    _hub: HubSession | None
    _hub_lock: threading.RLock
    _probe: threading.Timer | None

    @property
    @abstractmethod
    def jobs(self) -> JobRunner: ...

    def _lookup_after_import(self, event: Event) -> None:
        """A window's import done: look its models up on the Hub (the CLI does it itself)."""
        done_import = event.type == EVENT_JOB_DONE and event.payload.get("kind") == "import"
        if done_import and self.settings.get().lookup_on_import:
            threading.Thread(target=self._retry_pending, daemon=True).start()

    @property
    def hub(self) -> HubSession:
        """The process's Hub session and network client, made on first use."""
        with self._hub_lock:
            if self._hub is None:
                from tensorshelf.hf.session import HubSession
                from tensorshelf.network.client import NetClient

                net = NetClient(offline_switch=lambda: self.settings.get().offline)
                net.board.listen(self._host_changed)
                self._hub = HubSession(self.locations.home, self.locations.cache_db, net)
            return self._hub

    def _host_changed(self, status: HostStatus) -> None:
        hub_host = self.hub.config().host if self._hub is not None else None
        self.bus.publish(
            EVENT_NETWORK_STATUS,
            NetworkStatus(
                online=status.state != "offline",
                host=status.host,
                state=status.state,
                reason=status.reason,
                since=status.since,
            ),
        )
        if status.host != hub_host or self.bridge == "cli":
            return
        if status.state == "ok":
            self._retry_pending()  # the Hub is back: what waited for it goes now
        elif status.state == "offline" and not self.settings.get().offline:
            self._probe_later()

    def _probe_later(self) -> None:
        """Once the open circuit's cool-down is over, retry the pending lookups (its first
        request is the probe that closes the circuit) — one timer, not polling."""
        with self._hub_lock:
            if self._probe is not None and self._probe.is_alive():
                return
            self._probe = threading.Timer(
                self.hub.net.breaker.cooldown_s + settings.NET_PROBE_MARGIN_S, self._retry_pending
            )
            self._probe.daemon = True
            self._probe.start()

    def _retry_pending(self) -> None:
        """Start a lookup of every pending model, unless offline or one is running."""
        from tensorshelf.network.offline import offline_reason

        if offline_reason(self.settings.get().offline) is not None or self.service.read_only:
            return
        if not self.service.pending_lookups():
            return
        if any(j.kind == "lookup" and j.status == "running" for j in self.jobs.list_jobs()):
            return
        self.jobs.start_lookup(None, quick=True)

    def start_lookup(
        self,
        refs: list[str] | None = None,
        pending: bool = False,
        updates: bool = False,
        quick: bool = False,
    ) -> JobRef:
        """Identify models on Hugging Face as a job (their import's hashes; nothing is read
        again): the named ones, or with `pending` every model still waiting for a lookup.
        The result is a LookupReport; models the Hub could not be asked about stay pending.
        With `updates`: compare matched models (the named ones, or all) with their repo's
        current listing and report `update` per model — nothing is changed. `quick`: one try
        per request (the lookup right after an import: a Hub that is down leaves the models
        pending at once)."""
        if not refs and not pending and not updates:
            raise InvalidArgument("name models to look up, or pass pending=true")
        chosen = None if (pending or (updates and not refs)) else refs
        return JobRef(job_id=self.jobs.start_lookup(chosen, updates, quick))

    def set_match(self, ref: str, repo_id: str | None = None) -> ModelMetadata:
        """The user's word: the model comes from `repo_id` (confirming a low-confidence
        match, or naming the repo), or with None it is not on the Hub. Kept as manual, never
        overwritten by a lookup. An unknown repo is refused; the repo's metadata is fetched
        when the Hub can be asked (else only the repo is recorded)."""
        from tensorshelf.hf.identify import Identification
        from tensorshelf.jobs.lookup_task import outcome_of
        from tensorshelf.network.errors import NetworkError

        outcome = None
        if repo_id is not None:
            repo_id = repo_id.strip().strip("/")
            if repo_id.count("/") != 1:
                raise InvalidArgument(f"{repo_id!r} is not a repo id (owner/name)", repo=repo_id)
            try:
                info = self.hub.api().model_info(repo_id)
            except NetworkError as exc:
                log.info("set_match: %s not fetched (%s): only the repo is recorded", repo_id, exc)
            else:
                self.hub.cache.put_info(info)
                found = Identification(
                    model_id="",
                    method="filename_exact",
                    repo_id=repo_id,
                    revision=info.sha,
                    info=info,
                )
                outcome = outcome_of(found, self.hub.config().endpoint)
        meta = self.service.record_manual_match(ref, repo_id, outcome)
        self.bus.publish(EVENT_LIBRARY_CHANGED, LibraryChanged(ids=[meta.id], reason="edit"))
        return meta

    def search_hub(self, query: str | None = None, ref: str | None = None) -> HubSearch:
        """ "Find on Hugging Face": repos matching `query`, or (none given) the model's own
        name cleaned of shard, quant and precision tags — most downloaded first."""
        from tensorshelf.hf.names import search_query

        text = (query or "").strip()
        if not text and ref:
            meta = self.service.get_model(ref)
            primary = next((f.path for f in meta.files if f.role == "weights"), meta.name)
            text = search_query(primary.rsplit("/", 1)[-1])
        if not text:
            raise InvalidArgument("type what to search for on Hugging Face")
        return HubSearch(query=text, hits=self.hub.api().search(text))

    def list_repo_files(self, repo_id: str, revision: str = "main") -> RepoListing:
        """A repo's files with their sizes and SHA-256 (the download dialog's list)."""
        listing = self.hub.api().tree(repo_id.strip().strip("/"), revision)
        self.hub.cache.put_listing(listing)
        return listing

    def start_download(self, repo_id: str, files: list[str], revision: str = "main") -> JobRef:
        """Download files of a repo (paths or globs: `*Q4_K_M*.gguf`, `unet/*`), verified
        against their SHA-256 and resumable, then import them as one model each."""
        import fnmatch

        from tensorshelf.jobs.download_task import check_space, download_root

        listing = self.list_repo_files(repo_id, revision)
        chosen = [
            f for f in listing.files if any(fnmatch.fnmatchcase(f.path, pat) for pat in files)
        ]
        if not chosen:
            names = ", ".join(f.path for f in listing.files[:20])
            raise InvalidArgument(
                f"no file of {listing.repo_id} matches {', '.join(files) or '(nothing named)'} "
                f"(it has: {names}{' …' if len(listing.files) > 20 else ''})",
                repo=listing.repo_id,
            )
        root = download_root(self.locations.home, listing.repo_id, revision)
        check_space(root.parent.parent, self.service.root, sum(f.size for f in chosen))
        sizes = {f.path: f.size for f in chosen}
        job = self.jobs.start_download(listing.repo_id, revision, list(sizes), sizes)
        return JobRef(job_id=job)

    def start_complete_shards(self, ref: str) -> JobRef:
        """ "Download missing shards": fetch the shards an incomplete sharded set lacks from
        the repo it was matched to, verified, into the model's own folder (it keeps its id)."""
        from tensorshelf.jobs.download_task import check_space, download_root
        from tensorshelf.library.shard_completion import shard_gap

        meta = self.service.get_model(ref)
        gap = shard_gap(meta)
        if gap is None:
            raise InvalidArgument(f"{meta.path} is not a sharded set with shards missing", ref=ref)
        if not meta.repo_id:
            raise InvalidArgument(
                f"{meta.path} is not matched to a Hugging Face repo: look it up or name its repo "
                "first (Find on Hugging Face)",
                ref=ref,
            )
        revision = meta.revision or "main"
        listing = self.list_repo_files(meta.repo_id, revision)
        found: dict[int, RepoFile] = {}
        for f in listing.files:
            index = gap.matches(f.path.rsplit("/", 1)[-1])
            if index is not None:
                found.setdefault(index, f)
        absent = [i for i in gap.missing if i not in found]
        if absent:
            raise InvalidArgument(
                f"{meta.repo_id} does not have shard(s) {', '.join(map(str, absent))} of "
                f"{gap.shard.base} either: the set cannot be completed from it",
                ref=ref,
            )
        sizes = {found[i].path: found[i].size for i in gap.missing}
        root = download_root(self.locations.home, meta.repo_id, revision)
        check_space(root.parent.parent, self.service.root, sum(sizes.values()))
        job = self.jobs.start_download(
            meta.repo_id, revision, list(sizes), sizes, complete=meta.id, folder=gap.folder
        )
        return JobRef(job_id=job)

    def scan_hf_cache(self, path: str | None = None) -> HfCacheListing:
        """The model repos of a local Hugging Face cache (default: HF_HUB_CACHE, else
        ~/.cache/huggingface/hub), read-only, with each snapshot's files and what is already
        in the library."""
        from tensorshelf.hf.local_cache import default_cache_dir, scan_cache

        root = Path(path).expanduser() if path else default_cache_dir()
        if not root.is_absolute():
            raise InvalidArgument(f"{path}: give the cache's absolute path", path=path)
        listing = scan_cache(root)
        for repo in listing.repos:
            for snapshot in repo.snapshots:
                snapshot.in_library = sum(
                    1
                    for f in snapshot.files
                    if f.sha256 and self.service.index.find_by_sha256(f.sha256)
                )
        return listing

    def start_adopt(
        self, repos: list[RepoSnapshotRef], path: str | None = None, trust: bool = True
    ) -> JobRef:
        """Adopt chosen snapshots of the Hugging Face cache (never written to): hard-linked
        into the library on the same filesystem, else copied; each model Verified from its
        repo at that commit. `trust`: take a blob's name as its SHA-256 (no file is read);
        false hashes every file."""
        from tensorshelf.hf.local_cache import default_cache_dir

        if not repos:
            raise InvalidArgument("choose at least one repo of the cache to adopt")
        root = str(Path(path).expanduser() if path else default_cache_dir())
        chosen = [{"repo_id": r.repo_id, "commit": r.commit} for r in repos]
        return JobRef(job_id=self.jobs.start_adopt(root, chosen, trust))

    def get_hub_status(self) -> HubStatus:
        """Where the Hub is, whether a token is set (never the token), offline switches and
        each host's network state."""
        from tensorshelf.network.offline import offline_reason

        config = self.hub.config()
        return HubStatus(
            endpoint=config.endpoint,
            token_source=config.token_source,
            offline_reason=offline_reason(self.settings.get().offline),
            hosts=self.hub.net.board.all(),
        )

    def set_hf_token(self, token: str | None) -> HubStatus:
        """Store the Hugging Face token for Tensorshelf (state dir, 0600); None forgets it.
        HF_TOKEN, when set, still wins."""
        from tensorshelf.hf.config import save_token

        save_token(self.locations.home, token)
        return self.get_hub_status()
