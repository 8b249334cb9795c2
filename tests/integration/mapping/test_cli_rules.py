"""Editing one app's rules through the real CLI (the Mapping view's calls): a plain folder app
gets its own folder name for LoRAs, the dry run shows the move before anything changes, a
sync moves the link; a disabled rule unlinks and names the reason; reset brings the default
back; an unsafe folder or an unknown rule is refused with a clear message; the edits live in
the app's own user config and go with the app."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.cli_runner import make_cli, write_lora


def test_rename_disable_and_reset_a_rule(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    cli.json("import", "--no-lookup", str(write_lora(tmp_path / "src" / "mylora.safetensors", 1)))
    tree = tmp_path / "models-for-koboldcpp"
    tree.mkdir()
    app = cli.json("apps", "add", "--kind", "folder", str(tree))["app"]["id"]
    assert (tree / "loras" / "mylora.safetensors").is_symlink()

    rules = {r["rule"]["name"]: r for r in cli.json("apps", "rules", app)["rules"]}
    assert rules["loras"]["rule"]["target_subdir"] == "loras" and not rules["loras"]["edited"]
    assert rules["loras"]["source"] == "shipped:folder.json"

    edited = cli.json("apps", "rule", app, "loras", "--target", "LoRA models/")
    (loras,) = [r for r in edited["rules"] if r["rule"]["name"] == "loras"]
    assert loras["edited"] and loras["rule"]["target_subdir"] == "LoRA models"
    config = Path(edited["config_path"])
    assert config == cli.home / "mapping" / f"app-{app}.json" and config.is_file()

    plan = cli.json("sync", "--dry-run", app)["plan"]
    assert [a["target"] for a in plan["to_create"]] == ["LoRA models/mylora.safetensors"]
    assert [a["target"] for a in plan["to_remove"]] == ["loras/mylora.safetensors"]
    assert (tree / "loras" / "mylora.safetensors").is_symlink(), "a dry run changes nothing"
    cli.json("sync", app)
    assert (tree / "LoRA models" / "mylora.safetensors").is_symlink()
    assert not (tree / "loras" / "mylora.safetensors").exists()

    cli.json("apps", "rule", app, "loras", "--disable")
    plan = cli.json("sync", "--dry-run", app)["plan"]
    assert "no enabled rule" in plan["not_mapped"][0]["reason"]
    cli.json("sync", app)
    assert not list(tree.rglob("*.safetensors"))

    cli.json("apps", "rule", app, "loras", "--reset")
    assert not config.exists(), "nothing of the app's own is left: the file goes"
    cli.json("sync", app)
    assert (tree / "loras" / "mylora.safetensors").is_symlink()

    bad = cli.run("--json", "apps", "rule", app, "loras", "--target", "../outside")
    assert bad.returncode != 0 and bad.json()["error"]["code"] == "invalid_argument"
    assert "loras" in bad.json()["error"]["message"]
    unknown = cli.run("--json", "apps", "rule", app, "nope", "--disable")
    assert unknown.returncode != 0 and "checkpoints" in unknown.json()["error"]["message"]
    nothing = cli.run("--json", "apps", "rule", app, "loras")
    assert nothing.returncode != 0 and "nothing to change" in nothing.json()["error"]["message"]

    cli.json("apps", "rule", app, "vae", "--disable")
    assert config.exists()
    cli.json("apps", "rm", "--yes", app)
    assert not config.exists(), "the app's own config goes with it"
