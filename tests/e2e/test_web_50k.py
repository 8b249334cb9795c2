"""The window at 50,000 generated models, in real Chromium against `tensorshelf serve`
(issue 12 "Tests"): search narrows as you type, filters combine and their totals and facet
counts are exact (checked against the API), a bulk tag reaches every selected model's
metadata.json, a collection survives `rebuild`, and an import batch is undone from the
history view. (Timings at this size are measured by scripts/bench, not asserted here.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tensorshelf.library.layout import ensure_library
from tests.e2e.e2e_support import Served, metadata_files, serving, wait_until
from tests.fixtures.cli_runner import make_cli, write_lora
from tests.fixtures.library_factory import build_library

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_50k"), pytest.mark.timeout(900)]

MODELS = 50_000
BIG_TIMEOUT_MS = 30_000


# session-scoped: the group's tests run on one worker but may be interleaved with other
# modules', and a module fixture would be built again (80 s) after each interruption
@pytest.fixture(scope="session")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("fifty-thousand")
    cli = make_cli(root)
    build_library(cli.library, MODELS, seed=4)
    ensure_library(cli.library)
    cli.json("rebuild", timeout=600)
    with serving(cli) as served:
        yield served


def _count(page: Any) -> Any:
    return page.get_by_test_id("model-count")


def _shows(total: int) -> re.Pattern[str]:
    return re.compile(rf"^{total:,} models?$")


def _open(page: Any, shelf: Served) -> None:
    page.set_default_timeout(BIG_TIMEOUT_MS)
    page.goto(shelf.url)
    expect(_count(page)).to_have_text(_shows(MODELS))


def _total(shelf: Served, **query: Any) -> int:
    return shelf.call("list_models", query={**query, "limit": 1})["total"]


def test_search_narrows_as_you_type_and_totals_are_exact(shelf: Served, page: Any) -> None:
    _open(page, shelf)
    box = page.get_by_test_id("search-input")
    seen = []
    for text in ("p", "pi", "pix", "pixel"):
        box.fill(text)
        expected = _total(shelf, text=text, sort="relevance")
        expect(_count(page)).to_have_text(_shows(expected))
        seen.append(expected)
    assert seen == sorted(seen, reverse=True) and seen[-1] < MODELS
    first = page.get_by_test_id("library-row").first
    expect(first.locator("mark").first).to_have_text(re.compile("pixel", re.I))


def test_filters_combine_with_exact_counts(shelf: Served, page: Any) -> None:
    _open(page, shelf)
    facets = shelf.call("get_facets")
    family = max(facets["family"], key=facets["family"].get)
    button = page.get_by_test_id("filter-family").and_(page.locator(f'[data-value="{family}"]'))
    expect(button).to_contain_text(f"{facets['family'][family]}")
    button.click()
    expect(_count(page)).to_have_text(_shows(_total(shelf, family=family)))
    sub = shelf.call("get_facets", query={"family": family})
    kind = max(sub["subtype"], key=sub["subtype"].get)
    kind_button = page.get_by_test_id("filter-subtype").and_(page.locator(f'[data-value="{kind}"]'))
    expect(kind_button).to_contain_text(str(sub["subtype"][kind]))  # counted for the family
    kind_button.click()
    both = _total(shelf, family=family, subtype=kind)
    assert both == sub["subtype"][kind]
    expect(_count(page)).to_have_text(_shows(both))
    page.get_by_test_id("filter-size").filter(has_text="Under 500 MB").click()
    expect(_count(page)).to_have_text(
        _shows(_total(shelf, family=family, subtype=kind, size_max=500 * 1024 * 1024 - 1))
    )


def test_bulk_tag_and_a_collection_that_survives_rebuild(shelf: Served, page: Any) -> None:
    _open(page, shelf)
    page.get_by_test_id("search-input").fill("trigger1234")
    chosen = shelf.call("list_model_ids", query={"text": "trigger1234"})
    assert 1 <= len(chosen) < 100
    expect(_count(page)).to_have_text(_shows(len(chosen)))
    page.get_by_test_id("select-all").click()
    panel = page.get_by_test_id("bulk-panel")
    expect(panel.get_by_test_id("bulk-count")).to_contain_text(f"{len(chosen)} model")
    panel.get_by_test_id("bulk-tag-input").fill("fifty-k")
    panel.get_by_test_id("bulk-tag-add").click()
    panel.get_by_test_id("bulk-collection-input").fill("Big Library Picks")
    panel.get_by_test_id("bulk-collection-add").click()
    library = shelf.cli.library
    assert wait_until(
        lambda: (
            {
                m["id"]
                for m in metadata_files(library)
                if "fifty-k" in m.get("tags", [])
                and "Big Library Picks" in m.get("collections", [])
            }
            == set(chosen)
        ),
        timeout_s=60,
    )
    shelf.cli.json("rebuild", timeout=600)  # the index is rebuilt from metadata.json alone
    assert set(shelf.call("list_model_ids", query={"collection": "Big Library Picks"})) == set(
        chosen
    )
    page.reload()
    expect(page.get_by_test_id("filter-collection")).to_contain_text(str(len(chosen)))


def test_undo_an_import_batch_among_fifty_thousand(
    shelf: Served, page: Any, tmp_path: Path
) -> None:
    sources = [write_lora(tmp_path / f"Late {i}.safetensors", seed=500 + i) for i in range(2)]
    shelf.cli.json("import", "--no-lookup", *map(str, sources))
    _open_total = MODELS + 2
    page.set_default_timeout(BIG_TIMEOUT_MS)
    page.goto(shelf.url)
    expect(_count(page)).to_have_text(_shows(_open_total))
    page.get_by_test_id("view-history").click()
    card = page.get_by_test_id("history-batch").first
    expect(card.get_by_test_id("batch-counts")).to_have_text("2 new")
    card.get_by_test_id("undo-import").click()
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_text("Import undone: 2 models removed")).to_be_visible()
    page.get_by_test_id("view-library").click()
    expect(_count(page)).to_have_text(_shows(MODELS))
    assert all(s.exists() for s in sources)
