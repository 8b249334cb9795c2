"""The extra-paths method through the real CLI: links go into a view tree in the state dir,
and ONE marked group is added to the install's `extra_model_paths.yaml` — the user's groups,
comments and line endings stay byte-for-byte, every value is a string, every folder key is
listed, ComfyUI's own `models/` is never touched; the group is loaded as ComfyUI loads it
(`yaml.safe_load`, `base_path` + each value); a second sync rewrites nothing; doctor finds a
lost group and --fix restores it; `apps rm` removes exactly the group (and a file that held
nothing else). A group named `tensorshelf` of the user's, a Desktop folder and a non-ComfyUI
app are refused with nothing registered or written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from tests.fixtures.cli_runner import Cli, make_cli, write_lora
from tests.integration.mapping.test_cli_sync import fake_comfyui

USER_YAML = (
    "# my own paths — keep these comments\n"
    "a111:\n"
    "    base_path: /mnt/sd/webui   # the old install\n"
    "    checkpoints: models/Stable-diffusion\n"
    "    loras: |\n"
    "        models/Lora\n"
    "        models/LyCORIS\n"
    "\n"
    "#other:\n"
    "#    base_path: /nowhere\n"
)


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (os.lstat(p).st_ino, os.lstat(p).st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


def _comfyui_folders(yaml_file: Path) -> dict[str, list[Path]]:
    """What ComfyUI's `load_extra_path_config` makes of the file: folder → paths."""
    config = yaml.safe_load(yaml_file.read_text(encoding="utf-8"))
    folders: dict[str, list[Path]] = {}
    for group in config.values():
        base = Path(os.path.expanduser(group.get("base_path", ""))) if group else Path()
        for key, value in (group or {}).items():
            if key in ("base_path", "is_default"):
                continue
            assert isinstance(value, str), f"{key}: a YAML list crashes ComfyUI"
            for line in value.split("\n"):
                if line:
                    folders.setdefault(key, []).append(base / line)
    return folders


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Cli, Path]:
    cli = make_cli(tmp_path)
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "src" / "mylora.safetensors", 1)))
    return cli, fake_comfyui(tmp_path / "ComfyUI")


def test_one_marked_group_keeps_the_users_yaml_and_rm_restores_it(setup) -> None:
    cli, comfy = setup
    yaml_file = comfy / "extra_model_paths.yaml"
    yaml_file.write_text(USER_YAML, encoding="utf-8")
    os.chmod(yaml_file, 0o640)
    models_before = _tree(comfy / "models")

    added = cli.json("apps", "add", "--method", "extra-paths", str(comfy))
    app = added["app"]
    assert app["method"] == "extra-paths" and added["sync"][0]["created"] == 1
    view = Path(app["models_dir"])
    assert view == cli.home / "views" / app["id"]
    text = yaml_file.read_text(encoding="utf-8")
    assert text.startswith(USER_YAML), "every byte of the user's file is kept"
    assert os.stat(yaml_file).st_mode & 0o777 == 0o640
    folders = _comfyui_folders(yaml_file)
    assert folders["loras"] == [
        Path("/mnt/sd/webui/models/Lora"),
        Path("/mnt/sd/webui/models/LyCORIS"),
        view / "loras",
    ]
    for key in (
        "checkpoints",
        "loras",
        "vae",
        "text_encoders",
        "diffusion_models",
        "controlnet",
        "upscale_models",
        "embeddings",
        "clip_vision",
        "diffusers",
    ):
        assert view / key in folders[key], f"{key} is listed explicitly"
        assert (view / key).is_dir()
    link = view / "loras" / "mylora.safetensors"
    assert link.is_symlink() and os.path.realpath(link).startswith(str(cli.library.resolve()))
    assert _tree(comfy / "models") == models_before, "the app's own models/ is never touched"

    stamp = os.stat(yaml_file).st_mtime_ns
    again = cli.json("sync")["results"][0]
    assert again["created"] == 0 and again["already_ok"] == 1
    assert os.stat(yaml_file).st_mtime_ns == stamp, "an unchanged group is not rewritten"
    assert cli.json("doctor")["findings"]["app_configs"] == []

    yaml_file.write_text(USER_YAML, encoding="utf-8")  # the user's editor dropped our group
    lost = cli.run("--json", "doctor")
    assert lost.returncode != 0 and lost.json()["findings"]["app_configs"][0]["path"] == str(comfy)
    cli.json("doctor", "--fix")
    assert view / "loras" in _comfyui_folders(yaml_file)["loras"]

    removed = cli.json("apps", "rm", "--yes", app["id"])
    assert removed["links_removed"] == 1
    assert yaml_file.read_text(encoding="utf-8") == USER_YAML, "exactly our group is removed"
    assert not view.exists(), "the view tree goes with the app"
    assert _tree(comfy / "models") == models_before


def test_crlf_file_and_a_file_of_ours_only(setup) -> None:
    cli, comfy = setup
    yaml_file = comfy / "extra_model_paths.yaml"
    crlf = USER_YAML.replace("\n", "\r\n").encode()
    yaml_file.write_bytes(crlf)
    app_id = cli.json("apps", "add", "--method", "extra-paths", str(comfy))["app"]["id"]
    data = yaml_file.read_bytes()
    assert data.startswith(crlf) and b"\n" not in data.replace(b"\r\n", b""), "CRLF kept"
    cli.json("apps", "rm", "--yes", app_id)
    assert yaml_file.read_bytes() == crlf

    yaml_file.unlink()
    app_id = cli.json("apps", "add", "--method", "extra-paths", str(comfy))["app"]["id"]
    assert "loras" in _comfyui_folders(yaml_file)
    cli.json("apps", "rm", "--yes", app_id)
    assert not yaml_file.exists(), (
        "a file that held only our group goes (ComfyUI cannot load an empty one)"
    )


def test_refusals_register_and_write_nothing(setup, tmp_path: Path) -> None:
    cli, comfy = setup
    yaml_file = comfy / "extra_model_paths.yaml"
    theirs = "tensorshelf:\n    base_path: /my/own\n    loras: loras\n"
    yaml_file.write_text(theirs)
    refused = cli.run("--json", "apps", "add", "--method", "extra-paths", str(comfy))
    assert refused.returncode != 0
    error = refused.json()["error"]
    assert error["code"] == "extra_paths_conflict" and str(yaml_file) in error["message"]
    assert yaml_file.read_text() == theirs
    assert cli.json("apps", "list")["apps"] == []

    desktop = tmp_path / "Documents" / "ComfyUI"
    for folder in ("models", "custom_nodes", "user"):
        (desktop / folder).mkdir(parents=True)
    refused = cli.run("--json", "apps", "add", "--method", "extra-paths", str(desktop))
    assert refused.returncode != 0 and "Desktop" in refused.json()["error"]["message"]
    lms = tmp_path / "lms"
    lms.mkdir()
    refused = cli.run(
        "--json", "apps", "add", "--kind", "lmstudio", "--method", "extra-paths", str(lms)
    )
    assert refused.returncode != 0 and "for ComfyUI" in refused.json()["error"]["message"]
    assert cli.json("apps", "list")["apps"] == []
    assert (
        not list((desktop / "models").iterdir())
        and not (desktop / "extra_model_paths.yaml").exists()
    )
