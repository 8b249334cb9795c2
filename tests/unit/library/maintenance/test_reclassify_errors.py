"""reclassify keeps going when the detector breaks on one model: the failure is reported for
that model and every other model is still checked (and re-filed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import tensorshelf.library.maintenance.reclassify as reclassify_module
from tensorshelf.library.service import LibraryService
from tests.fixtures.detect_files import make_model_file
from tests.fixtures.import_files import make_locations, reclassify_all, run_import


@pytest.fixture
def service(tmp_path: Path) -> Iterator[LibraryService]:
    svc = LibraryService(make_locations(tmp_path))
    yield svc
    svc.close()


def test_a_detector_crash_on_one_model_does_not_stop_the_others(
    service: LibraryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = [
        make_model_file("embedding_sd1_8vec", tmp_path / "a"),
        make_model_file("lora_sd15_kohya_r32", tmp_path / "b"),
    ]
    _plan, results = run_import(service, sources)
    crashing, other = results
    # The other model was filed by an "older detector" under the wrong family.
    meta_file = service.root / other.path / "metadata.json"
    raw = json.loads(meta_file.read_text())
    raw["family"] = "sdxl"
    raw["detection"]["detector_version"] = 0
    meta_file.write_text(json.dumps(raw))
    service.scan()

    real_detect = reclassify_module.detect

    def flaky_detect(path: Path):  # a detector bug (not a ShelfError) on one file
        if path.name == "bad_prompt_v2.safetensors":
            raise AttributeError("'TensorTable' object has no attribute 'contains_any'")
        return real_detect(path)

    monkeypatch.setattr(reclassify_module, "detect", flaky_detect)
    report = reclassify_all(service, None, dry_run=False)
    assert [e.details["ref"] for e in report.errors] == [crashing.id]
    assert "AttributeError" in report.errors[0].message
    (change,) = report.changed
    assert change.id == other.id and change.changes["family"] == ["sdxl", "sd1"]
    assert service.get_model(other.id).family == "sd1"
