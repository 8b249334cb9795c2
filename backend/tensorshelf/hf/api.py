"""HubApi: the Hub's endpoints over the NetClient. The token goes only to the endpoint's own
host (a `Link: rel="next"` or a redirect elsewhere gets none); redirects are not followed
(the metadata HEAD reads the 302 itself). Listings follow `Link` pagination and skip
directory entries; errors become the hf.errors of their `X-Error-Code`."""

from __future__ import annotations

import logging
import re
from pathlib import PurePosixPath
from typing import Any

from tensorshelf import settings
from tensorshelf.hf.config import HubConfig
from tensorshelf.hf.errors import HubError, hub_error
from tensorshelf.hf.models import RepoFile, RepoHit, RepoInfo, RepoListing, ResolvedFile
from tensorshelf.network.client import NetClient
from tensorshelf.network.errors import NetworkError
from tensorshelf.network.urls import host_of, quote_path, quote_segment, redirect_target

log = logging.getLogger(__name__)

_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class HubApi:
    def __init__(self, net: NetClient, config: HubConfig, retry: bool = True) -> None:
        """`retry=False`: one try per request (a lookup right after an import: a Hub that
        is down keeps the models pending at once; the window retries them later)."""
        self.net, self.config, self.retry = net, config, retry
        self.requests = 0  # made through this object (the lookup's per-file budget)

    def auth_for(self, url: str) -> dict[str, str]:
        """The Authorization header — for the endpoint's own host only (never a CDN)."""
        return self._headers(url)

    def file_url(self, repo_id: str, path: str, revision: str = "main") -> str:
        return self._url(f"/{repo_id}/resolve/{quote_segment(revision)}/{quote_path(path)}")

    def raise_for(self, response: Any, what: str) -> None:
        """Raise the Hub's error for a failed response (none for a success)."""
        self._checked(response, what)

    def _headers(self, url: str) -> dict[str, str]:
        if self.config.token and host_of(url) == host_of(self.config.endpoint):
            return {"Authorization": f"Bearer {self.config.token}"}
        return {}

    def _get(self, url: str, what: str, params: dict[str, str] | None = None) -> Any:
        self.requests += 1
        response = self.net.request(
            "GET", url, headers=self._headers(url), params=params, idempotent=self.retry
        )
        return response, self._checked(response, what)

    def _checked(self, response: Any, what: str) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        status = response.status_code
        if status >= 500 or status == 429:  # the Hub's trouble, not an answer: retry later
            raise NetworkError(
                f"the Hub answered {status} for {what}; trying again later", status=status
            )
        if status >= 400:
            raise hub_error(status, response.headers, body, what, bool(self.config.token))
        return body

    def _url(self, path: str) -> str:
        return f"{self.config.endpoint}{path}"

    # --- the endpoints ---------------------------------------------------------------------
    def search(self, query: str, limit: int = settings.HF_SEARCH_LIMIT) -> list[RepoHit]:
        _response, body = self._get(
            self._url("/api/models"),
            f"the search {query!r}",
            {"search": query, "limit": str(limit), "sort": "downloads"},
        )
        return [
            RepoHit(
                repo_id=item["id"],
                downloads=int(item.get("downloads") or 0),
                pipeline_tag=item.get("pipeline_tag"),
                tags=list(item.get("tags") or []),
            )
            for item in body or []
            if isinstance(item, dict) and item.get("id")
        ]

    def model_info(self, repo_id: str, revision: str | None = None) -> RepoInfo:
        path = f"/api/models/{repo_id}" + (
            f"/revision/{quote_segment(revision)}" if revision else ""
        )
        _response, body = self._get(self._url(path), repo_id)
        card = body.get("cardData") or {}
        base = card.get("base_model")
        return RepoInfo(
            repo_id=body.get("id") or repo_id,
            sha=body.get("sha"),
            pipeline_tag=body.get("pipeline_tag"),
            tags=list(body.get("tags") or []),
            library_name=body.get("library_name"),
            license=card.get("license"),
            gated=bool(body.get("gated")),
            base_model=[base] if isinstance(base, str) else list(base or []),
            downloads=int(body.get("downloads") or 0),
            last_modified=body.get("lastModified"),
            card_images=card_images(card),
        )

    def paths_info(self, repo_id: str, paths: list[str], revision: str = "main") -> RepoListing:
        """The named files only (`POST …/paths-info/{revision}`: one request however big the
        repo); a path the repo does not have is simply absent from the answer."""
        url = self._url(f"/api/models/{repo_id}/paths-info/{quote_segment(revision)}")
        self.requests += 1
        response = self.net.request(
            "POST",
            url,
            headers=self._headers(url),
            form={"paths": paths, "expand": "false"},
            idempotent=self.retry,  # a read: safe to repeat
        )
        body = self._checked(response, repo_id)
        return RepoListing(repo_id=repo_id, revision=revision, files=_files(body))

    def tree(self, repo_id: str, revision: str = "main") -> RepoListing:
        """Every file of the repo at `revision` (recursive, every page)."""
        url: str | None = self._url(
            f"/api/models/{repo_id}/tree/{quote_segment(revision)}?recursive=true"
        )
        files: list[RepoFile] = []
        while url is not None:
            response, body = self._get(url, repo_id)
            files += _files(body)
            found = _NEXT.search(response.headers.get("link", ""))
            url = found.group(1) if found else None
        return RepoListing(repo_id=repo_id, revision=revision, files=files)

    def resolve(self, repo_id: str, path: str, revision: str = "main") -> ResolvedFile:
        """The metadata HEAD of a file: commit, size and SHA-256 from the 302, not followed."""
        url = self.file_url(repo_id, path, revision)
        self.requests += 1
        response = self.net.request("HEAD", url, headers=self._headers(url), idempotent=self.retry)
        if response.status_code >= 400:
            self._checked(response, f"{repo_id}/{path}")
        etag = (response.headers.get("x-linked-etag") or "").strip('"') or None
        size = response.headers.get("x-linked-size") or response.headers.get("content-length")
        return ResolvedFile(
            repo_id=repo_id,
            path=path,
            commit=response.headers.get("x-repo-commit"),
            size=int(size) if size and size.isdigit() else None,
            sha256=etag if etag and len(etag) == 64 else None,
            location=response.headers.get("location"),
        )

    def fetch_small(self, repo_id: str, path: str, revision: str, max_bytes: int) -> bytes:
        """A small file of the repo (a card image), whole — refused past `max_bytes`, by the
        size the Hub gives or as it arrives."""
        what = f"{repo_id}/{path}"
        resolved = self.resolve(repo_id, path, revision)
        too_big = HubError(f"{what} is larger than {max_bytes} bytes; not fetched", path=what)
        if resolved.size is not None and resolved.size > max_bytes:
            raise too_big
        here = self.file_url(repo_id, path, revision)
        url = redirect_target(here, resolved.location) if resolved.location else here
        self.requests += 1
        with self.net.stream("GET", url, headers=self._headers(url)) as response:
            if response.status_code >= 400:
                response.read()
                self._checked(response, what)
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise too_big
        return bytes(data)


def card_images(card: Any) -> list[str]:
    """The example images a model card shows (`widget: [{output: {url: …}}]`, the way LoRA
    repos present theirs): repo-relative image paths only — never a URL elsewhere, never a
    path out of the repo."""
    found: list[str] = []
    widgets = card.get("widget") if isinstance(card, dict) else None
    for widget in widgets if isinstance(widgets, list) else []:
        output = widget.get("output") if isinstance(widget, dict) else None
        url = output.get("url") if isinstance(output, dict) else None
        if not isinstance(url, str) or "://" in url or url.startswith("/"):
            continue
        path = url.removeprefix("./")
        if ".." in path.split("/") or PurePosixPath(path).suffix.lower() not in CARD_IMAGE_TYPES:
            continue
        if path not in found:
            found.append(path)
    return found


CARD_IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".webp")


def _files(body: Any) -> list[RepoFile]:
    """The file entries of a tree page or a paths-info answer (directories skipped)."""
    files = []
    for entry in body if isinstance(body, list) else []:
        if not isinstance(entry, dict) or entry.get("type") != "file" or not entry.get("path"):
            continue
        lfs = entry.get("lfs") or {}
        files.append(
            RepoFile(
                path=entry["path"],
                size=int(entry.get("size") or lfs.get("size") or 0),
                sha256=lfs.get("oid") or lfs.get("sha256"),
                git_oid=entry.get("oid"),
            )
        )
    return files
