"""HubCache: the Hub's answers kept in the state dir's cache.db — repo listings and repo info
(fresh for a day, served stale when the Hub cannot be asked), searches (fresh for a day), and
the hash index: every (sha256 → repo, revision, path, size) ever seen in a listing, so a file
whose bytes were ever listed is identified with no request at all."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, TypeAdapter

from tensorshelf import settings
from tensorshelf.hf.models import RepoHit, RepoInfo, RepoListing
from tensorshelf.io.sqlite_schema import connect_cache, ensure_table

if TYPE_CHECKING:
    from sqlite_utils import Database

_HITS = TypeAdapter(list[RepoHit])
_ANSWERS = "hf_answers_v1"
_HASHES = "hf_hash_index_v1"


def _create_answers(db: Database) -> None:
    db.table(_ANSWERS).create(
        {"key": str, "fetched_at": float, "body": str}, pk="key", if_not_exists=True
    )


def _create_hashes(db: Database) -> None:
    table = db.table(_HASHES)
    table.create(
        {
            "sha256": str,
            "repo_id": str,
            "revision": str,
            "path": str,
            "size": int,
            "seen_at": float,
        },
        pk=("sha256", "repo_id", "path"),
        if_not_exists=True,
    )


class HashHit(BaseModel):
    sha256: str
    repo_id: str
    revision: str
    path: str
    size: int


class HubCache:
    def __init__(self, db_path: Path) -> None:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = connect_cache(db_path)
        ensure_table(self._conn, _ANSWERS, _create_answers, "cache.db")
        ensure_table(self._conn, _HASHES, _create_hashes, "cache.db")

    # --- answers ---------------------------------------------------------------------------
    def _get(self, key: str, stale_ok: bool) -> str | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT fetched_at, body FROM {_ANSWERS} WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        fresh = time.time() - row[0] < settings.HF_LISTING_TTL_S
        return row[1] if fresh or stale_ok else None

    def _put(self, key: str, body: BaseModel | list[RepoHit]) -> None:
        text = (
            body.model_dump_json()
            if isinstance(body, BaseModel)
            else "[" + ",".join(h.model_dump_json() for h in body) + "]"
        )
        with self._lock:
            self._conn.execute(
                f"INSERT OR REPLACE INTO {_ANSWERS} (key, fetched_at, body) VALUES (?, ?, ?)",
                (key, time.time(), text),
            )

    def listing(self, repo_id: str, revision: str, stale_ok: bool = False) -> RepoListing | None:
        text = self._get(f"tree:{repo_id}@{revision}", stale_ok)
        return None if text is None else RepoListing.model_validate_json(text)

    def put_listing(self, listing: RepoListing) -> None:
        self._put(f"tree:{listing.repo_id}@{listing.revision}", listing)
        now = time.time()
        rows = [
            (f.sha256, listing.repo_id, listing.revision, f.path, f.size, now)
            for f in listing.files
            if f.sha256
        ]
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                f"INSERT OR REPLACE INTO {_HASHES} "
                "(sha256, repo_id, revision, path, size, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            self._conn.execute("COMMIT")

    def info(self, repo_id: str, stale_ok: bool = False) -> RepoInfo | None:
        text = self._get(f"info:{repo_id}", stale_ok)
        return None if text is None else RepoInfo.model_validate_json(text)

    def put_info(self, info: RepoInfo) -> None:
        self._put(f"info:{info.repo_id}", info)

    def search(self, query: str, stale_ok: bool = False) -> list[RepoHit] | None:
        text = self._get(f"search:{query}", stale_ok)
        return None if text is None else _HITS.validate_json(text)

    def put_search(self, query: str, hits: list[RepoHit]) -> None:
        self._put(f"search:{query}", hits)

    # --- the hash index --------------------------------------------------------------------
    def by_sha256(self, sha256: str) -> list[HashHit]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT sha256, repo_id, revision, path, size FROM {_HASHES} WHERE sha256 = ? "
                "ORDER BY seen_at DESC, repo_id, path",
                (sha256,),
            ).fetchall()
        return [
            HashHit(sha256=r[0], repo_id=r[1], revision=r[2], path=r[3], size=r[4]) for r in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
