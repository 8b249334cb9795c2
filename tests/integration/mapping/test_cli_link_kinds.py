"""Which link, decided by a canary in the target folder, on real filesystems: a folder that
refuses symlinks but shares the library's filesystem (a bindfs view with
--resolve-symlinks, both trees under it) gets hard links — the same inode, a second sync a
no-op, `rm` cascading through them, `apps rm` removing only ours; a FAT volume (a real FAT16
image through fusefat), which holds neither, gets nothing: the plan says "cannot link here"
and offers extra-paths, and nothing is copied onto it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.fixtures.cli_runner import Cli, make_cli, write_lora


def test_hard_links_where_symlinks_are_refused(tmp_path: Path, fuse_share) -> None:
    volume = fuse_share("volume", "backing", "--resolve-symlinks")  # not a prefix of it
    cli = Cli(tmp_path / "home", volume / "library")
    sources = [write_lora(tmp_path / "src" / f"lora{i}.safetensors", seed=i) for i in (1, 2)]
    cli.json("import", "--no-lookup", *(str(s) for s in sources))
    tree = volume / "app"
    tree.mkdir()
    (tree / "loras").mkdir()
    mine = tree / "loras" / "lora2.safetensors"
    mine.write_bytes(b"the user's own lora2")

    added = cli.json("apps", "add", "--kind", "folder", str(tree))
    (result,) = added["sync"]
    assert result["created"] == 1 and result["conflicts"] == 1
    plan = cli.json("sync", "--dry-run")["plan"]
    assert any("hard links are used" in w for w in plan["warnings"])
    assert plan["to_create"] == [] and plan["already_ok"] == 1
    link = tree / "loras" / "lora1.safetensors"
    by_name = {m["name"]: m for m in cli.json("list")["models"]}
    stored = cli.library / by_name["lora1"]["path"] / "lora1.safetensors"
    assert not link.is_symlink() and os.stat(link).st_ino == os.stat(stored).st_ino
    backing = tmp_path / "backing" / stored.relative_to(volume)
    assert os.stat(backing).st_nlink == 2, "one file, two names (FUSE caches nlink: ask below)"
    assert mine.read_bytes() == b"the user's own lora2", "a user's file is never touched"

    assert cli.json("doctor")["ok"] is True
    cli.json("rm", "--yes", by_name["lora1"]["id"])
    assert not link.exists(), "rm removes our hard link first"
    cli.json("apps", "rm", "--yes", added["app"]["id"])
    assert mine.read_bytes() == b"the user's own lora2"


def test_a_fat_volume_gets_no_links_and_no_copies(tmp_path: Path, fat_volume) -> None:
    usb = fat_volume("usb")
    cli = make_cli(tmp_path)
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "src" / "lora1.safetensors", 1)))
    tree = usb / "models"
    tree.mkdir()
    added = cli.json("apps", "add", "--kind", "folder", str(tree))
    (result,) = added["sync"]
    assert result["created"] == 0 and result["not_mapped"] == 1
    (not_mapped,) = cli.json("sync", "--dry-run")["plan"]["not_mapped"]
    assert "neither symlinks nor hard links" in not_mapped["reason"]
    assert "extra-paths" in not_mapped["reason"]
    assert [p.name for p in tree.rglob("*")] == [], "no copy, no canary left behind"
