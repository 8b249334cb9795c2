"""Issue 4 in the real UI (Chromium against `tensorshelf serve`): the import dialog's detected
type/base/precision, confidence and "why" evidence; filtering the library by detection
fields; LoRA facts and the imported preview image in the detail panel; "Re-run detection"
in Settings re-files a model (a dry-run job, then the real one)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.e2e_support import UI_INDEX, Served, serving, wait_until
from tests.fixtures.cli_runner import make_cli
from tests.fixtures.detect_files import make_model_file

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201f2a5d6b20000"
    "000049454e44ae426082"
)
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_web")]


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A LyCORIS LoRA (with a `.preview.png` companion), a textual-inversion embedding and a
    pickle upscaler, imported by the CLI."""
    if not UI_INDEX.exists():
        pytest.fail(f"UI not built ({UI_INDEX} missing): run `npm run build`")
    root = tmp_path_factory.mktemp("e2e-detect")
    cli = make_cli(root)
    sources = [
        make_model_file("lycoris_loha_sd15_r8", root / "src" / "lora"),
        make_model_file("embedding_sd1_8vec", root / "src" / "emb"),
        make_model_file("realesrgan_x2plus_pth", root / "src" / "up"),
    ]
    sources[0].with_name(f"{sources[0].stem}.preview.png").write_bytes(PNG_1PX)
    cli.json("import", "--no-lookup", "--accept-pickle", *map(str, sources))
    with serving(cli) as served:
        yield served


def _open(page: Any, shelf: Served) -> Any:
    page.goto(shelf.url)
    rows = page.get_by_test_id("library-row")
    expect(rows).to_have_count(len(shelf.call("list_models")["models"]))
    return rows


def test_import_dialog_shows_the_detection_and_why(
    shelf: Served, page: Any, tmp_path: Path
) -> None:
    source = make_model_file("lycoris_lokr_sdxl_r16", tmp_path)
    _open(page, shelf)
    page.get_by_test_id("import-path-input").fill(str(source))
    page.get_by_test_id("import-path-submit").click()
    item = page.get_by_test_id("import-dialog").get_by_test_id("import-item")
    expect(item).to_have_count(1)
    for text in ("loras", "sdxl", "fp16", "97%"):
        expect(item).to_contain_text(text)
    item.get_by_role("button", name="Why was").click()
    why = page.get_by_test_id("why-popover")
    expect(why).to_be_visible()
    expect(why).to_contain_text("→ sdxl")  # the shape evidence that decided the base
    expect(why).to_contain_text("LoRA rank")
    assert not [p for p in page.problems if "page error" in p], page.problems


def test_library_filters_by_detection_fields_and_shows_lora_facts(shelf: Served, page: Any) -> None:
    rows = _open(page, shelf)
    pickle = page.locator('[data-testid="filter-format"][data-value="pickle"]')
    pickle.click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("RealESRGAN_x2plus")
    pickle.click()  # off again
    page.locator('[data-testid="filter-subtype"][data-value="loras"]').click()
    expect(rows).to_have_count(1)
    rows.first.click()
    facts = page.get_by_test_id("detail-panel").get_by_role("region", name="Model")
    expect(facts).to_contain_text("LoRA rank8")
    expect(facts).to_contain_text("LoRA basesd1")
    preview = page.get_by_test_id("detail-panel").locator("img[data-testid=detail-preview]")
    expect(preview).to_be_visible()
    assert preview.get_attribute("src").startswith("data:image/png;base64,")
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 1  # a real image


def test_rerun_detection_from_settings_refiles_a_misfiled_model(shelf: Served, page: Any) -> None:
    library = shelf.cli.library
    model = next(m for m in shelf.call("list_models")["models"] if m["subtype"] == "embeddings")
    right = model["path"]
    wrong = f"diffusion/sdxl/{Path(right).name}"
    (library / wrong).parent.mkdir(parents=True, exist_ok=True)
    shutil.move(library / right, library / wrong)  # as an older detector would have filed it
    meta_file = library / wrong / "metadata.json"
    raw = json.loads(meta_file.read_text("utf-8"))
    raw.update(path=wrong, family="sdxl", subtype="checkpoints")
    raw["detection"]["detector_version"] = 0
    meta_file.write_text(json.dumps(raw, indent=2), "utf-8")
    shelf.call("scan")

    _open(page, shelf)
    expect(page.locator('[data-testid="filter-family"][data-value="sdxl"]')).to_be_visible()
    page.get_by_test_id("settings-button").click()
    page.get_by_test_id("reclassify-button").click()
    preview = page.get_by_test_id("reclassify-preview")
    expect(preview).to_contain_text(wrong)
    expect(preview).to_contain_text(f"→ {right}")
    expect(preview).to_contain_text("subtype: checkpoints → embeddings")
    assert (library / wrong).is_dir()  # the check moved nothing
    page.get_by_test_id("confirm-yes").click()
    assert wait_until(lambda: (library / right / "metadata.json").is_file())
    assert not (library / wrong).exists()
    page.keyboard.press("Escape")
    expect(page.locator('[data-testid="filter-family"][data-value="sdxl"]')).to_have_count(0)
    shown = shelf.call("get_model", ref=model["id"])["model"]
    assert (shown["id"], shown["path"], shown["family"], shown["subtype"]) == (
        model["id"],
        right,
        "sd1",
        "embeddings",
    )
    reclassify_jobs = [
        (j["title"], j["status"]) for j in shelf.call("list_jobs") if j["kind"] == "reclassify"
    ]
    assert reclassify_jobs == [
        ("Re-classify all models", "done"),
        ("Check the classification of all models", "done"),
    ]
