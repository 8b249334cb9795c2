"""What kind of filesystem a path is on: its mount point and type (from
/proc/self/mountinfo), whether it is read-only (statvfs), and whether it is a network or
FUSE filesystem — where SQLite's WAL must not live and `flock` may not reach other machines.

Local FUSE filesystems that sit on a block device (`fuseblk`, e.g. NTFS through ntfs-3g)
count as local. Without /proc (not Linux), nothing is known to be remote."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from tensorshelf.io.diskspace import nearest_existing

log = logging.getLogger(__name__)

MOUNTINFO = Path("/proc/self/mountinfo")
NETWORK_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "davfs",
        "ncpfs",
        "virtiofs",
    }
)
LOCAL_FUSE_TYPES = frozenset({"fuseblk"})
_OCTAL = re.compile(r"\\([0-7]{3})")


@dataclass(frozen=True)
class Filesystem:
    mount_point: str
    fstype: str
    source: str
    read_only: bool

    @property
    def shared(self) -> bool:
        """A network or FUSE filesystem: possibly written by other machines."""
        if self.fstype in LOCAL_FUSE_TYPES:
            return False
        return self.fstype in NETWORK_TYPES or self.fstype.split(".")[0] in ("fuse", "fuse3")


def _unescape(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as octal (\\040 …)."""
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), field)


def _mounts(mountinfo: Path) -> list[tuple[str, str, str]]:
    """(mount point, fstype, source) of every mount, in mountinfo order."""
    mounts = []
    for line in mountinfo.read_text(errors="replace").splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 2:
            continue
        mounts.append((_unescape(fields[4]), tail[0], _unescape(tail[1])))
    return mounts


def filesystem_of(path: str | os.PathLike[str], mountinfo: Path = MOUNTINFO) -> Filesystem:
    """The filesystem holding `path` (or its closest existing ancestor)."""
    real = os.path.realpath(nearest_existing(path))
    try:
        read_only = bool(os.statvfs(real).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    best = ("/", "unknown", "")
    try:
        for mount_point, fstype, source in _mounts(mountinfo):
            inside = real == mount_point or real.startswith(mount_point.rstrip("/") + "/")
            if inside and len(mount_point) >= len(best[0]):  # later mounts shadow earlier
                best = (mount_point, fstype, source)
    except OSError as exc:
        log.debug("cannot read %s: %s", mountinfo, exc)
    return Filesystem(mount_point=best[0], fstype=best[1], source=best[2], read_only=read_only)
