"""Offline and back, in real Chromium against a real `tensorshelf serve` and the fake Hub: a
model imported while the Hub was failing is Pending; the window's start-up lookup fails, the
offline banner appears; once the Hub answers again the window's one timed probe (after the
breaker's cool-down) closes the circuit, the banner goes and the model turns Verified — no
user action, no polling from the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.e2e_support import Served, serving
from tests.fixtures.cli_runner import make_cli, write_lora
from tests.fixtures.fake_hub import FakeHub, fake_hub

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_web")]

REPO = "someorg/demo-lora-v1"
COOLDOWN_S = "1.0"
BACK_TIMEOUT_MS = 20_000


@pytest.fixture
def offline_world(tmp_path: Path) -> Iterator[tuple[Served, FakeHub]]:
    lora = write_lora(tmp_path / "src" / "demo-lora-v1.safetensors", seed=1)
    with fake_hub(tmp_path) as hub:
        hub.repo(REPO, downloads=10).add(lora.name, lora.read_bytes())
        cli = make_cli(
            tmp_path,
            HF_HUB_OFFLINE="0",
            HF_ENDPOINT=hub.url,
            SSL_CERT_FILE=str(hub.ca_file),
            TENSORSHELF_BREAKER_COOLDOWN_S=COOLDOWN_S,
        )
        hub.faults.status = 503
        (item,) = cli.json("import", str(lora))["lookup"]["items"]
        assert item["status"] == "pending"
        with serving(cli) as served:
            yield served, hub


def test_offline_banner_then_verified_without_user_action(offline_world, page: Any) -> None:
    served, hub = offline_world
    page.goto(served.url)
    expect(page.get_by_test_id("offline-banner")).to_be_visible(timeout=BACK_TIMEOUT_MS)
    row = page.get_by_test_id("library-row")
    expect(row.get_by_text("Pending", exact=True)).to_be_visible()
    hub.faults.status = None  # the Hub is back
    expect(page.get_by_test_id("offline-banner")).to_have_count(0, timeout=BACK_TIMEOUT_MS)
    expect(row.get_by_text("Verified", exact=True)).to_be_visible(timeout=BACK_TIMEOUT_MS)


@pytest.fixture
def online_world(tmp_path: Path) -> Iterator[tuple[Served, FakeHub, Path]]:
    listed = write_lora(tmp_path / "hub" / "demo-lora-v1.safetensors", seed=1)
    remix = write_lora(tmp_path / "src" / "demo-lora-v1-remix.safetensors", seed=2)
    with fake_hub(tmp_path) as hub:
        hub.repo(REPO, downloads=10, pipeline_tag="text-to-image").add(
            listed.name, listed.read_bytes()
        )
        cli = make_cli(
            tmp_path, HF_HUB_OFFLINE="0", HF_ENDPOINT=hub.url, SSL_CERT_FILE=str(hub.ca_file)
        )
        with serving(cli) as served:
            yield served, hub, remix


def test_a_low_confidence_match_is_confirmed_in_the_import_summary(online_world, page: Any) -> None:
    """The window looks an import up by itself; a similar name only is Low confidence, shown
    in the import summary with a confirm step — nothing of the repo's is written until then."""
    served, hub, remix = online_world
    page.goto(served.url)
    page.get_by_test_id("import-path-input").fill(str(remix))
    page.get_by_test_id("import-path-submit").click()
    expect(page.get_by_test_id("import-dialog").get_by_test_id("import-item")).to_have_count(1)
    page.get_by_test_id("import-start").click()
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_be_visible(timeout=BACK_TIMEOUT_MS)
    trust = summary.get_by_test_id("imported-trust")
    expect(trust.get_by_text("Low confidence", exact=True)).to_be_visible(timeout=BACK_TIMEOUT_MS)
    (model,) = served.call("list_models")["models"]
    assert served.call("get_model", ref=model["id"])["model"]["pipeline_tag"] is None
    trust.get_by_test_id("confirm-import-match").click()
    expect(trust.get_by_test_id("confirm-import-match")).to_have_count(0, timeout=BACK_TIMEOUT_MS)
    meta = served.call("get_model", ref=model["id"])["model"]
    assert meta["match_source"] == "manual" and meta["repo_id"] == REPO
    assert meta["pipeline_tag"] == "text-to-image", "the repo's metadata, once confirmed"
