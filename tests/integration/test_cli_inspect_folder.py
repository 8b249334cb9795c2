"""`tensorshelf inspect DIR` through the real console script: a plain folder holding several
models lists every one of them; a single model (file, model folder) keeps its output."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.cli_runner import make_cli, write_junk
from tests.fixtures.detect_files import get_case, make_model_file

MODELS = {
    "add_detail.safetensors": "lora_sd15_kohya_r32",
    "flux1-dev-Q4_K_S.gguf": "flux1_dev_q4_k_s_gguf",
    "v1-5-pruned-emaonly.ckpt": "sd15_ckpt_torch_zip",
}


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    for name, case in MODELS.items():
        assert make_model_file(case, folder).name == name
    write_junk(folder / "broken.safetensors")  # a weight name, not a model
    write_junk(folder / "README.md")  # not a weight: skipped silently
    return folder


def test_inspect_of_a_plain_folder_lists_every_model(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    cli = make_cli(tmp_path)
    doc = cli.json("inspect", str(folder))
    assert doc["ok"] is True and doc["path"] == str(folder) and "detection" not in doc
    by_path = {m["path"]: m for m in doc["models"]}
    assert set(by_path) == {str(folder / name) for name in MODELS}
    for name, case in MODELS.items():
        model = by_path[str(folder / name)]
        assert model["model_format"] == "single-file" and model["name"]
        label = get_case(case)["label"]
        assert {k: model["detection"][k] for k in label} == label
    assert [r["details"]["path"] for r in doc["rejected"]] == [str(folder / "broken.safetensors")]
    assert "not a model file" in doc["rejected"][0]["message"]
    assert not cli.library.exists() and not cli.home.exists()  # inspect creates nothing

    human = cli.run("inspect", str(folder))
    assert human.returncode == 0, str(human)
    for name in MODELS:
        assert str(folder / name) in human.stdout
    assert "3 model(s), 1 not a model" in human.stdout and "broken.safetensors" in human.stdout
    assert "evidence:" not in human.stdout  # compact: one block per model


def test_inspect_of_a_folder_of_junk_only_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "junk"
    write_junk(folder / "a.safetensors")
    write_junk(folder / "b.gguf")
    result = make_cli(tmp_path).run("--json", "inspect", str(folder))
    assert result.returncode == 1, str(result)
    assert result.json()["error"]["code"] == "invalid_model_file"


def test_inspect_of_one_model_keeps_its_output(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    for case in ("lora_sd15_kohya_r32", "sd15_diffusers_folder"):
        target = make_model_file(case, tmp_path / case)
        doc = cli.json("inspect", str(target))
        assert set(doc) == {"ok", "path", "detection"} and doc["path"] == str(target)
        label = get_case(case)["label"]
        assert {k: doc["detection"][k] for k in label} == label
        human = cli.run("inspect", str(target))
        assert "evidence:" in human.stdout and "model(s)" not in human.stdout
