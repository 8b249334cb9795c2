"""The Hub's answers, as Tensorshelf keeps them (pydantic; only the fields used)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RepoHit(BaseModel):
    """One search result."""

    repo_id: str
    downloads: int = 0
    pipeline_tag: str | None = None
    tags: list[str] = Field(default_factory=list)


class HubSearch(BaseModel):
    """A search on the Hub as asked (the query actually sent) and its hits."""

    query: str
    hits: list[RepoHit] = Field(default_factory=list)


class RepoFile(BaseModel):
    """One file of a repo's listing. `sha256` is the LFS oid (None for a small non-LFS
    file, which has only its git blob SHA-1 `git_oid`); `xetHash` is not a content hash."""

    path: str
    size: int
    sha256: str | None = None
    git_oid: str | None = None


class RepoListing(BaseModel):
    repo_id: str
    revision: str
    files: list[RepoFile] = Field(default_factory=list)


class RepoInfo(BaseModel):
    repo_id: str
    sha: str | None = None  # the commit of the revision asked for
    pipeline_tag: str | None = None
    tags: list[str] = Field(default_factory=list)
    library_name: str | None = None
    license: str | None = None
    gated: bool = False
    base_model: list[str] = Field(default_factory=list)
    downloads: int = 0
    last_modified: str | None = None
    # the model card's example images (cardData.widget[].output.url): repo-relative paths
    card_images: list[str] = Field(default_factory=list)


class ResolvedFile(BaseModel):
    """A file's metadata HEAD: from the Hub's 302 (never followed), where its bytes are."""

    repo_id: str
    path: str
    commit: str | None
    size: int | None
    sha256: str | None  # X-Linked-Etag of an LFS file
    location: str | None  # the (signed, expiring) CDN URL
