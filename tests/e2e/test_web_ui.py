"""The real UI in real Chromium against `tensorshelf serve` on a temp library (issue 3,
"Tests"). Screenshots of the main screens go to build/screenshots/ (scripts/screenshots
refreshes docs/screenshots/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.e2e_support import Served, metadata_files, screenshot, wait_until
from tests.fixtures.cli_runner import write_lora
from tests.fixtures.detect_files import make_model_file

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_web")]

BIG_IMPORT_BYTES = 768 * 1024 * 1024  # sparse: long enough for progress to be visible
IMPORT_TIMEOUT_MS = 90_000


def _open(page: Any, shelf: Served) -> Any:
    page.goto(shelf.url)
    expect(page.get_by_test_id("library-row").first).to_be_visible()
    return page.get_by_test_id("library-row")


def _names(shelf: Served) -> list[str]:
    return [m["name"] for m in shelf.call("list_models")["models"]]


def test_library_shows_models_imported_via_cli(shelf: Served, page: Any) -> None:
    rows = _open(page, shelf)
    names = _names(shelf)
    expect(rows).to_have_count(len(names))
    expect(rows.first).to_contain_text(names[0])
    assert not page.problems, page.problems


def test_requests_without_the_token_are_refused(shelf: Served, page: Any) -> None:
    page.goto(shelf.base_url + "/")  # the UI itself loads without a token …
    status = page.evaluate("""async () => {
        const call = await fetch('/api/call/get_status', {method: 'POST', body: '{}'});
        const wrong = await fetch('/api/call/get_status', {method: 'POST', body: '{}',
            headers: {Authorization: 'Bearer not-the-token'}});
        const events = await fetch('/api/events');
        return [call.status, wrong.status, events.status];
    }""")
    assert status == [401, 401, 401]  # … but the API refuses it
    direct = httpx.post(
        f"{shelf.base_url}/api/call/delete_models",
        json={"refs": [shelf.call("list_models")["models"][0]["id"]]},
    )
    assert direct.status_code == 401
    assert len(_names(shelf)) >= 1


def test_import_through_the_dialog(shelf: Served, page: Any, tmp_path: Path) -> None:
    source = write_lora(
        tmp_path / "drop zone" / "Détail Tweaker XL.safetensors",
        seed=23,
        total_size=BIG_IMPORT_BYTES,
    )
    rows = _open(page, shelf)
    before = rows.count()
    page.evaluate("window.__e2eNoReload = true")

    page.get_by_test_id("import-path-input").fill(str(source))
    page.get_by_test_id("import-path-submit").click()
    dialog = page.get_by_test_id("import-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("import-item")).to_have_count(1)

    page.get_by_test_id("import-start").click()
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    expect(page.get_by_test_id("import-summary")).to_be_visible(timeout=IMPORT_TIMEOUT_MS)
    page.get_by_test_id("import-done").click()

    expect(rows).to_have_count(before + 1)  # pushed by events, no reload
    assert page.evaluate("window.__e2eNoReload") is True
    assert source.exists()  # copy mode: the user's file is untouched
    assert any(m["name"].startswith("Détail Tweaker") for m in shelf.call("list_models")["models"])


def test_the_dialog_imports_exactly_what_was_reviewed(
    shelf: Served, page: Any, tmp_path: Path
) -> None:
    """Review changes a per-model choice (one model left out, move mode): the import applies
    exactly that, and a file that appears in the folder after the review is not imported."""
    folder = tmp_path / "review me"
    keep = write_lora(folder / "Keep Me Lora.safetensors", seed=51)
    skip = write_lora(folder / "Skip Me Lora.safetensors", seed=52)
    rows = _open(page, shelf)
    before = rows.count()
    page.get_by_test_id("import-path-input").fill(str(folder))
    page.get_by_test_id("import-path-submit").click()
    dialog = page.get_by_test_id("import-dialog")
    expect(dialog.get_by_test_id("import-item")).to_have_count(2)
    late = write_lora(folder / "Late Arrival Lora.safetensors", seed=53)  # after the review
    dialog.get_by_role("checkbox", name="Import Skip Me Lora").uncheck()
    page.get_by_test_id("import-mode-move").click()
    page.get_by_test_id("import-start").click()
    expect(page.get_by_test_id("import-summary")).to_be_visible(timeout=IMPORT_TIMEOUT_MS)
    page.get_by_test_id("import-done").click()

    expect(rows).to_have_count(before + 1)
    names = {m["name"] for m in shelf.call("list_models", query={"limit": 500})["models"]}
    assert "Keep Me Lora" in names
    assert not {"Skip Me Lora", "Late Arrival Lora"} & names
    assert not keep.exists()  # moved, as chosen in review
    assert skip.exists() and late.exists()  # left where they were


def test_editing_a_tag_persists_to_metadata_json(shelf: Served, page: Any) -> None:
    rows = _open(page, shelf)
    rows.first.click()
    panel = page.get_by_test_id("detail-panel")
    expect(panel).to_be_visible()
    page.get_by_test_id("tag-input").fill("e2e-favourite")
    page.get_by_test_id("tag-add").click()
    expect(panel.get_by_test_id("tag-chip").filter(has_text="e2e-favourite")).to_be_visible()
    library = shelf.cli.library
    assert wait_until(
        lambda: any("e2e-favourite" in m.get("tags", []) for m in metadata_files(library))
    )


def test_deleting_asks_for_confirmation(shelf: Served, page: Any, tmp_path: Path) -> None:
    victim = write_lora(tmp_path / "Delete Me Lora.safetensors", seed=31)
    shelf.cli.json("import", str(victim), "--no-lookup", "--name", "Zz Delete Me")
    rows = _open(page, shelf)
    target = rows.filter(has_text="Zz Delete Me")
    expect(target).to_have_count(1)  # an import by another process shows up too
    count = rows.count()
    model = next(m for m in shelf.call("list_models")["models"] if m["name"] == "Zz Delete Me")
    model_dir = Path(shelf.call("get_model", ref=model["id"])["library_dir"])

    target.click()
    page.get_by_test_id("delete-button").click()
    confirm = page.get_by_test_id("confirm-dialog")
    expect(confirm).to_be_visible()
    assert model_dir.is_dir()  # asking deletes nothing
    page.get_by_test_id("confirm-yes").click()
    expect(rows).to_have_count(count - 1)
    expect(page.get_by_test_id("library-row").filter(has_text="Zz Delete Me")).to_have_count(0)
    assert wait_until(lambda: not model_dir.exists())
    assert victim.exists()


def test_an_import_made_by_another_process_appears_by_itself(
    shelf: Served, page: Any, tmp_path: Path
) -> None:
    """A CLI import in another process bumps the library's generation file; the server's
    watch pushes `library.changed` and the row appears — no Refresh, no reload, no polling
    (scripts/bench measures the latency against its 1 s target)."""
    rows = _open(page, shelf)
    page.evaluate("window.__e2eNoReload = true")
    source = write_lora(tmp_path / "Terminal Import.safetensors", seed=57)
    shelf.cli.json("import", str(source), "--no-lookup", "--name", "Zz From The Terminal")
    expect(rows.filter(has_text="Zz From The Terminal")).to_have_count(1, timeout=5_000)
    assert page.evaluate("window.__e2eNoReload") is True


def test_idle_ui_makes_no_requests_and_listens_on_sse(shelf: Served, page: Any) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _open(page, shelf)
    page.wait_for_load_state("networkidle")
    assert any("/api/events?token=" in url for url in requests)  # events come by SSE
    seen = len(requests)
    page.wait_for_timeout(2500)  # idle: no timer may fetch anything
    assert requests[seen:] == []


def test_type_column_is_not_cut_off_with_the_detail_panel_open(
    shelf: Served, page: Any, tmp_path: Path
) -> None:
    embedding = make_model_file("embedding_sd1_8vec", tmp_path / "embedding")
    shelf.cli.json("import", str(embedding), "--no-lookup")
    rows = _open(page, shelf)  # 1280 x 800
    rows.first.click()
    expect(page.get_by_test_id("detail-panel")).to_be_visible()
    cut = page.evaluate("""() => [...document.querySelectorAll('[data-testid=library-row]')]
        .map(r => r.querySelectorAll('[role=gridcell]')[1])
        .filter(c => c.scrollWidth > c.clientWidth).map(c => c.textContent)""")
    assert cut == [], f"Type cells cut off with the detail panel open: {cut}"


def test_keyboard_moves_through_the_list_and_the_detail(
    shelf: Served, page: Any, tmp_path: Path
) -> None:
    """Search ↓ enters the list, arrows move, Enter opens the detail, Esc closes it and gives
    focus back to the row."""
    for i, name in enumerate(("Keyboard One", "Keyboard Two")):  # its own two, whatever ran
        shelf.cli.json("import", str(write_lora(tmp_path / f"{name}.safetensors", seed=60 + i)))
    rows = _open(page, shelf)
    expect(rows.nth(1)).to_be_visible()
    page.get_by_test_id("search-input").focus()
    page.keyboard.press("ArrowDown")
    expect(rows.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(rows.nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    panel = page.get_by_test_id("detail-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", level=2)).to_have_text(
        rows.nth(1).get_by_role("gridcell").first.inner_text()
    )
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(rows.nth(1)).to_be_focused()


@pytest.mark.parametrize("page", ["light", "dark"], indirect=True)
def test_screenshots_of_the_main_screens(shelf: Served, page: Any, tmp_path: Path) -> None:
    incoming = tmp_path / "new models"
    write_lora(incoming / "Neon Punk.safetensors", seed=41)
    write_lora(incoming / "Watercolor Wash.safetensors", seed=42)
    scheme = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    name = "dark" if scheme else "light"
    rows = _open(page, shelf)
    screenshot(page, f"library-{name}")
    rows.first.click()
    expect(page.get_by_test_id("detail-panel")).to_be_visible()
    screenshot(page, f"detail-panel-{name}")
    page.keyboard.press("Escape")
    page.get_by_test_id("jobs-button").click()
    expect(page.get_by_test_id("jobs-panel")).to_be_visible()
    screenshot(page, f"jobs-panel-{name}")
    page.keyboard.press("Escape")
    page.get_by_test_id("import-path-input").fill(str(incoming))
    page.get_by_test_id("import-path-submit").click()
    expect(page.get_by_test_id("import-dialog")).to_be_visible()
    screenshot(page, f"import-dialog-{name}")
    assert not [p for p in page.problems if "page error" in p], page.problems
