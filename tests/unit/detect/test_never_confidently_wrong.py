"""Calibration: a wrong answer must come with a low confidence. Over every corpus case
(shared + ours) and over random pieces of their real tables — a prefix in file order (a
truncated download) or a random subset (a pruned or partial file) — the classifiers never
give a family other than the case's (or its also_ok) at >= 0.7 for the role the case has."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tensorshelf.detect.classify.table import classify_table
from tensorshelf.detect.tensors import TensorTable, tensor_info
from tests.fixtures.detect_files import corpus_cases

CONFIDENT = 0.7
CASES = [c for c in corpus_cases() if c["file_kind"] == "safetensors" and c.get("tensors")]
LABELLED = [c for c in CASES if c["label"].get("family")]


def _table(names: list[str], tensors: dict[str, Any]) -> TensorTable:
    return TensorTable({n: tensor_info(tensors[n][0], tuple(tensors[n][1])) for n in names})


def _acceptable(case: dict[str, Any]) -> set[str]:
    also = (case.get("also_ok") or {}).get("family") or []
    return {case["label"]["family"], *also}


def _confidently_wrong(case: dict[str, Any], names: list[str]) -> str | None:
    verdict = classify_table(_table(names, case["tensors"]))
    same_role = verdict.subtype == case["label"].get("subtype")
    if (
        same_role
        and verdict.family is not None
        and verdict.confidence >= CONFIDENT
        and verdict.family not in _acceptable(case)
    ):
        return (
            f"{case['case']}: {len(names)} of {len(case['tensors'])} tensors → "
            f"{verdict.family} @{verdict.confidence} ({verdict.evidence})"
        )
    return None


def test_no_whole_case_is_answered_wrongly_with_confidence() -> None:
    wrong = [w for c in LABELLED if (w := _confidently_wrong(c, list(c["tensors"])))]
    assert not wrong, wrong


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_pieces_of_real_tables_never_give_a_confident_wrong_family(data: st.DataObject) -> None:
    case = data.draw(st.sampled_from(LABELLED), label="case")
    names = list(case["tensors"])
    if data.draw(st.booleans(), label="prefix"):
        cut = data.draw(st.integers(1, len(names)), label="cut")
        piece = names[:cut]
    else:
        keep = data.draw(st.floats(0.02, 0.98), label="keep")
        seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
        import random

        rng = random.Random(seed)
        piece = [n for n in names if rng.random() < keep] or names[:1]
    wrong = _confidently_wrong(case, piece)
    assert wrong is None, wrong
