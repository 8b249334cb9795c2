"""Byte-split files (`x.safetensors.part1` … as `split -b` makes them, or `x.gguf.part1of2`):
only piece 1 has a header and it describes the joined file, so it is validated against the
pieces' total size; any piece is classified from piece 1; a missing piece is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tensorshelf import settings
from tensorshelf.detect import detect_path, read_foreign_metadata
from tensorshelf.errors import InvalidModelFile
from tests.fixtures.detect_files import get_case, make_model_file, split_bytes

PIECES = 3


@pytest.fixture()
def lora_pieces(tmp_path: Path) -> list[Path]:
    case = get_case("lora_sd15_kohya_r32")
    case["byte_split"] = PIECES
    first = make_model_file(case, tmp_path)
    return sorted(first.parent.glob(first.name.removesuffix("1") + "*"))


def test_every_piece_is_classified_from_the_first(lora_pieces: list[Path]) -> None:
    label = get_case("lora_sd15_kohya_r32")["label"]
    with open(lora_pieces[0], "rb") as f:
        header_len = int.from_bytes(f.read(8), "little")
    for piece in lora_pieces:
        det = detect_path(piece)
        assert {k: getattr(det, k) for k in label} == label, det.evidence
        assert "byte-split" in det.evidence[0] and lora_pieces[0].name in det.evidence[0]
        # headers only: piece 1's header, nothing of the other pieces
        assert det.header_bytes_read == 8 + header_len + settings.HEADER_SNIFF_BYTES


def test_embedded_metadata_and_sidecars_of_the_joined_name(lora_pieces: list[Path]) -> None:
    folder = lora_pieces[0].parent
    (folder / "add_detail.civitai.info").write_text(json.dumps({"baseModel": "SD 1.5"}))
    meta = read_foreign_metadata(lora_pieces[0])
    assert meta.title == "add_detail"  # ss_output_name, from piece 1's header
    assert ".civitai.info" in meta.source and meta.base_model_raw == "SD 1.5"
    assert detect_path(lora_pieces[1]).foreign.source == meta.source


def test_a_missing_piece_is_named(lora_pieces: list[Path]) -> None:
    lora_pieces[1].unlink()
    with pytest.raises(InvalidModelFile, match=r"piece\(s\) 2 missing"):
        detect_path(lora_pieces[0])


def test_a_later_piece_without_the_first_is_refused(lora_pieces: list[Path]) -> None:
    lora_pieces[0].unlink()
    with pytest.raises(InvalidModelFile, match=r"first piece add_detail\.safetensors\.part1"):
        detect_path(lora_pieces[2])


def test_gguf_split_with_part_n_of_m_names(tmp_path: Path) -> None:
    case = get_case("phi3_mini_4k_q4_k_m")
    whole = make_model_file(case, tmp_path)
    pieces = split_bytes(whole, 2)
    named = [p.rename(p.with_name(f"{whole.name}.part{i}of2")) for i, p in enumerate(pieces, 1)]
    det = detect_path(named[1])
    assert (det.format, det.model_type, det.family, det.precision) == (
        "gguf",
        "llm",
        "phi3",
        "q4_k_m",
    )
    assert det.foreign.title  # general.name
