"""Import classification from real headers, and reclassify (ids stay, paths move)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tensorshelf.library.service import LibraryService
from tests.fixtures.detect_files import make_model_file
from tests.fixtures.import_files import make_locations, reclassify_all, run_import


@pytest.fixture
def service(tmp_path: Path) -> Iterator[LibraryService]:
    svc = LibraryService(make_locations(tmp_path))
    yield svc
    svc.close()


def _embedding(service: LibraryService, tmp_path: Path, **options):
    source = make_model_file("embedding_sd1_8vec", tmp_path / "src")
    plan, (result,) = run_import(service, [source], **options)
    assert result.ok, result.error
    return plan, result


def _misfile(service: LibraryService, result, family: str, subtype: str) -> str:
    """Make the model look like an older detector filed it wrongly (dir included)."""
    old_dir = service.root / result.path
    new_rel = f"diffusion/{family}/{old_dir.name}"
    (service.root / "diffusion" / family).mkdir(parents=True, exist_ok=True)
    old_dir.rename(service.root / new_rel)
    meta_file = service.root / new_rel / "metadata.json"
    raw = json.loads(meta_file.read_text())
    raw.update(family=family, subtype=subtype, path=new_rel)
    raw["detection"]["detector_version"] = 0
    meta_file.write_text(json.dumps(raw))
    service.scan()
    return new_rel


def test_import_files_a_model_by_its_header(service: LibraryService, tmp_path: Path) -> None:
    plan, result = _embedding(service, tmp_path)
    det = plan.items[0].detection
    assert (det.subtype, det.family) == ("embeddings", "sd1")
    assert result.path == "diffusion/sd1/bad_prompt_v2"
    meta = service.get_model(result.id)
    assert (meta.model_type, meta.subtype, meta.family) == ("diffusion", "embeddings", "sd1")
    assert meta.detection is not None and meta.detection.evidence


def test_reclassify_dry_run_lists_and_real_run_refiles(
    service: LibraryService, tmp_path: Path
) -> None:
    _plan, result = _embedding(service, tmp_path)
    wrong = _misfile(service, result, "sd2", "checkpoints")
    dry = reclassify_all(service, None, dry_run=True)
    (change,) = dry.changed
    assert change.id == result.id and change.old_path == wrong
    assert change.changes == {"subtype": ["checkpoints", "embeddings"], "family": ["sd2", "sd1"]}
    assert change.new_path == result.path
    assert (service.root / wrong).exists()  # a dry run moves nothing
    done = reclassify_all(service, [result.id], dry_run=False)
    (change,) = done.changed
    assert change.new_path == result.path and not (service.root / wrong).exists()
    meta = service.get_model(result.id)
    assert (meta.id, meta.family, meta.subtype, meta.path) == (
        result.id,
        "sd1",
        "embeddings",
        result.path,
    )
    assert (service.root / result.path / "bad_prompt_v2.safetensors").exists()
    (summary,) = service.list_models().models
    assert (summary.id, summary.path, summary.family) == (result.id, result.path, "sd1")
    assert reclassify_all(service, None, dry_run=False).changed == []


def test_reclassify_respects_user_overrides(service: LibraryService, tmp_path: Path) -> None:
    _plan, result = _embedding(service, tmp_path, family="my-family")
    assert result.path == "diffusion/my-family/bad_prompt_v2"
    report = reclassify_all(service, None, dry_run=False)
    assert report.changed == [] and report.unchanged == 1
    assert service.get_model(result.id).family == "my-family"


def test_reclassify_leaves_manual_matches_alone(service: LibraryService, tmp_path: Path) -> None:
    _plan, result = _embedding(service, tmp_path)
    wrong = _misfile(service, result, "sd2", "checkpoints")
    meta_file = service.root / wrong / "metadata.json"
    raw = json.loads(meta_file.read_text())
    raw["match_source"] = "manual"
    meta_file.write_text(json.dumps(raw))
    service.scan()
    assert reclassify_all(service, None, dry_run=False).changed == []
    assert service.get_model(result.id).family == "sd2"


def test_reclassify_reports_unknown_refs(service: LibraryService) -> None:
    report = reclassify_all(service, ["no-such-model"], dry_run=True)
    assert report.errors and report.errors[0].details["ref"] == "no-such-model"


def test_reclassify_all_normalises_a_raw_base_model_of_detector_v1(
    service: LibraryService, tmp_path: Path
) -> None:
    """Detector v1 kept what other tools wrote ("SDXL 1.0"); reclassify --all turns it into
    the family id, keeps the id and a user's own base model."""
    _plan, result = _embedding(service, tmp_path)
    meta_file = service.root / result.path / "metadata.json"
    raw = json.loads(meta_file.read_text())
    raw["base_model"] = "SD 1.5"
    raw["detection"]["detector_version"] = 1
    meta_file.write_text(json.dumps(raw))
    service.scan()
    report = reclassify_all(service)
    (change,) = report.changed
    assert change.id == result.id and change.changes["base_model"] == ["SD 1.5", "sd1"]
    assert service.get_model(result.id).base_model == "sd1"
    assert not reclassify_all(service).changed, "a second run changes nothing"
