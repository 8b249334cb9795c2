"""Every labelled corpus case (tests/fixtures/corpus: vendored shared cases + ours) turned into a
real
file, detected from its header alone: the label must match exactly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tensorshelf import settings
from tensorshelf.detect import DETECTOR_VERSION, detect_path
from tests.fixtures.detect_files import SHARED_CORPUS, corpus_cases, make_model_file

CASES = corpus_cases()
SHARED_CASES = [c for c in CASES if c["_origin"] == "shared"]
OWN_CASES = [c for c in CASES if c["_origin"] == "own"]
NORMAL_HEADER_LIMIT = 2 * 1024 * 1024
BIG_VOCAB = 100_000  # GGUF cases whose tokenizer arrays take a second to write


def _params(cases: list[dict[str, Any]]) -> list[Any]:
    out = []
    for c in cases:
        vocab = max(
            (
                v.get("length", 0)
                for v in (c.get("metadata") or {}).values()
                if isinstance(v, dict) and isinstance(v.get("length"), int)
            ),
            default=0,
        )
        marks = [pytest.mark.slow] if vocab > BIG_VOCAB else []
        out.append(pytest.param(c, id=c["case"], marks=marks))
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Callable[[dict[str, Any]], Path]:
    """Build each case's files once per module (both tests below inspect the same files)."""
    root = tmp_path_factory.mktemp("detect-corpus")
    cache: dict[str, Path] = {}

    def get(case: dict[str, Any]) -> Path:
        if case["case"] not in cache:
            cache[case["case"]] = make_model_file(case, root / case["case"])
        return cache[case["case"]]

    return get


def test_corpus_is_there() -> None:
    assert SHARED_CORPUS.is_dir(), f"vendored corpus missing at {SHARED_CORPUS}"
    assert len(SHARED_CASES) >= 14
    assert len(OWN_CASES) >= 30


@pytest.mark.parametrize("case", _params(CASES))
def test_case_label_matches(case: dict[str, Any], built: Callable[[dict[str, Any]], Path]) -> None:
    path = built(case)
    det = detect_path(path)
    got = {key: getattr(det, key) for key in case["label"]}
    assert got == case["label"], det.evidence
    assert det.evidence, "a detection always says why"
    assert det.detector_version == DETECTOR_VERSION
    assert 0.0 <= det.confidence <= 1.0
    if "max_confidence" in case:
        assert det.confidence <= case["max_confidence"]
    if det.family is None:
        assert det.confidence <= settings.DETECT_CONF_SUBTYPE_ONLY
    if case.get("notes") or det.family is None:
        return
    # decided by the header: no guess-level confidence
    assert det.confidence >= settings.DETECT_CONF_AMBIGUOUS


@pytest.mark.parametrize(
    "case",
    _params(
        [c for c in CASES if c["file_kind"] in ("safetensors", "gguf") and not c.get("inspect")]
    ),
)
def test_reads_only_the_header(
    case: dict[str, Any], built: Callable[[dict[str, Any]], Path]
) -> None:
    path = built(case)
    det = detect_path(path)
    size = path.stat().st_size
    assert det.header_bytes_read < size
    if case["file_kind"] == "safetensors":
        assert det.header_bytes_read < NORMAL_HEADER_LIMIT
        # exactly the 8-byte length, the JSON and the sniffed bytes
        with open(path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
        assert det.header_bytes_read == 8 + n + settings.HEADER_SNIFF_BYTES


def test_confident_wrong_answers_are_impossible_for_unknowns(
    built: Callable[[dict[str, Any]], Path],
) -> None:
    unknown = [
        c
        for c in CASES
        if c["label"].get("family", "x") is None and c["label"].get("subtype", "x") is None
    ]
    assert unknown, "the corpus must contain unknown cases"
    for case in unknown:
        det = detect_path(built(case))
        assert det.family is None and det.subtype is None
        assert det.confidence <= settings.DETECT_CONF_UNKNOWN


def test_shard_and_its_index_agree(built: Callable[[dict[str, Any]], Path]) -> None:
    case = next(c for c in CASES if c["case"] == "qwen2_7b_instruct_shard1")
    shard = built(case)
    index = shard.parent / case["shard"]["index_file"]
    assert index.is_file()
    from_shard, from_index = detect_path(shard), detect_path(index)
    for key in ("format", "model_type", "subtype", "family", "precision"):
        assert getattr(from_shard, key) == getattr(from_index, key) == case["label"][key]
    # the index names every tensor of the set; the size estimate covers all 4 shards
    total = case["index_json"]["metadata"]["total_size"]
    assert from_index.parameter_count == total // 2
    assert any("index" in e for e in from_shard.evidence)


def test_table_generators_reproduce_the_shared_corpus() -> None:
    """Our extra cases are built by tests/fixtures/corpus/tables.py; it must reproduce
    the shared corpus' real tables exactly, so the variants built from it are real too."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "fixtures" / "corpus" / "build_cases.py"
    spec = importlib.util.spec_from_file_location("detect_build_cases", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.check()
