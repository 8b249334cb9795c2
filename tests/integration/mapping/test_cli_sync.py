"""Linking through the real CLI: `apps add` registers a fake ComfyUI (its real folder names
and version file) and an LM Studio models folder and runs their first sync; each detected
kind lands in its folder as a relative symlink (a diffusers folder as one directory link, the
LLM only in LM Studio as <publisher>/<repo>/<file>); a second sync changes nothing; an import
is linked with no further step; a re-file re-points its link; rm cascades; and a user's own
file or a foreign link at a target is never touched by sync, rm or apps rm."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fixtures.cli_runner import Cli, make_cli
from tests.fixtures.detect_files import make_model_file

CASES = {  # the smaller cases of each kind: they are sparse, but hashed in full
    "sd15_merge_fp16": "checkpoints",
    "lora_sdxl_kohya_r16_te": "loras",
    "sd1_vae_ft_mse_fp32": "vae",
    "clip_l_fp16": "text_encoders",
    "sdxl_unet_gguf_q8_0": "diffusion_models",
    "controlnet_sd15_canny_fp16": "controlnet",
    "esrgan_realesrgan_x4plus": "upscale_models",
    "embedding_sd1_8vec": "embeddings",
    "sd15_diffusers_folder": "diffusers",
}
LLM_CASE = "phi3_mini_4k_q4_k_m"


def fake_comfyui(root: Path) -> Path:
    (root / "comfy").mkdir(parents=True)
    (root / "main.py").write_text("# ComfyUI\n")
    (root / "comfyui_version.py").write_text('__version__ = "0.38.1"\n')
    for folder in ("checkpoints", "loras", "vae", "text_encoders", "diffusion_models"):
        (root / "models" / folder).mkdir(parents=True)
    return root


def _snapshot(path: Path) -> tuple[int, int, bytes | str]:
    st = os.lstat(path)
    content = os.readlink(path) if path.is_symlink() else path.read_bytes()
    return st.st_ino, st.st_mtime_ns, content


# one worker builds it once for the module (its multi-GB sparse files take ~30 s to hash)
pytestmark = pytest.mark.xdist_group("cli_sync")


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, dict[str, Path]]:
    """One library of every kind for the module (hard-linked in: no multi-GB copies); each
    test registers apps of its own."""
    root = tmp_path_factory.mktemp("mapping")
    cli = make_cli(root)
    sources = {case: make_model_file(case, root / "src" / case) for case in [*CASES, LLM_CASE]}
    result = cli.json("import", "--no-lookup", "--link", *(str(p) for p in sources.values()))
    assert all(r["ok"] for r in result["results"]), result
    return cli, sources


@pytest.fixture
def world(library, tmp_path: Path) -> tuple[Cli, dict[str, Path], Path, Path]:
    cli, sources = library
    comfy = fake_comfyui(tmp_path / "ComfyUI")
    lms = tmp_path / "lmstudio-models"
    lms.mkdir()
    return cli, sources, comfy, lms


def _links(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_symlink())


def test_every_kind_lands_in_its_folder_and_a_second_sync_is_a_no_op(world) -> None:
    cli, sources, comfy, lms = world
    added = cli.json("apps", "add", str(comfy))
    assert added["app"]["kind"] == "comfyui" and added["app"]["version"] == "0.38.1"
    assert added["sync"][0]["created"] == len(CASES)
    app_id = added["app"]["id"]
    cli.json("apps", "add", "--kind", "lmstudio", str(lms))
    models = comfy / "models"
    library = cli.library.resolve()
    for case, folder in CASES.items():
        name = sources[case].name
        link = models / folder / name
        assert link.is_symlink(), f"{case} not linked into {folder}: {_links(models)}"
        assert not os.readlink(link).startswith("/"), "same filesystem: a relative link"
        assert os.path.realpath(link).startswith(str(library))
    diffusers = models / "diffusers" / sources["sd15_diffusers_folder"].name
    assert diffusers.is_symlink() and diffusers.is_dir()  # one directory link
    assert not any(LLM_CASE in str(p) for p in _links(models)), "LLMs stay out of ComfyUI"
    (llm_link,) = _links(lms)
    assert llm_link.name == sources[LLM_CASE].name
    assert len(llm_link.relative_to(lms).parts) == 3  # <publisher>/<repo>/<file>

    before = {p: _snapshot(p) for p in _links(models)}
    second = cli.json("sync")
    assert {r["created"] for r in second["results"]} == {0}
    assert {p: _snapshot(p) for p in _links(models)} == before  # nothing rewritten
    plan = cli.json("sync", "--dry-run", app_id)["plan"]
    assert plan["to_create"] == [] and plan["already_ok"] == len(CASES)


def test_import_refile_and_rm_follow_without_a_manual_sync(world, tmp_path: Path) -> None:
    cli, sources, comfy, _lms = world
    app_id = cli.json("apps", "add", str(comfy))["app"]["id"]
    loras = comfy / "models" / "loras"
    extra = make_model_file("lora_flux_peft_r16", tmp_path / "later")
    (new,) = cli.json("import", "--no-lookup", str(extra))["results"]
    link = loras / extra.name
    assert link.is_symlink() and os.path.realpath(link).startswith(str(cli.library.resolve()))

    cli.json("edit", new["id"], "--family", "my-flux", "--force")  # re-filed: the link follows
    assert link.is_symlink() and link.exists(), "the link must follow the re-file"
    assert "my-flux" in os.readlink(link)

    cli.json("rm", "--yes", new["id"])
    assert not os.path.lexists(link)
    assert cli.json("sync", "--dry-run", app_id)["plan"]["to_remove"] == []


def test_a_users_file_and_a_foreign_link_are_never_touched(world, tmp_path: Path) -> None:
    cli, sources, comfy, _lms = world
    models = comfy / "models"
    user_file = models / "loras" / sources["lora_sdxl_kohya_r16_te"].name
    user_file.write_bytes(b"my own lora, not Tensorshelf's")
    elsewhere = tmp_path / "elsewhere.safetensors"
    elsewhere.write_bytes(b"x")
    foreign = models / "vae" / sources["sd1_vae_ft_mse_fp32"].name
    foreign.symlink_to(elsewhere)
    protected = {p: _snapshot(p) for p in (user_file, foreign)}

    added = cli.json("apps", "add", str(comfy))
    app_id = added["app"]["id"]
    assert added["sync"][0]["conflicts"] == 2
    plan = cli.json("sync", "--dry-run", app_id)["plan"]
    reasons = sorted(c["reason"] for c in plan["conflicts"])
    assert reasons == ["foreign_link", "user_file"]
    cli.json("sync", app_id)
    lora_id = next(m["id"] for m in cli.json("list")["models"] if m["subtype"] == "loras")
    cli.json("rm", "--yes", lora_id)
    cli.json("apps", "rm", "--yes", app_id)
    assert {p: _snapshot(p) for p in (user_file, foreign)} == protected
    assert _links(models) == [foreign], "apps rm removes exactly the links we made"
    assert elsewhere.read_bytes() == b"x"


def test_conflicts_can_be_resolved_by_rename_or_replace_and_nothing_is_deleted(world) -> None:
    cli, sources, comfy, _lms = world
    models = comfy / "models"
    lora_name = sources["clip_l_fp16"].name  # (another test removes the LoRA model)
    vae_name = sources["sd1_vae_ft_mse_fp32"].name
    (models / "text_encoders" / lora_name).write_bytes(b"mine (lora)")
    (models / "vae" / vae_name).write_bytes(b"mine (vae)")
    app_id = cli.json("apps", "add", str(comfy))["app"]["id"]
    result = cli.json(
        "sync",
        app_id,
        "--resolve",
        f"text_encoders/{lora_name}=rename",
        "--resolve",
        f"{app_id}:vae/{vae_name}=replace",
    )
    assert result["results"][0]["conflicts"] == 0
    assert (models / "text_encoders" / lora_name).read_bytes() == b"mine (lora)"  # kept as is
    stem, ext = os.path.splitext(lora_name)
    assert (models / "text_encoders" / f"{stem} (2){ext}").is_symlink()
    assert (models / "vae" / f"{vae_name}.old").read_bytes() == b"mine (vae)"  # moved aside
    assert (models / "vae" / vae_name).is_symlink()
    again = cli.json("sync", "--dry-run", app_id)["plan"]
    assert again["conflicts"] == [] or all(
        c["target"] != f"vae/{vae_name}" for c in again["conflicts"]
    )
