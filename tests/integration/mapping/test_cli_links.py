"""One model's choices through the real CLI (the detail panel's calls): where it is linked in
each app; kept out of one app (its link goes at once, the other app keeps its own), linked
back under another name, back to its own name; an unsafe name or an unusable overrides.json
is refused with the file named, and nothing changes."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.cli_runner import make_cli, write_lora
from tests.integration.mapping.test_cli_sync import fake_comfyui


def test_keep_out_rename_and_back(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "src" / "style.safetensors", 1)))
    (model,) = cli.json("list")["models"]
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    tree = tmp_path / "plain"
    tree.mkdir()
    comfy_id = cli.json("apps", "add", str(comfy))["app"]["id"]
    plain_id = cli.json("apps", "add", "--kind", "folder", str(tree))["app"]["id"]
    loras = comfy / "models" / "loras"

    shown = {a["app_id"]: a for a in cli.json("links", model["id"])["apps"]}
    assert shown[comfy_id]["links"] == ["loras/style.safetensors"]
    assert (
        shown[plain_id]["links"] == ["loras/style.safetensors"] and not shown[plain_id]["exclude"]
    )

    out = cli.json("links", model["id"], "--app", comfy_id, "--exclude")
    assert {a["app_id"]: a["links"] for a in out["apps"]} == {
        comfy_id: [],
        plain_id: ["loras/style.safetensors"],
    }
    assert not list(loras.iterdir()), "kept out: the link went at once"
    assert (tree / "loras" / "style.safetensors").is_symlink()
    overrides = cli.library / model["path"] / "overrides.json"
    assert overrides.is_file()

    cli.json("links", model["id"], "--app", comfy_id, "--include", "--name", "my style.safetensors")
    assert [p.name for p in loras.iterdir()] == ["my style.safetensors"]
    cli.json("links", model["id"], "--app", comfy_id, "--default-name")
    assert [p.name for p in loras.iterdir()] == ["style.safetensors"]
    assert not overrides.exists(), "nothing left to say: the file goes"

    bad = cli.run("--json", "links", model["id"], "--app", comfy_id, "--name", "../x")
    assert bad.returncode != 0 and bad.json()["error"]["code"] == "invalid_argument"
    overrides.write_text("{ broken")
    refused = cli.run("--json", "links", model["id"], "--app", comfy_id, "--exclude")
    assert refused.returncode != 0 and str(overrides) in refused.json()["error"]["message"]
    assert overrides.read_text() == "{ broken", "never overwritten"
    assert str(overrides) in cli.json("links", model["id"])["problem"]
