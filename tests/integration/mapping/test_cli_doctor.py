"""`tensorshelf doctor` through the real CLI: each category is found after breaking things by
hand, and `--fix` repairs what is ours — a dead link removed, a missing one recreated, an
unregistered one adopted — leaving a ghost app for the user to remove. (A model re-filed or
moved and scanned is re-pointed by the sync that follows the scan, before doctor runs.)"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from tests.fixtures.cli_runner import make_cli, write_lora
from tests.integration.mapping.test_cli_sync import fake_comfyui


def test_doctor_finds_each_problem_and_fix_repairs_ours(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    sources = [write_lora(tmp_path / "src" / f"lora{i}.safetensors", seed=i) for i in (1, 2, 3)]
    cli.json("import", "--no-lookup", *(str(s) for s in sources))
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    app_id = cli.json("apps", "add", str(comfy))["app"]["id"]
    ghost = fake_comfyui(tmp_path / "Gone" / "ComfyUI")
    ghost_id = cli.json("apps", "add", str(ghost))["app"]["id"]
    assert cli.run("--json", "doctor").returncode == 0

    loras = comfy / "models" / "loras"
    (loras / "lora1.safetensors").unlink()  # missing
    by_name = {m["name"]: m for m in cli.json("list")["models"]}
    shutil.rmtree(cli.library / by_name["lora2"]["path"])  # deleted by hand: a broken link
    stray = loras / "my name for lora3.safetensors"
    stray.symlink_to(cli.library / by_name["lora3"]["path"] / "lora3.safetensors")  # unregistered
    shutil.rmtree(tmp_path / "Gone")  # ghost app

    result = cli.run("--json", "doctor")
    assert result.returncode == 1
    findings = result.json()["findings"]
    assert [f["path"] for f in findings["missing_links"]] == [str(loras / "lora1.safetensors")]
    assert [f["path"] for f in findings["broken_links"]] == [str(loras / "lora2.safetensors")]
    assert [f["model_id"] for f in findings["phantom_models"]] == [by_name["lora2"]["id"]]
    assert [f["path"] for f in findings["unregistered_links"]] == [str(stray)]
    assert [f["app_id"] for f in findings["ghost_apps"]] == [ghost_id]

    fixed = cli.run("--json", "doctor", "--fix").json()["findings"]
    assert all(
        f["fixed"]
        for k in ("missing_links", "broken_links", "unregistered_links")
        for f in fixed[k]
    )
    assert (loras / "lora1.safetensors").is_symlink() and (loras / "lora1.safetensors").exists()
    assert not os.path.lexists(loras / "lora2.safetensors")  # a dead link of ours: removed
    assert stray.is_symlink()  # adopted, not removed
    cli.json("apps", "rm", "--yes", ghost_id)
    cli.json("scan")  # the model deleted by hand leaves the index
    assert cli.run("--json", "doctor").returncode == 0, cli.run("doctor").stdout
    assert cli.json("sync", "--dry-run", app_id)["plan"]["to_create"] == []


def test_a_lost_registry_is_rebuilt_from_disk_and_a_removed_folder_is_made_again(
    tmp_path: Path,
) -> None:
    cli = make_cli(tmp_path)
    sources = [write_lora(tmp_path / "src" / f"lora{i}.safetensors", seed=i) for i in (1, 2)]
    cli.json("import", "--no-lookup", *(str(s) for s in sources))
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    app_id = cli.json("apps", "add", str(comfy))["app"]["id"]
    loras = comfy / "models" / "loras"
    before = {p.name: os.readlink(p) for p in loras.iterdir()}

    for name in ("registry.db", "registry.db-wal", "registry.db-shm"):
        (cli.home / name).unlink(missing_ok=True)
    found = cli.run("--json", "doctor").json()["findings"]
    assert sorted(f["path"] for f in found["unregistered_links"]) == sorted(
        str(loras / n) for n in before
    )
    cli.json("doctor", "--fix")
    assert cli.json("doctor")["ok"] is True
    plan = cli.json("sync", "--dry-run", app_id)["plan"]
    assert plan["to_create"] == [] and plan["to_remove"] == [] and plan["already_ok"] == 2
    assert {p.name: os.readlink(p) for p in loras.iterdir()} == before, "adopted, not re-made"
    with sqlite3.connect(cli.home / "registry.db") as db:
        hashes = [h for (h,) in db.execute("SELECT sha256 FROM links")]
    assert len(hashes) == 2 and all(h and len(h) == 64 for h in hashes), "re-adopted with hashes"

    shutil.rmtree(loras)  # the user removed the whole folder
    missing = cli.run("--json", "doctor").json()["findings"]["missing_links"]
    assert len(missing) == 2
    fixed = cli.json("doctor", "--fix")["findings"]["missing_links"]
    assert all(f["fixed"] for f in fixed)
    assert {p.name: os.readlink(p) for p in loras.iterdir()} == before


def test_doctor_names_the_folders_a_sandbox_must_allow(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "src" / "a.safetensors", 1)))
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    cli.json("apps", "add", str(comfy))
    snap = {"SNAP": "/snap/tensorshelf/7", "SNAP_NAME": "tensorshelf"}
    result = cli.run("--json", "doctor", env=snap)
    assert result.returncode == 0, "informational: not a problem to repair"
    found = result.json()["findings"]["sandbox"]
    assert [f["path"] for f in found] == [str(cli.library), str(comfy / "models")]
    assert all("snap" in f["detail"] and "removable-media" in f["detail"] for f in found)
    human = cli.run("doctor", env=snap)
    assert "sandbox" in human.stdout and str(comfy / "models") in human.stdout
