"""Completing an incomplete sharded set in place: which shards a model lacks (from its own
file names: `-00002-of-00005`), and adding files to a model's folder — the model keeps its
id and folder, metadata.json gains the files, the index follows.

A file is placed by hard link from where it was downloaded (same filesystem) or copied and
checked against the expected hashes; nothing in the folder is ever replaced. A crash after
placing a file but before metadata.json lists it leaves that file in the folder; the next
completion finds it there with the expected bytes and takes it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tensorshelf.errors import FileAccessError, InvalidArgument
from tensorshelf.io.atomic import fsync_dir
from tensorshelf.io.copying import copy_with_hashes
from tensorshelf.io.hashing import hash_file
from tensorshelf.io.naming import safe_relative_path
from tensorshelf.io.transfer import hardlink, same_filesystem
from tensorshelf.io.types import FileHashes
from tensorshelf.library import editing
from tensorshelf.library.context import LibraryContext
from tensorshelf.library.importing.shards import ShardName, parse_shard_name
from tensorshelf.library.metadata.document import FileEntry, ModelMetadata


@dataclass(frozen=True)
class ShardGap:
    """The shards a model's set lacks: `folder` (inside the model dir), the set's name
    pattern and the missing indices."""

    folder: str
    shard: ShardName
    missing: list[int]

    def matches(self, file_name: str) -> int | None:
        """The missing index a file of that name would fill, or None."""
        other = parse_shard_name(file_name)
        if other is None or other.group_key() != self.shard.group_key():
            return None
        return other.index if other.index in self.missing else None


@dataclass(frozen=True)
class AddedFile:
    rel: str  # inside the model dir, "/"-separated
    source: Path
    hashes: FileHashes


def shard_gap(meta: ModelMetadata) -> ShardGap | None:
    """The gap of a sharded set with shards missing (None when complete or not a set)."""
    if meta.model_format != "sharded-set":
        return None
    shards = [(f, parse_shard_name(PurePosixPath(f.path).name)) for f in meta.files]
    present = [(f, s) for f, s in shards if s is not None and f.role == "weights"]
    if not present:
        return None
    first, shard = present[0]
    total = shard.total or max((f.shard_total or 0) for f, _ in present)
    have = {s.index for _, s in present}
    missing = [i for i in range(1, total + 1) if i not in have]
    if not missing:
        return None
    return ShardGap(_folder(first.path), shard, missing)


def _folder(rel: str) -> str:
    parent = PurePosixPath(rel).parent.as_posix()
    return "" if parent == "." else parent


def add_files(ctx: LibraryContext, ref: str, added: list[AddedFile]) -> ModelMetadata:
    """Put `added` into the model's folder and list them in its metadata.json."""
    with ctx.writer.hold(f"adding {len(added)} file(s) to {ref}"):
        model_dir, meta = editing.load(ctx, ref)
        listed = {f.path for f in meta.files}
        for item in added:
            rel = safe_relative_path(item.rel).as_posix()
            if rel in listed:
                raise InvalidArgument(f"{meta.path} already has {rel}", path=rel)
            dst = model_dir.joinpath(*rel.split("/"))
            dst.parent.mkdir(parents=True, exist_ok=True)
            _place(item, dst)
            meta.files.append(_entry(rel, dst, item.hashes))
        meta.files.sort(key=lambda f: (f.role != "weights", f.shard_index or 0, f.path))
        meta.size_bytes = sum(f.size for f in meta.files)
        editing.save(ctx, model_dir, meta, False, "edit")
        return meta


def _place(item: AddedFile, dst: Path) -> None:
    if os.path.lexists(dst):  # left by an interrupted completion: take it if it is the file
        if dst.is_file() and not dst.is_symlink() and _same(hash_file(dst), item.hashes):
            return
        raise FileAccessError(f"{dst} is in the way (another file of that name)", path=str(dst))
    if same_filesystem(item.source, dst.parent):
        hardlink(item.source, dst)
        fsync_dir(dst.parent)
        return
    copied = copy_with_hashes(item.source, dst)
    if not _same(copied, item.hashes):
        dst.unlink(missing_ok=True)
        raise FileAccessError(f"{item.source} changed while it was copied in", path=str(dst))


def _same(a: FileHashes, b: FileHashes) -> bool:
    return (a.size, a.sha256) == (b.size, b.sha256)


def _entry(rel: str, path: Path, hashes: FileHashes) -> FileEntry:
    shard = parse_shard_name(PurePosixPath(rel).name)
    return FileEntry(
        path=rel,
        size=hashes.size,
        sha256=hashes.sha256,
        blake3=hashes.blake3,
        git_sha1=hashes.git_sha1,
        mtime_ns=path.stat().st_mtime_ns,
        role="weights",
        shard_index=shard.index if shard else None,
        shard_total=shard.total if shard else None,
    )
