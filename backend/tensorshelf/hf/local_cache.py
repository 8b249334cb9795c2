"""Reading an existing Hugging Face hub cache (`HF_HUB_CACHE`, default
`~/.cache/huggingface/hub`) — read-only: nothing here writes, renames or locks in it.

Layout (interfaces.md A.7): `models--{org}--{name}/refs/<ref>` holds a commit,
`snapshots/<commit>/<path>` is a relative symlink to `blobs/<etag>` (or, on Windows without
symlinks, the file itself), a 64-hex etag IS the file's SHA-256 (LFS / Xet files), a 40-hex
one is the git blob SHA-1 (small files), and `trees/<commit>.json` (huggingface_hub 1.22+)
lists `lfs_sha256` for every file. `*.incomplete` blobs are partial downloads: never taken.
A snapshot entry that dangles, or points outside its repo's `blobs/`, is skipped with a
reason. Datasets and spaces are not models: left out."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, Field

from tensorshelf import settings
from tensorshelf.errors import FileAccessError

log = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}")
_SHA1 = re.compile(r"[0-9a-f]{40}")
_MODELS_PREFIX = "models--"


class CachedFile(BaseModel):
    path: str  # inside the repo, "/"-separated
    blob: str  # absolute path of the bytes (the blob, or the snapshot file itself)
    size: int
    sha256: str | None = None  # from the blob's name or trees/<commit>.json
    git_sha1: str | None = None


class CachedSnapshot(BaseModel):
    commit: str
    refs: list[str] = Field(default_factory=list)  # branches / tags pointing at it
    files: list[CachedFile] = Field(default_factory=list)
    size_bytes: int = 0
    skipped: list[str] = Field(default_factory=list)  # entries left out, with why
    in_library: int = 0  # of its files, how many the library holds already (by SHA-256)


class CachedRepo(BaseModel):
    repo_id: str
    folder: str
    snapshots: list[CachedSnapshot] = Field(default_factory=list)


class RepoSnapshotRef(BaseModel):
    """One snapshot of the cache to adopt."""

    repo_id: str
    commit: str


class HfCacheListing(BaseModel):
    path: str
    repos: list[CachedRepo] = Field(default_factory=list)


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """HF_HUB_CACHE (or the legacy HUGGINGFACE_HUB_CACHE), else `$HF_HOME/hub`, else
    `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`."""
    env = os.environ if environ is None else environ
    for name in settings.ENV_HF_HUB_CACHE:
        if env.get(name):
            return Path(env[name]).expanduser()
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "hub"
    xdg = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "huggingface" / "hub"


def repo_id_of(folder_name: str) -> str | None:
    """`models--org--name` → `org/name` (`models--gpt2` → `gpt2`); None for other kinds."""
    if not folder_name.startswith(_MODELS_PREFIX):
        return None
    parts = folder_name[len(_MODELS_PREFIX) :].split("--", 1)
    return "/".join(p for p in parts if p) or None


def scan_cache(root: Path) -> HfCacheListing:
    """Every model repo in the cache at `root`, with its snapshots' files."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except FileNotFoundError:
        raise FileAccessError(
            f"{root} is not a Hugging Face cache (it does not exist)", path=str(root)
        ) from None
    except OSError as exc:
        raise FileAccessError(
            f"cannot read the cache at {root}: {exc.strerror}", path=str(root)
        ) from exc
    listing = HfCacheListing(path=str(root))
    for entry in entries:
        repo_id = repo_id_of(entry.name)
        if repo_id is None or not entry.is_dir(follow_symlinks=False):
            continue
        repo = _repo(Path(entry.path), repo_id)
        if repo.snapshots:
            listing.repos.append(repo)
    return listing


def _repo(folder: Path, repo_id: str) -> CachedRepo:
    repo = CachedRepo(repo_id=repo_id, folder=str(folder))
    refs = _refs(folder / "refs")
    try:
        commits = sorted(
            e.name for e in os.scandir(folder / "snapshots") if e.is_dir(follow_symlinks=False)
        )
    except OSError:
        return repo
    for commit in commits:
        snapshot = _snapshot(folder, commit)
        snapshot.refs = sorted(r for r, c in refs.items() if c == commit)
        if snapshot.files:
            repo.snapshots.append(snapshot)
    # the snapshot `main` points at first, then the newest
    repo.snapshots.sort(key=lambda s: ("main" not in s.refs, not s.refs))
    return repo


def _refs(refs_dir: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for dirpath, _dirs, files in os.walk(refs_dir):
        for name in files:
            path = Path(dirpath) / name
            try:
                commit = path.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                continue
            if _SHA1.fullmatch(commit):
                found[path.relative_to(refs_dir).as_posix()] = commit
    return found


def _tree_hashes(folder: Path, commit: str) -> dict[str, dict[str, object]]:
    """`trees/<commit>.json`'s files (huggingface_hub 1.22+), or nothing if absent or bad."""
    path = folder / "trees" / f"{commit}.json"
    try:
        with open(path, "rb") as fh:
            head = fh.read(settings.HF_CACHE_TREE_MAX_BYTES + 1)
        if len(head) > settings.HF_CACHE_TREE_MAX_BYTES:
            return {}
        files = json.loads(head).get("files")
    except (OSError, ValueError, AttributeError):
        return {}
    return (
        {k: v for k, v in files.items() if isinstance(v, dict)} if isinstance(files, dict) else {}
    )


def _snapshot(folder: Path, commit: str) -> CachedSnapshot:
    snapshot = CachedSnapshot(commit=commit)
    top = folder / "snapshots" / commit
    blobs = (folder / "blobs").resolve()
    tree = _tree_hashes(folder, commit)
    for dirpath, dirs, files in os.walk(top):
        dirs.sort()
        for name in sorted(files):
            path = Path(dirpath) / name
            rel = path.relative_to(top).as_posix()
            found = _file(path, rel, blobs, tree.get(rel, {}))
            if isinstance(found, str):
                snapshot.skipped.append(f"{rel}: {found}")
                continue
            snapshot.files.append(found)
            snapshot.size_bytes += found.size
    return snapshot


def _file(path: Path, rel: str, blobs: Path, listed: dict[str, object]) -> CachedFile | str:
    """The entry's bytes and what its names say of them, or why it is left out."""
    try:
        link = os.lstat(path)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISLNK(link.st_mode):
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(blobs):
            return "points outside the repo's blobs"
    else:
        target = path  # Windows without symlink rights: the file itself is in snapshots/
    if target.name.endswith(".incomplete"):
        return "a partial download"
    try:
        st = os.stat(target)
    except OSError:
        return "a dangling link (its blob is gone)"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    etag = target.name if target != path else ""
    lfs = listed.get("lfs_sha256")
    sha256 = lfs if isinstance(lfs, str) and _SHA256.fullmatch(lfs) else None
    if sha256 is None and _SHA256.fullmatch(etag):
        sha256 = etag
    blob_id = listed.get("blob_id")  # an LFS file's is its pointer's: only for small files
    small = sha256 is None and isinstance(blob_id, str) and _SHA1.fullmatch(blob_id)
    git_sha1 = etag if _SHA1.fullmatch(etag) else str(blob_id) if small else None
    return CachedFile(path=rel, blob=str(target), size=st.st_size, sha256=sha256, git_sha1=git_sha1)
