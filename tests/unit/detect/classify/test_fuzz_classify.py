"""Classifiers on odd but well-formed headers: names recombined from real layouts, any shapes
(empty, zero-sized, 1-D where 2-D is expected). detect_path must answer or raise
InvalidModelFile; it never crashes on what a file says."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tensorshelf.detect import detect_path
from tensorshelf.errors import InvalidModelFile
from tests.fixtures.detect_files import corpus_cases

DTYPES = ["F16", "BF16", "F32", "F8_E4M3", "I64", "U8"]
SIZES = {"F16": 2, "BF16": 2, "F32": 4, "F8_E4M3": 1, "I64": 8, "U8": 1}


def _real_names() -> list[str]:
    names: set[str] = set()
    for case in corpus_cases():
        tensors = case.get("tensors") or {}
        names.update(list(tensors)[:40])
        names.update(list(tensors)[-20:])
    return sorted(names)


NAMES = _real_names()
FRAGMENTS = sorted({p for n in NAMES for p in n.split(".")})


def _write(path: Path, tensors: dict[str, tuple[str, list[int]]], metadata: dict[str, str]) -> None:
    header: dict[str, Any] = {"__metadata__": metadata} if metadata else {}
    off = 0
    for name, (dtype, shape) in tensors.items():
        n = 1
        for d in shape:
            n *= d
        header[name] = {
            "dtype": dtype,
            "shape": shape,
            "data_offsets": [off, off + n * SIZES[dtype]],
        }
        off += n * SIZES[dtype]
    raw = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw)
        f.truncate(8 + len(raw) + off)


names = st.one_of(
    st.sampled_from(NAMES),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6).map(".".join),
)
shapes = st.lists(st.integers(0, 5000), max_size=5).filter(lambda s: math.prod(s) <= 2**31)
tables = st.dictionaries(names, st.tuples(st.sampled_from(DTYPES), shapes), min_size=1, max_size=40)
metadata = st.dictionaries(
    st.sampled_from(
        [
            "modelspec.architecture",
            "ss_base_model_version",
            "ss_tag_frequency",
            "modelspec.thumbnail",
            "x",
        ]
    ),
    st.text(max_size=30),
    max_size=3,
)


@hsettings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    tensors=tables,
    md=metadata,
    fname=st.sampled_from(
        [
            "model.safetensors",
            "sdxl_lora.safetensors",
            "model-00001-of-00002.safetensors",
            "dolphin-phi-mistral.safetensors",
        ]
    ),
)
def test_detect_never_crashes_on_recombined_headers(
    tmp_path: Path, tensors: dict[str, Any], md: dict[str, str], fname: str
) -> None:
    path = tmp_path / fname
    _write(path, tensors, md)
    try:
        det = detect_path(path)
    except InvalidModelFile:
        return
    assert 0.0 <= det.confidence <= 1.0 and det.evidence
