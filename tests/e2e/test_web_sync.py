"""Sync in real Chromium: register a (fake) ComfyUI from the Sync dialog (a typed path, what
it is shown first), its first sync links the LoRA, and a user's own file at a target is
shown as a conflict, left alone, and keeps the Sync badge lit; resolving it ("move yours
aside") and Apply run the sync job — the user's file is kept as `.old`, the badge goes out
and the health dot turns green. Then an app's rule is turned off in its Mapping rules and the
preview shows the link to remove before anything changes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.e2e_support import Served, serving
from tests.fixtures.cli_runner import make_cli
from tests.fixtures.detect_files import make_model_file
from tests.integration.mapping.test_cli_sync import fake_comfyui

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_web")]


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path, Path]]:
    root = tmp_path_factory.mktemp("e2e-sync")
    cli = make_cli(root)
    lora = make_model_file("lora_sdxl_kohya_r16_te", root / "src" / "lora")
    vae = make_model_file("sd1_vae_ft_mse_fp32", root / "src" / "vae")
    cli.json("import", "--no-lookup", "--link", str(lora), str(vae))
    comfy = fake_comfyui(root / "ComfyUI")
    (comfy / "models" / "vae" / vae.name).write_bytes(b"the user's own vae")
    with serving(cli) as served:
        yield served, comfy, lora


def test_add_an_app_preview_and_a_conflict_left_alone(synced, page: Any) -> None:
    shelf, comfy, lora = synced
    page.goto(shelf.url)
    page.get_by_test_id("sync-button").click()
    dialog = page.get_by_test_id("sync-dialog")
    expect(dialog).to_contain_text("No app registered yet")
    page.get_by_test_id("app-path").fill(str(comfy))
    page.get_by_test_id("app-path").press("Enter")
    expect(page.get_by_test_id("app-found")).to_contain_text("ComfyUI 0.38.1")
    page.get_by_test_id("add-app").click()
    row = page.get_by_test_id("app-row")
    expect(row).to_contain_text("ComfyUI")
    expect(row).to_contain_text("1 conflicts")
    expect(row).to_contain_text("your file is there")
    expect(page.get_by_test_id("sync-badge")).to_have_text("2")  # 1 to link + 1 conflict
    link = comfy / "models" / "loras" / lora.name
    assert not os.path.lexists(link), "the window previews the first sync before it runs"
    page.get_by_test_id("apply-sync").click()
    expect(page.get_by_text("Sync finished")).to_be_visible()
    assert link.is_symlink() and os.path.realpath(link).startswith(str(shelf.cli.library.resolve()))
    user_vae = next((comfy / "models" / "vae").iterdir())
    assert not user_vae.is_symlink() and user_vae.read_bytes() == b"the user's own vae"
    expect(page.get_by_test_id("sync-badge")).to_have_text("1")  # the conflict stays pending

    row.get_by_test_id("conflict-choice").select_option("replace")
    page.get_by_test_id("apply-sync").click()
    expect(page.get_by_test_id("sync-badge")).to_have_count(0)
    vae_link = comfy / "models" / "vae" / user_vae.name
    assert vae_link.is_symlink()
    aside = vae_link.with_name(vae_link.name + ".old")
    assert aside.read_bytes() == b"the user's own vae", "moved aside, never deleted"
    expect(page.get_by_test_id("health")).to_contain_text("Links healthy")
    expect(page.get_by_test_id("health-badge")).to_have_attribute("data-problems", "0")
    jobs = shelf.cli.json("jobs")["jobs"]
    assert any(j["kind"] == "sync" and j["status"] == "done" for j in jobs)

    row.get_by_test_id("show-rules").click()
    toggle = row.get_by_label("Use the rule loras")
    toggle.click()
    expect(toggle).not_to_be_checked()
    expect(row).to_contain_text("1 to remove")
    assert link.is_symlink(), "editing a rule changes nothing until Apply"
