"""Make and recognise links — the only module that creates or removes a link in an app.

Which kind, per target folder: a relative symlink when the folder and the library share a
filesystem; an absolute symlink across filesystems (the plan warns: it breaks when the
drive's mount point changes); a hardlink where the folder refuses symlinks (a canary
symlink is made and removed there first — FAT/exFAT, some SMB/NTFS mounts) but shares the
library's filesystem; otherwise none ("cannot link here"). Never a copy. A link is never
created over anything (symlink(2)/link(2) fail on an existing name) and only removed when
it is still exactly the link we made."""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from tensorshelf.io.diskspace import nearest_existing
from tensorshelf.mapping.links.registry import LinkKind

log = logging.getLogger(__name__)

_NO_SYMLINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EACCES}


@dataclass(frozen=True)
class LinkPlan:
    """How links into one folder are made: `kind`, or None with the `reason` it cannot."""

    kind: LinkKind | None
    reason: str = ""


def _device(path: Path) -> int:
    return nearest_existing(path).stat().st_dev


def _canary_symlink(folder: Path) -> bool:
    probe = nearest_existing(folder)
    name = probe / f".tensorshelf-canary-{secrets.token_hex(4)}"
    try:
        os.symlink("tensorshelf-canary-target", name)
    except OSError as exc:
        if exc.errno in _NO_SYMLINKS:
            return False
        raise
    with contextlib.suppress(OSError):
        os.unlink(name)
    return True


def link_plan(folder: Path, library_root: Path) -> LinkPlan:
    same_fs = _device(folder) == _device(library_root)
    if _canary_symlink(folder):
        return LinkPlan("relative" if same_fs else "absolute")
    if same_fs:
        return LinkPlan("hardlink", "this folder cannot hold symlinks: hard links are used")
    return LinkPlan(
        None,
        f"{folder} can hold neither symlinks nor hard links to the library (another "
        "filesystem without symlink support); use the extra-paths method instead",
    )


@functools.lru_cache(maxsize=4096)
def _parts(folder: str) -> list[str]:
    return folder.split("/")


def _plain(path: str) -> bool:
    """Absolute, with no ".", ".." or empty segment (nothing for normalising to change)."""
    return path.startswith("/") and "/." not in path and "//" not in path and path != "/"


def _relative_dir(source_dir: str, link_dir: str) -> str:
    """`os.path.relpath(source_dir, link_dir)`, without its normalising of both paths on
    every call where neither needs it (a full sync makes tens of thousands of links)."""
    source_dir, link_dir = source_dir.rstrip("/") or "/", link_dir.rstrip("/") or "/"
    if not (_plain(source_dir) and _plain(link_dir)):
        return os.path.relpath(source_dir, start=link_dir)
    source, start = source_dir.split("/"), _parts(link_dir)
    common = 0
    for a, b in zip(source, start, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + source[common:]) or "."


def symlink_text(source: Path | str, link: Path | str, kind: LinkKind) -> str:
    """What a symlink of `kind` at `link` must contain to point at `source`."""
    if kind == "relative":
        source_dir, name = os.path.split(os.fspath(source))
        return os.path.join(_relative_dir(source_dir, os.path.dirname(os.fspath(link))), name)
    return os.fspath(source)


def points_to(link: Path | str, source: Path | str, kind: LinkKind) -> bool:
    """True if `link` is (still) our link of `kind` to `source`."""
    try:
        if kind == "hardlink":
            st, src = os.lstat(link), os.stat(source)
            return not _is_symlink(st) and (st.st_dev, st.st_ino) == (src.st_dev, src.st_ino)
        return os.readlink(link) == symlink_text(source, link, kind)
    except OSError:
        return False


def _is_symlink(st: os.stat_result) -> bool:
    return stat.S_ISLNK(st.st_mode)


def create(source: Path | str, link: Path | str, kind: LinkKind) -> None:
    """Make the link (its folder must exist). FileExistsError if anything is at `link`."""
    if kind == "hardlink":
        os.link(source, link, follow_symlinks=False)
    else:
        os.symlink(symlink_text(source, link, kind), link)


def remove_if_ours(link: Path, source: Path, kind: LinkKind) -> bool:
    """Unlink `link` only if it still is our link to `source`; never follows it."""
    if not points_to(link, source, kind):
        return False
    os.unlink(link)
    return True


def remove_if_text(link: Path, text: str) -> bool:
    """Unlink the symlink `link` only if it still holds exactly `text` (a link we made for a
    place things have since moved from)."""
    try:
        if os.readlink(link) != text:
            return False
    except OSError:
        return False
    os.unlink(link)
    return True


def make_folders(models_dir: Path, relative: Path) -> Path:
    """Create `models_dir/relative` (folders only; never through a symlink)."""
    current = models_dir
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            raise FileExistsError(errno.EEXIST, "a symlink is in the way", str(current))
        current.mkdir(exist_ok=True)
    return current
