"""Which filesystem a path is on, from a mountinfo table: the deepest mount wins, escapes
are decoded, network and FUSE types are shared, fuseblk is local."""

from __future__ import annotations

from pathlib import Path

from tensorshelf.io.filesystems import Filesystem, filesystem_of

MOUNTINFO = """\
22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
30 22 0:40 / {share} rw,relatime - nfs4 nas:/export rw,vers=4.2
31 22 0:41 / {fuse} rw - fuse.sshfs me@host:/models rw
32 22 0:42 / {ntfs} rw - fuseblk /dev/sdb1 rw
33 22 0:43 / {spaced} rw - cifs //nas/share\\040x rw
"""


def _table(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    dirs = {k: tmp_path / k for k in ("share", "fuse", "ntfs", "spaced x")}
    for d in dirs.values():
        d.mkdir()
    text = MOUNTINFO.format(
        share=dirs["share"],
        fuse=dirs["fuse"],
        ntfs=dirs["ntfs"],
        spaced=str(dirs["spaced x"]).replace(" ", "\\040"),
    )
    table = tmp_path / "mountinfo"
    table.write_text(text)
    return table, dirs


def test_types_and_deepest_mount(tmp_path: Path) -> None:
    table, dirs = _table(tmp_path)
    share = filesystem_of(dirs["share"] / "library" / "not-made-yet", table)
    assert (share.fstype, share.shared, share.mount_point) == ("nfs4", True, str(dirs["share"]))
    assert filesystem_of(dirs["fuse"], table).shared
    assert not filesystem_of(dirs["ntfs"], table).shared
    spaced = filesystem_of(dirs["spaced x"], table)
    assert spaced.fstype == "cifs" and spaced.source == "//nas/share x"
    assert filesystem_of(tmp_path, table).fstype == "ext4"


def test_unknown_without_a_table(tmp_path: Path) -> None:
    fs = filesystem_of(tmp_path, tmp_path / "missing")
    assert isinstance(fs, Filesystem) and not fs.shared
