"""Issue 4 end to end through the real console script: `inspect` of every kind of input,
import filing each major model kind under `<model_type>/<family>/<name>` with its
classification in metadata.json, foreign sidecars, list filters, and `reclassify`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.cli_runner import Cli, make_cli, write_junk, write_lora
from tests.fixtures.detect_files import get_case, make_model_file

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cli_detection")]

# case → (library dir prefix, subtype, precision, detection format). One per major kind;
# the small real-shaped ones (the GGUF LLM is sparse and imported with --move: no copy).
KINDS: dict[str, tuple[str, str, str, str]] = {
    "sd15_ckpt_torch_zip": ("diffusion/sd1", "checkpoints", "fp16", "pickle"),
    "lycoris_lokr_sdxl_r16": ("diffusion/sdxl", "loras", "fp16", "safetensors"),
    "sd1_vae_ft_mse_fp32": ("diffusion/sd1", "vae", "fp32", "safetensors"),
    "clip_l_fp16": ("diffusion/clip_l", "text_encoders", "fp16", "safetensors"),
    "controlnet_sd15_canny_fp16": ("diffusion/sd1", "controlnet", "fp16", "safetensors"),
    "embedding_sd1_8vec": ("diffusion/sd1", "embeddings", "fp32", "safetensors"),
    "realesrgan_x2plus_pth": ("other/esrgan", "upscale_models", "fp32", "pickle"),
    "phi3_mini_4k_q4_k_m": ("llm/phi3", "llm", "q4_k_m", "gguf"),
}
DETECTION_KEYS = {
    "format",
    "model_type",
    "subtype",
    "family",
    "precision",
    "confidence",
    "evidence",
}
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201f2a5d6b20000"
    "000049454e44ae426082"
)


class Shelf:
    def __init__(self, root: Path) -> None:
        self.cli: Cli = make_cli(root)
        self.sources = {case: make_model_file(case, root / "src" / case) for case in KINDS}
        doc = self.cli.json(
            "import", "--move", "--no-lookup", "--accept-pickle", *map(str, self.sources.values())
        )
        by_key = {r["key"]: r for r in doc["results"]}
        self.results = {case: by_key[str(src)] for case, src in self.sources.items()}

    def meta(self, rel: str) -> dict[str, Any]:
        return json.loads((self.cli.library / rel / "metadata.json").read_text("utf-8"))

    def ids(self, *args: str) -> set[str]:
        return {m["id"] for m in self.cli.json("list", *args)["models"]}


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Shelf:
    return Shelf(tmp_path_factory.mktemp("detection"))


@pytest.mark.parametrize("case", list(KINDS))
def test_import_files_each_kind_by_its_header(shelf: Shelf, case: str) -> None:
    prefix, subtype, precision, fmt = KINDS[case]
    label = get_case(case)["label"]
    result = shelf.results[case]
    assert result["ok"] is True, result
    assert result["path"].startswith(prefix + "/"), result["path"]
    meta = shelf.meta(result["path"])
    assert meta["path"] == result["path"] and meta["id"] == result["id"]
    assert (meta["model_type"], meta["subtype"], meta["family"], meta["precision"]) == (
        label["model_type"],
        subtype,
        label["family"],
        precision,
    )
    detection = meta["detection"]
    assert detection["detector_version"] >= 1 and detection["evidence"]
    assert detection["format"] == fmt
    shown = shelf.cli.json("show", result["id"])["model"]
    assert (shown["subtype"], shown["family"]) == (subtype, label["family"])


def test_list_filters_by_every_detection_field(shelf: Shelf) -> None:
    r = shelf.results
    assert shelf.ids("--subtype", "loras") == {r["lycoris_lokr_sdxl_r16"]["id"]}
    assert shelf.ids("--type", "llm") == {r["phi3_mini_4k_q4_k_m"]["id"]}
    assert shelf.ids("--precision", "q4_k_m") == {r["phi3_mini_4k_q4_k_m"]["id"]}
    assert shelf.ids("--format", "gguf") == {r["phi3_mini_4k_q4_k_m"]["id"]}
    assert shelf.ids("--format", "pickle") == {
        r["sd15_ckpt_torch_zip"]["id"],
        r["realesrgan_x2plus_pth"]["id"],
    }
    assert shelf.ids("--family", "sd1", "--precision", "fp32") == {
        r["sd1_vae_ft_mse_fp32"]["id"],
        r["embedding_sd1_8vec"]["id"],
    }


def test_inspect_json_of_an_imported_gguf_carries_llm_facts(shelf: Shelf) -> None:
    rel = shelf.results["phi3_mini_4k_q4_k_m"]["path"]
    weight = shelf.cli.library / rel / "Phi-3-mini-4k-instruct-q4.gguf"
    doc = shelf.cli.json("inspect", str(weight))
    assert doc["ok"] is True and set(doc["detection"]) >= DETECTION_KEYS
    assert doc["detection"]["context_length"] == 4096
    assert doc["detection"]["quantization"] == "q4_k_m"


def _misfile(shelf: Shelf, case: str, family: str, subtype: str) -> tuple[str, str]:
    """Make a model look like an older detector filed it wrongly (dir and metadata.json)."""
    result = shelf.results[case]
    old_dir = shelf.cli.library / result["path"]
    wrong = f"diffusion/{family}/{old_dir.name}"
    (shelf.cli.library / wrong).parent.mkdir(parents=True, exist_ok=True)
    shutil.move(old_dir, shelf.cli.library / wrong)
    meta_file = shelf.cli.library / wrong / "metadata.json"
    raw = json.loads(meta_file.read_text("utf-8"))
    raw.update(path=wrong, family=family, subtype=subtype)
    raw["detection"]["detector_version"] = 0
    meta_file.write_text(json.dumps(raw, indent=2), "utf-8")
    assert shelf.cli.json("scan")["updated"]
    return result["id"], wrong


def test_reclassify_dry_run_then_refile_keeps_id_and_user_choices(shelf: Shelf) -> None:
    case = "controlnet_sd15_canny_fp16"
    right = shelf.results[case]["path"]
    model_id, wrong = _misfile(shelf, case, "sdxl", "checkpoints")
    assert shelf.ids("--family", "sdxl", "--subtype", "checkpoints") == {model_id}

    dry = shelf.cli.json("reclassify", "--all", "--dry-run")
    assert dry["job_id"]  # it ran as a job (progress, cancel), and the job says so
    (change,) = dry["changed"]
    assert (change["id"], change["old_path"], change["new_path"]) == (model_id, wrong, right)
    assert change["changes"] == {
        "subtype": ["checkpoints", "controlnet"],
        "family": ["sdxl", "sd1"],
    }
    assert (shelf.cli.library / wrong).is_dir() and not (shelf.cli.library / right).exists()

    human = shelf.cli.run("reclassify", model_id)
    assert human.returncode == 0, str(human)
    assert f"{wrong} → {right}" in human.stdout
    assert f"[1/1] re-classified {wrong} -> {right}" in human.stderr  # per-model progress
    jobs = shelf.cli.json("jobs")["jobs"]
    assert [j["title"] for j in jobs if j["kind"] == "reclassify"][:2] == [
        "Re-classify 1 model",
        "Check the classification of all models",
    ]
    assert not (shelf.cli.library / wrong).exists()
    shown = shelf.cli.json("show", model_id)["model"]
    assert (shown["id"], shown["path"], shown["family"], shown["subtype"]) == (
        model_id,
        right,
        "sd1",
        "controlnet",
    )
    assert shown["detection"]["detector_version"] >= 1
    assert shelf.ids("--subtype", "controlnet") == {model_id}

    shelf.cli.json("edit", model_id, "--family", "my-sd15", "--force")
    assert shelf.cli.json("reclassify", "--all")["changed"] == []
    shown = shelf.cli.json("show", model_id)["model"]
    assert shown["family"] == "my-sd15" and "family" in shown["user_overrides"]
    assert shown["path"].startswith("diffusion/my-sd15/")


def test_reclassify_of_an_unknown_model_is_exit_1(shelf: Shelf) -> None:
    result = shelf.cli.run("--json", "reclassify", "--dry-run", "zzzz-no-such-model")
    assert result.returncode == 1, str(result)
    assert result.json()["error"]["code"] == "model_not_found"


def test_reclassify_reports_an_unreadable_model_and_exits_1(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    good = write_lora(tmp_path / "src" / "good.safetensors", seed=3)
    bad = write_lora(tmp_path / "src" / "bad.safetensors", seed=4)
    doc = cli.json("import", "--no-lookup", str(good), str(bad))
    bad_result = next(r for r in doc["results"] if r["key"] == str(bad))
    write_junk(cli.library / bad_result["path"] / "bad.safetensors")  # the library copy rots

    result = cli.run("reclassify", "--all")
    assert result.returncode == 1, str(result)
    assert f"error {bad_result['id']}:" in result.stdout  # names the model, not "?"
    assert "1 unchanged" in result.stdout  # the others were still checked
    doc = cli.json("reclassify", "--all", expect=1)
    assert doc["ok"] is False and doc["error"]["code"] == "reclassify_failed"
    assert doc["error"]["details"]["failed"] == [bad_result["id"]]


@pytest.mark.parametrize(
    "case",
    [
        "qwen25_3b_index_json",
        "mistral_7b_v03_shard1",
        "sd15_diffusers_folder",
        "qwen25_05b_transformers_folder",
    ],
)
def test_inspect_sets_and_folders(tmp_path: Path, case: str) -> None:
    target = make_model_file(case, tmp_path)
    doc = make_cli(tmp_path).json("inspect", str(target))
    label = get_case(case)["label"]
    assert doc["ok"] is True and set(doc["detection"]) >= DETECTION_KEYS
    assert {k: doc["detection"][k] for k in label} == label


def test_inspect_refuses_garbage_and_empty_folders(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(bytes(range(256)) * 16)
    empty = tmp_path / "empty"
    empty.mkdir()
    for target in (garbage, empty):
        result = cli.run("--json", "inspect", str(target))
        assert result.returncode == 1, str(result)
        assert "Traceback" not in result.stderr and target.name in result.stderr
        assert result.json()["error"]["code"] == "invalid_model_file"
    assert not cli.library.exists()  # inspect creates no library


def test_import_reads_foreign_sidecars_and_copies_the_preview(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    src = tmp_path / "src"
    civ = write_lora(src / "detail.safetensors", seed=7)
    (src / "detail.civitai.info").write_text(
        json.dumps(
            {
                "baseModel": "SD 1.5",
                "trainedWords": ["add_detail", "sharp, crisp"],
                "description": "More detail",
                "model": {"name": "Add More Details", "type": "LORA"},
            }
        )
    )
    (src / "detail.preview.png").write_bytes(PNG_1PX)
    cm = write_lora(src / "cm" / "styled.safetensors", seed=8)
    (src / "cm" / "styled.cm-info.json").write_text(
        json.dumps(
            {
                "ModelName": "Styled",
                "BaseModel": "SDXL 1.0",
                "TrainedWords": ["stylz"],
                "ModelDescription": "from Stability Matrix",
            }
        )
    )
    doc = cli.json("import", "--no-lookup", str(civ), str(cm))
    by_key = {r["key"]: r for r in doc["results"]}

    rel = by_key[str(civ)]["path"]
    meta = json.loads((cli.library / rel / "metadata.json").read_text("utf-8"))
    assert (meta["base_model"], meta["description"]) == ("sd1", "More detail")
    assert meta["detection"]["foreign"]["base_model_raw"] == "SD 1.5"
    assert meta["trigger_words"] == ["add_detail", "sharp", "crisp"]
    assert meta["preview_image"] == "detail.preview.png"
    assert (cli.library / rel / "detail.preview.png").read_bytes() == PNG_1PX
    roles = {f["path"]: f["role"] for f in meta["files"]}
    assert roles == {
        "detail.safetensors": "weights",
        "detail.civitai.info": "companion",
        "detail.preview.png": "preview",
    }

    meta = json.loads((cli.library / by_key[str(cm)]["path"] / "metadata.json").read_text())
    assert (meta["base_model"], meta["trigger_words"], meta["description"]) == (
        "sdxl",
        ["stylz"],
        "from Stability Matrix",
    )


def test_edit_family_takes_aliases_and_refuses_a_typo_without_force(tmp_path: Path) -> None:
    """`edit --family "SD 1.5"` files under sd1 (the vocabulary's id); "sdxxl" is refused
    with a clear error and nothing moves, unless --force."""
    from tests.fixtures.cli_runner import make_cli, write_lora

    cli = make_cli(tmp_path)
    lora = write_lora(tmp_path / "src" / "ink.safetensors", seed=3)
    (item,) = cli.json("import", "--no-lookup", str(lora))["results"]
    before = cli.json("show", item["id"])["model"]["path"]

    moved = cli.json("edit", item["id"], "--family", "SD 1.5")["model"]
    assert moved["family"] == "sd1" and moved["path"].startswith("diffusion/sd1/")
    refused = cli.run("--json", "edit", item["id"], "--family", "sdxxl")
    assert refused.returncode == 1
    error = refused.json()["error"]
    assert error["code"] == "unknown_family" and "--force" in error["message"]
    assert cli.json("show", item["id"])["model"]["family"] == "sd1", "nothing changed"
    forced = cli.json("edit", item["id"], "--family", "sdxxl", "--force")["model"]
    assert forced["family"] == "sdxxl" and forced["path"] != before
