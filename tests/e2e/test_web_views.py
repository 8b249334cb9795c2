"""The history, statistics and multi-selection views in real Chromium against `tensorshelf
serve` (issue 12): an import batch undone from the window (after a confirmation; sources
untouched), statistics that add up to the library, a bulk tag applied to every model of
"select all", sidebar filters that combine, and every view at 1024×700 with no horizontal
scrollbar. Screenshots of each view go to build/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.e2e_support import Served, metadata_files, screenshot, serving, wait_until
from tests.fixtures.cli_runner import make_cli, tree_snapshot, write_lora

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_web")]

SMALL_VIEWPORT = {"width": 1024, "height": 700}


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Two import batches: three styles, then two portraits."""
    root = tmp_path_factory.mktemp("views")
    cli = make_cli(root)
    styles = [write_lora(root / "styles" / f"Style {i}.safetensors", seed=80 + i) for i in range(3)]
    cli.json("import", "--no-lookup", *map(str, styles))
    portraits = [
        write_lora(root / "portraits" / f"Portrait {i}.safetensors", seed=90 + i) for i in range(2)
    ]
    cli.json("import", "--no-lookup", *map(str, portraits))
    with serving(cli) as served:
        yield served


def _open(page: Any, shelf: Served) -> Any:
    page.goto(shelf.url)
    expect(page.get_by_test_id("library-row").first).to_be_visible()
    return page.get_by_test_id("library-row")


def _no_horizontal_scroll(page: Any) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.scrollWidth > e.clientWidth + 1 &&
                     ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
        .map(e => e.getAttribute('data-testid') || e.tagName)
        .concat(document.documentElement.scrollWidth > innerWidth ? ['page'] : [])""")


def test_statistics_add_up_to_the_library(shelf: Served, page: Any) -> None:
    _open(page, shelf)
    stats = shelf.call("get_stats")
    page.get_by_test_id("view-stats").click()
    expect(page.get_by_test_id("stats-view")).to_be_visible()
    expect(page.get_by_test_id("stat-models")).to_contain_text(str(stats["models"]))
    kinds = page.get_by_label("Disk use by kind").get_by_test_id("usage-row")
    expect(kinds).to_have_count(len(stats["by_kind"]))
    expect(page.get_by_test_id("growth-month")).to_have_count(len(stats["growth"]))
    screenshot(page, "statistics")
    page.get_by_test_id("view-library").click()
    expect(page.get_by_test_id("library-row").first).to_be_visible()
    assert not page.problems, page.problems


def test_bulk_tag_applies_to_every_selected_model(shelf: Served, page: Any) -> None:
    rows = _open(page, shelf)
    total = shelf.call("list_models")["total"]
    page.get_by_test_id("select-all").click()
    panel = page.get_by_test_id("bulk-panel")
    expect(panel.get_by_test_id("bulk-count")).to_have_text(f"{total} models selected")
    screenshot(page, "bulk-selection")
    panel.get_by_test_id("bulk-tag-input").fill("bulk-e2e")
    panel.get_by_test_id("bulk-tag-add").click()
    library = shelf.cli.library
    assert wait_until(lambda: all("bulk-e2e" in m.get("tags", []) for m in metadata_files(library)))
    expect(page.get_by_test_id("filter-tag").filter(has_text="bulk-e2e")).to_contain_text(
        str(total)
    )

    page.get_by_test_id("clear-selection").click()
    expect(panel).to_have_count(0)
    rows.nth(0).click()
    rows.nth(1).click(modifiers=["Control"])
    expect(panel.get_by_test_id("bulk-count")).to_have_text("2 models selected")
    chosen = [rows.nth(i).get_attribute("data-model-id") for i in (0, 1)]
    panel.get_by_role("button", name="5 stars (favourite)").click()
    expect(page.get_by_role("button", name="★ Favorites")).to_contain_text("2")
    favourites = {m["id"] for m in shelf.call("list_models", query={"favorites": True})["models"]}
    assert favourites == set(chosen)
    rows.nth(3).click(modifiers=["Shift"])  # the range from the last clicked row
    expect(panel.get_by_test_id("bulk-count")).to_have_text("3 models selected")
    assert not page.problems, page.problems


def test_sidebar_filters_combine_and_count_exactly(shelf: Served, page: Any) -> None:
    rows = _open(page, shelf)
    page.get_by_test_id("search-input").fill("portrait")
    expect(rows).to_have_count(2)
    small = page.get_by_test_id("filter-size").filter(has_text="Under 500 MB")
    small.click()
    expect(small).to_have_attribute("aria-pressed", "true")
    expect(rows).to_have_count(2)
    page.get_by_test_id("filter-size").filter(has_text="16 GB and over").click()
    expect(page.get_by_test_id("no-results")).to_be_visible()
    page.get_by_test_id("filter-added").filter(has_text="Last 7 days").click()
    page.get_by_test_id("filter-size").filter(has_text="16 GB and over").click()  # off again
    expect(rows).to_have_count(2)
    tiers = page.get_by_test_id("filter-security_tier")
    expect(tiers.first).to_contain_text("2")  # counted for the search, not the library


def test_undo_an_import_from_the_history_view(shelf: Served, page: Any) -> None:
    _open(page, shelf)
    portraits = shelf.cli.home.parent / "portraits"
    before = tree_snapshot(portraits)
    batches = shelf.call("list_history")
    newest = batches[0]
    assert newest["new"] == 2
    page.get_by_test_id("view-history").click()
    cards = page.get_by_test_id("history-batch")
    expect(cards).to_have_count(len(batches))
    expect(cards.first.get_by_test_id("batch-counts")).to_have_text("2 new")
    expect(cards.first).to_contain_text(str(portraits))
    screenshot(page, "import-history")
    cards.first.get_by_test_id("undo-import").click()
    confirm = page.get_by_test_id("confirm-dialog")
    expect(confirm).to_contain_text("Undo this import?")
    assert shelf.call("list_models")["total"] == 5  # asking removed nothing
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_text("Import undone: 2 models removed")).to_be_visible()
    expect(cards.first.get_by_test_id("undo-import")).to_be_disabled()
    left = {m["name"] for m in shelf.call("list_models")["models"]}
    assert not any(name.startswith("Portrait") for name in left) and len(left) == 3
    assert tree_snapshot(portraits) == before  # the sources are untouched
    page.get_by_test_id("view-library").click()
    expect(page.get_by_test_id("library-row")).to_have_count(3)
    assert not page.problems, page.problems


def test_every_view_fits_1024_by_700(shelf: Served, browser: Any) -> None:
    context = browser.new_context(viewport=SMALL_VIEWPORT)
    try:
        page = context.new_page()
        rows = _open(page, shelf)
        rows.first.click()
        expect(page.get_by_test_id("detail-panel")).to_be_visible()
        assert _no_horizontal_scroll(page) == []
        expect(page.get_by_test_id("settings-button")).to_be_in_viewport()
        cut = page.evaluate("""() => [...document.querySelectorAll('[role=columnheader]')]
            .filter(h => h.getBoundingClientRect().width > 0 &&
                         h.getBoundingClientRect().right > innerWidth).map(h => h.textContent)""")
        assert cut == [], f"columns past the window's edge: {cut}"
        page.get_by_test_id("select-all").click()
        expect(page.get_by_test_id("bulk-panel")).to_be_visible()
        assert _no_horizontal_scroll(page) == []
        for view in ("history", "stats"):
            page.get_by_test_id(f"view-{view}").click()
            expect(page.get_by_test_id(f"{view}-view")).to_be_visible()
            assert _no_horizontal_scroll(page) == [], view
    finally:
        context.close()


def test_grid_view_shows_thumbnails(shelf: Served, page: Any, tmp_path: Path) -> None:
    from PIL import Image

    src = tmp_path / "with preview"
    weights = write_lora(src / "Sunset Glow.safetensors", seed=99)
    Image.new("RGB", (1200, 900), "darkorange").save(src / "Sunset Glow.preview.png")
    shelf.cli.json("import", "--no-lookup", str(weights))
    _open(page, shelf)
    page.get_by_test_id("layout-grid").click()
    cards = page.get_by_test_id("library-card")
    expect(cards.first).to_be_visible()
    card = cards.filter(has_text="Sunset Glow")
    thumb = card.get_by_test_id("card-thumbnail")
    expect(thumb).to_be_visible()
    assert thumb.get_attribute("src").startswith("data:image/webp;base64,")
    width = thumb.evaluate("img => img.naturalWidth")
    assert 0 < width <= 256  # a thumbnail, never the full-size preview
    card.click()
    expect(page.get_by_test_id("detail-panel")).to_contain_text("Sunset Glow")
    page.keyboard.press("Escape")
    screenshot(page, "library-grid")
    page.reload()  # the layout is remembered
    expect(page.get_by_test_id("library-card").first).to_be_visible()
    assert not page.problems, page.problems
