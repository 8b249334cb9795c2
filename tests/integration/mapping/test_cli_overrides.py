"""overrides.json beside a model: keep it out of one app, give its link another name there;
an unusable file keeps the model out of every app and the plan names the file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fixtures.cli_runner import make_cli, write_lora
from tests.integration.mapping.test_cli_sync import fake_comfyui


def test_overrides_exclude_rename_and_refuse(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    sources = [write_lora(tmp_path / "src" / f"lora{i}.safetensors", seed=i) for i in (1, 2, 3)]
    cli.json("import", "--no-lookup", *(str(s) for s in sources))
    by_name = {m["name"]: cli.library / m["path"] for m in cli.json("list")["models"]}
    (by_name["lora1"] / "overrides.json").write_text(
        json.dumps({"apps": {"comfyui": {"exclude": True}}})
    )
    (by_name["lora2"] / "overrides.json").write_text(
        json.dumps({"apps": {"comfyui": {"target_name": "my style.safetensors"}}})
    )
    (by_name["lora3"] / "overrides.json").write_text("{ not json")
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    app_id = cli.json("apps", "add", str(comfy))["app"]["id"]
    assert sorted(p.name for p in (comfy / "models" / "loras").iterdir()) == [
        "my style.safetensors"
    ]
    plan = cli.json("sync", "--dry-run", app_id)["plan"]
    reasons = {n["name"]: n["reason"] for n in plan["not_mapped"]}
    assert "keeps it out of this app" in reasons["lora1"]
    assert str(by_name["lora3"] / "overrides.json") in reasons["lora3"]
    assert any("overrides.json" in w for w in plan["warnings"])
