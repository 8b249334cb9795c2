"""One change to many models through the real CLI (`tensorshelf bulk`, the window's
multi-selection): tags added and removed, rating, collections, exclusion from an app — every
model's metadata.json changes (a rebuild keeps it), a model already so is counted as
unchanged, a bad reference is reported while the others are still changed, and ids can be
piped in from `list --json`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fixtures.cli_runner import Cli, make_cli, published_model_dirs, write_lora
from tests.integration.mapping.test_cli_sync import fake_comfyui


def _metadata(cli: Cli) -> dict[str, dict]:
    docs = [
        json.loads((d / "metadata.json").read_text()) for d in published_model_dirs(cli.library)
    ]
    return {d["id"]: d for d in docs}


def _three(cli: Cli, tmp_path: Path) -> list[str]:
    sources = [write_lora(tmp_path / "src" / f"bulk{i}.safetensors", seed=70 + i) for i in range(3)]
    result = cli.json("import", "--no-lookup", *map(str, sources))
    return [r["id"] for r in result["results"]]


def test_bulk_tags_rates_and_collects_every_named_model(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    ids = _three(cli, tmp_path)
    chosen = ids[:2]
    piped = "\n".join(chosen) + "\n"
    done = cli.json(
        "bulk",
        "-",
        "--add-tag",
        "portrait",
        "--rating",
        "5",
        "--add-to",
        "Portrait workflow",
        input=piped,
    )
    assert sorted(done["edit"]["changed"]) == sorted(chosen)
    meta = _metadata(cli)
    for model_id in chosen:
        assert "portrait" in meta[model_id]["tags"]
        assert meta[model_id]["rating"] == 5
        assert meta[model_id]["collections"] == ["Portrait workflow"]
    assert meta[ids[2]]["tags"] == [] and meta[ids[2]]["rating"] != 5
    again = cli.json("bulk", *chosen, "--add-tag", "Portrait")  # case-insensitive: already so
    assert again["edit"]["changed"] == [] and sorted(again["edit"]["unchanged"]) == sorted(chosen)
    assert cli.json("list", "--tag", "portrait")["total"] == 2
    assert cli.json("list", "--collection", "Portrait workflow", "--favorites")["total"] == 2

    cli.json("rebuild")  # metadata.json is the truth: the index is rebuilt from it
    assert cli.json("list", "--tag", "portrait")["total"] == 2

    partly = cli.run("--json", "bulk", ids[0], "nosuchmodel", "--remove-tag", "portrait")
    assert partly.returncode == 1, str(partly)
    report = partly.json()
    assert report["ok"] is False and report["edit"]["changed"] == [ids[0]]
    assert [f["ref"] for f in report["edit"]["failed"]] == ["nosuchmodel"]
    assert report["edit"]["failed"][0]["error"]["code"] == "model_not_found"
    assert "portrait" not in _metadata(cli)[ids[0]]["tags"]
    human = cli.run("bulk", ids[1], "--remove-from", "Portrait workflow")
    assert human.returncode == 0 and "1 model(s) changed" in human.stdout, str(human)

    nothing = cli.run("--json", "bulk", ids[0])
    assert nothing.returncode == 2 and "nothing to change" in nothing.stdout + nothing.stderr


def test_bulk_keeps_models_out_of_an_app_and_links_them_again(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    ids = _three(cli, tmp_path)
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    cli.json("apps", "add", str(comfy), "--name", "Comfy")
    loras = comfy / "models" / "loras"
    assert len(list(loras.iterdir())) == 3

    out = cli.json("bulk", *ids[:2], "--exclude-from", "Comfy")
    assert sorted(out["links"]["changed"]) == sorted(ids[:2])
    assert len(list(loras.iterdir())) == 1  # the links went with the choice
    assert sorted(
        m["id"] for m in cli.json("list", "--not-linked-to", "Comfy")["models"]
    ) == sorted(ids[:2])
    back = cli.json("bulk", *ids, "--link-in", "Comfy")
    assert sorted(back["links"]["changed"]) == sorted(ids[:2])
    assert back["links"]["unchanged"] == [ids[2]]
    assert len(list(loras.iterdir())) == 3
    unknown = cli.run("--json", "bulk", ids[0], "--exclude-from", "Nope")
    assert unknown.returncode == 1 and unknown.json()["error"]["code"] == "app_not_found"
