"""End-to-end fixtures: `tensorshelf serve` as a subprocess on a temp library, driven by the
system Chromium through Playwright (never `playwright install`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.e2e_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    UI_INDEX,
    UI_TIMEOUT_MS,
    VIEWPORT,
    Served,
    serving,
)
from tests.fixtures.cli_runner import make_cli, write_lora


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A library with one model imported through the CLI *before* the server starts."""
    if not UI_INDEX.exists():
        pytest.fail(f"UI not built ({UI_INDEX} missing): run `npm run build` or ./scripts/run")
    root = tmp_path_factory.mktemp("e2e")
    cli = make_cli(root)
    source = write_lora(root / "incoming" / "Pixel Art XL.safetensors", seed=11)
    cli.json("import", str(source), "--no-lookup")
    with serving(cli) as served:
        yield served


# Module scope: Playwright's sync API runs an event loop in this thread, which must not
# outlive the e2e module (pytest-asyncio tests that follow in the same worker need none).
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    scheme = getattr(request, "param", "light")
    context = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
    context.set_default_timeout(UI_TIMEOUT_MS)
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on(
        "console",
        lambda msg: (
            problems.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    pg.problems = problems
    try:
        yield pg
    finally:
        context.close()
