"""Drive-aware stream counts: the kernel's rotational flag, partitions, the override."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tensorshelf import settings
from tensorshelf.io.drives import device_of, is_rotational, streams_for


def _sysfs(root: Path, node: str, rotational: str, partition: bool = False) -> Path:
    disk = root / "devices" / node.replace(":", "_")
    target = disk / "part1" if partition else disk
    (disk / "queue").mkdir(parents=True)
    (disk / "queue" / "rotational").write_text(rotational + "\n")
    target.mkdir(exist_ok=True)
    (root / "block").mkdir(exist_ok=True)
    (root / "block" / node).symlink_to(target)
    return root / "block"


def test_rotational_flag_of_a_disk_and_of_a_partition(tmp_path: Path) -> None:
    block = _sysfs(tmp_path, "8:0", "1")
    assert is_rotational(os.makedev(8, 0), block) is True
    block = _sysfs(tmp_path / "p", "259:1", "0", partition=True)  # asks its disk
    assert is_rotational(os.makedev(259, 1), block) is False
    assert is_rotational(os.makedev(0, 42), block) is None  # tmpfs: no block device


def test_streams_per_device_and_the_override(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:  # fmt: skip
    monkeypatch.delenv(settings.ENV_IO_STREAMS, raising=False)
    here = device_of(tmp_path / "not" / "made" / "yet")  # its closest existing ancestor
    assert here == tmp_path.stat().st_dev
    expected = 1 if is_rotational(here) else 4
    assert streams_for(here, cores=4) == expected
    monkeypatch.setenv(settings.ENV_IO_STREAMS, "3")
    assert streams_for(here, cores=4) == 3
    monkeypatch.setenv(settings.ENV_IO_STREAMS, "lots")  # not a number: ignored
    assert streams_for(here, cores=4) == expected
