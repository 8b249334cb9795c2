"""Drive-aware I/O streams: how many files may be read or written at once on one device.

A rotating disk seeks between two streams and gets slower, so it gets one stream; an SSD,
NVMe drive or memory-backed filesystem gets one per core (the work then is hashing, which is
CPU-bound). The kernel says which a block device is (`/sys/dev/block/MAJ:MIN/queue/
rotational`, a partition asks its disk); a device with no such entry (tmpfs, FUSE, network
filesystems) is not a local spinning disk. `TENSORSHELF_IO_STREAMS=N` overrides the answer
for every device (virtual machines often report their virtio disks as rotational)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from tensorshelf import settings
from tensorshelf.io.diskspace import nearest_existing

SYS_DEV_BLOCK = Path("/sys/dev/block")


@lru_cache(maxsize=64)
def is_rotational(device: int, sys_dev_block: Path = SYS_DEV_BLOCK) -> bool | None:
    """True for a spinning disk, False for an SSD, None when the kernel does not say."""
    node = sys_dev_block / f"{os.major(device)}:{os.minor(device)}"
    for flag in (node / "queue" / "rotational", node / ".." / "queue" / "rotational"):
        try:
            return flag.read_text().strip() == "1"
        except OSError:
            continue
    return None


def streams_override() -> int | None:
    raw = os.environ.get(settings.ENV_IO_STREAMS, "").strip()
    return max(1, int(raw)) if raw.isdigit() else None


def streams_for(device: int, cores: int | None = None) -> int:
    """How many concurrent import streams `device` takes (the override wins)."""
    override = streams_override()
    if override is not None:
        return override
    cores = cores or os.cpu_count() or 1
    return 1 if is_rotational(device) else cores


def device_of(path: str | os.PathLike[str]) -> int:
    """st_dev of `path`, or of its closest existing ancestor (a destination not made yet)."""
    return nearest_existing(path).stat().st_dev
