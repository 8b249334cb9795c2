"""Bad inputs: fake / truncated files, pickles, hostile names, malformed headers."""

from __future__ import annotations

import os
import struct
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tensorshelf.errors import InvalidArgument
from tensorshelf.library.layout import is_inside
from tensorshelf.library.models import ImportOptions
from tensorshelf.library.service import LibraryService
from tests.fixtures.import_files import (
    fingerprint,
    make_locations,
    published_dirs,
    run_import,
    staged_entries,
    write_pickle_ckpt,
    write_safetensors,
)


def test_fake_and_truncated_files_fail_with_the_file_named(
    service: LibraryService, tmp_path: Path
) -> None:
    fake = tmp_path / "fake.safetensors"
    fake.write_text("<html>not a model</html>")
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(struct.pack("<Q", 10_000) + b'{"a": 1}')
    good = write_safetensors(tmp_path / "good.safetensors")
    plan, results = run_import(service, [fake, truncated, good])
    errors = {Path(i.key).name: i.error for i in plan.items}
    fake_error, truncated_error = errors["fake.safetensors"], errors["truncated.safetensors"]
    assert fake_error is not None and "fake.safetensors" in fake_error.message
    assert fake_error.code == "invalid_model_file"  # the one error shape, with its code
    assert truncated_error is not None and "truncated.safetensors" in truncated_error.message
    assert errors["good.safetensors"] is None
    outcome = {Path(r.key).name: r for r in results}
    assert outcome["good.safetensors"].ok  # the batch went on
    for name in ("fake.safetensors", "truncated.safetensors"):
        assert not outcome[name].ok and name in outcome[name].error.message
    assert len(published_dirs(service.root)) == 1 and staged_entries(service.root) == []


def test_file_that_goes_bad_after_planning_is_refused_before_copying(
    service: LibraryService, tmp_path: Path
) -> None:
    source = write_safetensors(tmp_path / "m.safetensors")
    plan = service.plan_import([str(source)])
    source.write_bytes(b"\x00" * 64)
    result = service.import_item(plan.items[0], ImportOptions(lookup=False))
    assert not result.ok and result.error.code == "source_changed"
    assert str(source) in result.error.message
    assert staged_entries(service.root) == []


def test_same_size_rewrite_with_the_old_mtime_is_still_refused(
    service: LibraryService, tmp_path: Path
) -> None:
    """The reviewed plan is imported without reading the header again, so a rewrite between
    review and import must show in the stamp: ctime moves even when mtime is set back."""
    source = write_safetensors(tmp_path / "m.safetensors")
    before = source.stat()
    plan = service.plan_import([str(source)])
    data = bytearray(source.read_bytes())
    data[:8] = b"\xff" * 8
    source.write_bytes(bytes(data))
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert source.stat().st_size == before.st_size
    result = service.import_item(plan.items[0], ImportOptions(lookup=False))
    assert not result.ok and result.error.code == "source_changed"
    assert published_dirs(service.root) == [] and staged_entries(service.root) == []


def test_text_file_alone_is_rejected(service: LibraryService, tmp_path: Path) -> None:
    note = tmp_path / "notes.txt"
    note.write_text("hello")
    odd = tmp_path / "weights.dat"
    odd.write_bytes(b"\x01\x02\x03 random")
    plan = service.plan_import([str(note), str(odd)])
    assert plan.items == []
    reasons = {Path(r.details["path"]).name: r.message for r in plan.rejected}
    assert "not a model file" in reasons["notes.txt"]
    # named like no model: what it is, but none of its bytes (only model files show them)
    assert "weights.dat" in reasons["weights.dat"] and "01 02" not in reasons["weights.dat"]


def test_pickle_is_refused_unless_accepted(service: LibraryService, tmp_path: Path) -> None:
    ckpt = write_pickle_ckpt(tmp_path / "old.ckpt")
    plan, (refused,) = run_import(service, [ckpt])
    assert plan.items[0].security_tier == "pickle"
    assert not refused.ok and refused.error.code == "pickle_refused"
    assert "--accept-pickle" in refused.error.message and "old.ckpt" in refused.error.message
    assert published_dirs(service.root) == [] and staged_entries(service.root) == []
    (accepted,) = run_import(service, [ckpt], accept_pickle=True)[1]
    assert accepted.ok
    assert service.get_model(accepted.id).security_tier == "pickle"


@pytest.mark.parametrize(
    "name",
    [
        "../../escape",
        "/etc/passwd",
        "..",
        "a/../../b",
        "x" * 300,
        "\u202egnp.exe",
        "🦙 llama 🦙",
        "CON",
        " . ",
        "nul\x00byte",
    ],
)
def test_hostile_names_stay_inside_the_library(
    service: LibraryService, tmp_path: Path, name: str
) -> None:
    source = write_safetensors(tmp_path / "m.safetensors", seed=len(name))
    with pytest.raises(InvalidArgument, match="unknown model type"):
        ImportOptions(model_type=name)  # a closed vocabulary: never a folder name of its own
    (result,) = run_import(service, [source], name=name, family=name)[1]
    assert result.ok, result.error
    model_dir = service.root / result.path
    assert is_inside(service.root, model_dir) and model_dir.is_dir()
    assert len(Path(result.path).parts) == 3
    assert all(len(part.encode()) <= 255 for part in Path(result.path).parts)
    assert (model_dir / "m.safetensors").exists()


def test_case_and_normalisation_twins_get_distinct_dirs(
    service: LibraryService, tmp_path: Path
) -> None:
    nfc = unicodedata.normalize("NFC", "Café")
    nfd = unicodedata.normalize("NFD", "Café")
    sources = [
        write_safetensors(tmp_path / "1" / f"{nfc}.safetensors", seed=1),
        write_safetensors(tmp_path / "2" / f"{nfd}.safetensors", seed=2),
        write_safetensors(tmp_path / "3" / "café.safetensors", seed=3),
        write_safetensors(tmp_path / "4" / "CAFÉ.safetensors", seed=4),
    ]
    results = [run_import(service, [s])[1][0] for s in sources]
    assert all(r.ok for r in results)
    keys = {unicodedata.normalize("NFC", Path(r.path).name).casefold() for r in results}
    assert len(keys) == 4  # distinct even on case-insensitive, normalising filesystems
    for source, result in zip(sources, results, strict=False):
        assert (service.root / result.path / source.name).read_bytes() == source.read_bytes()


@settings(max_examples=40)
@given(name=st.text(min_size=0, max_size=400))
def test_any_name_option_stays_inside(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    tmp = tmp_path_factory.mktemp("hyp")
    svc = LibraryService(make_locations(tmp))
    try:
        source = write_safetensors(tmp / "m.safetensors")
        (result,) = run_import(svc, [source], name=name or None, family=name or None)[1]
        assert result.ok, result.error
        assert is_inside(svc.root, svc.root / result.path)
        assert svc.get_model(result.id).name == (name.strip() or "m")
    finally:
        svc.close()


@settings(max_examples=60)
@given(head=st.binary(max_size=64), length=st.integers(min_value=0, max_value=2**64 - 1))
def test_malformed_headers_never_crash_or_publish(
    tmp_path_factory: pytest.TempPathFactory, head: bytes, length: int
) -> None:
    tmp = tmp_path_factory.mktemp("hdr")
    svc = LibraryService(make_locations(tmp))
    try:
        bad = tmp / "bad.safetensors"
        bad.write_bytes(struct.pack("<Q", length) + head)
        before = fingerprint(bad)
        results = run_import(svc, [bad])[1]
        for result in results:
            if not result.ok:
                # a .safetensors name with pickle magic bytes is refused as a pickle
                assert result.error.code in (
                    "invalid_model_file",
                    "import_failed",
                    "pickle_refused",
                )
        if not any(r.ok for r in results):
            assert published_dirs(svc.root) == []
        assert staged_entries(svc.root) == [] and fingerprint(bad) == before
    finally:
        svc.close()


def test_file_names_are_kept_byte_for_byte(service: LibraryService, tmp_path: Path) -> None:
    weird = "  spaced\tname — ✓ (v2).fp16.safetensors"
    source = write_safetensors(tmp_path / weird)
    (result,) = run_import(service, [source])[1]
    assert set(os.listdir(service.root / result.path)) == {"metadata.json", weird}


def test_unfinished_download_is_rejected(service: LibraryService, tmp_path: Path) -> None:
    partial = write_safetensors(tmp_path / "model.safetensors.part")
    plan = service.plan_import([str(partial)])
    assert plan.items == [] and "unfinished download" in plan.rejected[0].message
