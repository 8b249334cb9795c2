"""The Move Test: the state dir, the library and the app moved together to another parent
keep every relative link valid; `relocate OLD NEW` re-points the registered app, after which
`doctor` is clean and a new import is linked again."""

from __future__ import annotations

import os
from pathlib import Path

from tests.fixtures.cli_runner import Cli, write_lora
from tests.integration.mapping.test_cli_sync import fake_comfyui


def test_moving_everything_together_and_relocating(tmp_path: Path) -> None:
    before = tmp_path / "before"
    cli = Cli(before / "home", before / "library")
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "a.safetensors", seed=1)))
    comfy = fake_comfyui(before / "ComfyUI")
    cli.json("apps", "add", str(comfy))

    after = tmp_path / "after"
    os.rename(before, after)
    moved = Cli(after / "home", after / "library")
    loras = after / "ComfyUI" / "models" / "loras"
    (link,) = loras.iterdir()
    assert link.is_symlink() and link.exists(), "relative links survive the move"
    assert not any(p.is_symlink() and not p.exists() for p in loras.iterdir())
    assert moved.run("--json", "doctor").json()["findings"]["ghost_apps"], "the app moved"

    relocated = moved.json("relocate", str(before), str(after))
    assert relocated["apps"] == ["comfyui"]
    assert moved.run("--json", "doctor").returncode == 0
    moved.json("import", "--no-lookup", str(write_lora(tmp_path / "b.safetensors", seed=2)))
    assert sorted(p.name for p in loras.iterdir()) == ["a.safetensors", "b.safetensors"]


def test_a_library_drive_remounted_elsewhere_gets_its_absolute_links_back(
    tmp_path: Path, tmpfs
) -> None:
    import subprocess

    drive = tmpfs("usb", "32m")
    cli = Cli(tmp_path / "home", drive / "library")
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "a.safetensors", seed=1)))
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    added = cli.json("apps", "add", str(comfy))
    assert any(
        "different filesystems" in w for w in cli.json("sync", "--dry-run")["plan"]["warnings"]
    )
    (link,) = (comfy / "models" / "loras").iterdir()
    assert os.readlink(link).startswith(str(drive)), "across filesystems: an absolute link"

    elsewhere = tmp_path / "usb-remounted"
    elsewhere.mkdir()
    done = subprocess.run(["mount", "--move", str(drive), str(elsewhere)], capture_output=True)
    assert done.returncode == 0, done.stderr
    try:
        assert not link.exists()  # dangling until relocated
        remounted = Cli(tmp_path / "home", elsewhere / "library")
        relocated = remounted.json("relocate", str(drive), str(elsewhere))
        assert relocated["links_repointed"] == 1
        assert link.exists() and os.readlink(link).startswith(str(elsewhere))
        assert remounted.run("--json", "doctor").returncode == 0
        assert added["app"]["id"] == "comfyui"
    finally:
        subprocess.run(["umount", "-l", str(elsewhere)], capture_output=True)


def test_a_moved_library_is_noticed_and_relocate_re_points_its_relative_links(
    tmp_path: Path,
) -> None:
    cli = Cli(tmp_path / "home", tmp_path / "old-drive" / "library")
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "a.safetensors", seed=1)))
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    cli.json("apps", "add", str(comfy))
    (link,) = (comfy / "models" / "loras").iterdir()
    assert not os.readlink(link).startswith("/")
    quiet = cli.run("--json", "list")
    assert "was at" not in quiet.stderr

    (tmp_path / "new-drive").mkdir()
    os.rename(tmp_path / "old-drive" / "library", tmp_path / "new-drive" / "library")
    moved = Cli(tmp_path / "home", tmp_path / "new-drive" / "library")
    assert not link.exists(), "the relative link was made for the old place"
    noticed = moved.run("--json", "list")
    assert f"was at {tmp_path / 'old-drive' / 'library'}" in noticed.stderr
    (broken,) = moved.run("--json", "doctor").json()["findings"]["broken_links"]
    assert broken["path"] == str(link) and "relocating re-points it" in broken["detail"]

    relocated = moved.json("relocate")  # no arguments: the move it noticed
    assert relocated["links_repointed"] == 1 and relocated["apps"] == []
    assert link.exists() and not os.readlink(link).startswith("/")
    assert moved.run("--json", "doctor").returncode == 0
    assert "was at" not in moved.run("--json", "list").stderr, "offered until relocated"
    refused = moved.run("--json", "relocate")
    assert refused.returncode != 0 and "has not moved" in refused.json()["error"]["message"]


def test_doctor_fix_re_points_links_made_before_the_library_moved(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home", tmp_path / "old" / "library")
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "a.safetensors", seed=1)))
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    cli.json("apps", "add", str(comfy))
    (link,) = (comfy / "models" / "loras").iterdir()
    os.rename(tmp_path / "old", tmp_path / "new")
    moved = Cli(tmp_path / "home", tmp_path / "new" / "library")
    fixed = moved.json("doctor", "--fix")["findings"]["broken_links"]
    assert [f["fixed"] for f in fixed] == [True] and link.exists()
    assert moved.json("sync", "--dry-run")["plan"]["conflicts"] == []
    assert "was at" not in moved.run("--json", "list").stderr
