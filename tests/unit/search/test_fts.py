"""FTS5 search: query building, prefix and hyphen handling, diacritics, hostile input,
ranking, and that FTS rows follow inserts, updates and deletes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tensorshelf.library.index.store import Index
from tensorshelf.library.metadata.document import ModelMetadata
from tensorshelf.library.query_models import ListQuery
from tensorshelf.search.query import build_match_query, query_terms
from tensorshelf.settings import MODELS_DB, SEARCH_MAX_TERMS

NAMES: dict[str, dict] = {
    "a": {
        "name": "Meta-Llama-3.1-8B-Instruct",
        "family": "llama",
        "repo_id": "meta-llama/Meta-Llama-3.1-8B-Instruct",
    },
    "b": {"name": "Llama-3-7b", "family": "llama"},
    "c": {"name": "Café Diffusion XL", "family": "sdxl", "notes": "great for portraits"},
    "d": {
        "name": "Pixel Art LoRA",
        "family": "sdxl",
        "tags": ["retro", "8bit"],
        "trigger_words": ["pixelsprite"],
    },
    "e": {
        "name": "Qwen2.5 7B",
        "family": "qwen2",
        "official_name": "Qwen/Qwen2.5-7B-Instruct",
        "description": "Alibaba's instruction-tuned model",
    },
    "f": {"name": "Dolphin Mixtral", "family": "mixtral"},
}


def _meta(key: str, **fields) -> ModelMetadata:
    base = {"id": f"id-{key}", "path": f"t/f/{key}", "cleaned_name": key}
    return ModelMetadata(**{**base, **NAMES[key], **fields})


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    ix = Index(tmp_path_factory.mktemp("fts") / MODELS_DB)
    for key in NAMES:
        ix.upsert_model(_meta(key))
    yield ix
    ix.close()


def _hits(index: Index, text: str) -> set[str]:
    return {m.id.removeprefix("id-") for m in index.list_models(ListQuery(text=text)).models}


def test_query_building_quotes_each_term_as_prefix() -> None:
    assert build_match_query("Meta-Llama 8B") == '"Meta Llama"* "8B"*'
    assert build_match_query('a"b (c) NEAR/2 d* ^e:f') == '"a b"* "c"* "NEAR 2"* "d"* "e f"*'
    assert build_match_query("  ") is None and build_match_query(None) is None
    assert build_match_query('"" () * - _ ^') is None
    assert len(query_terms(" ".join(f"t{i}" for i in range(100)))) == SEARCH_MAX_TERMS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("llama", {"a", "b"}),  # finds the word inside Meta-Llama-3
        ("lla", {"a", "b"}),  # prefix
        ("Meta-Llama", {"a"}),  # hyphenated input is a phrase, no syntax error
        ("llama 8b", {"a"}),  # terms are ANDed
        ("3", {"a", "b"}),  # "3" finds Llama-3-7b
        ("cafe", {"c"}),  # diacritics folded
        ("CAFÉ", {"c"}),
        ("portrait", {"c"}),  # notes
        ("retro", {"d"}),  # tags
        ("pixelspr", {"d"}),  # trigger words
        ("alibaba", {"e"}),  # description
        ("qwen/qwen2.5", {"e"}),  # official name with punctuation
        ("phi", set()),  # no substring hits ("dolphin" is not "phi…")
    ],
)
def test_search_hits(index: Index, text: str, expected: set[str]) -> None:
    assert _hits(index, text) == expected


def test_text_only_punctuation_means_no_filter(index: Index) -> None:
    assert index.list_models(ListQuery(text="((")).total == len(NAMES)


def test_relevance_ranks_name_hits_first(index: Index) -> None:
    page = index.list_models(ListQuery(text="llama", sort="relevance"))
    assert page.total == 2
    # "Llama-3-7b" is a shorter document with the term in its name → better bm25
    assert [m.id for m in page.models] == ["id-b", "id-a"]


@given(st.text(max_size=60))
def test_hostile_queries_never_raise(index: Index, text: str) -> None:
    page = index.list_models(ListQuery(text=text, limit=3))
    assert page.total >= len(page.models)
    page = index.list_models(ListQuery(text=text, sort="relevance", limit=3))
    assert page.total >= len(page.models)


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "'",
        "(",
        ")",
        "NEAR(a b)",
        "a OR",
        "AND",
        "NOT x",
        "*",
        "col:x",
        "^x",
        "x\x00y",
        "\u202e",
        "🦙 llama",
        "a" * 5000,
    ],
)
def test_known_fts_syntax_traps(index: Index, text: str) -> None:
    index.list_models(ListQuery(text=text))


def test_fts_follows_updates_and_deletes(tmp_path: Path) -> None:
    with Index(tmp_path / MODELS_DB) as ix:
        ix.upsert_model(_meta("f"))
        assert _hits(ix, "dolphin") == {"f"}
        ix.upsert_model(_meta("f", name="Orca Mini"))
        assert _hits(ix, "dolphin") == set() and _hits(ix, "orca") == {"f"}
        ix.upsert_model(_meta("f", name="Orca Mini", path="t/f/moved"))  # non-FTS change
        assert _hits(ix, "orca") == {"f"}
        ix.remove_model("id-f")
        assert _hits(ix, "orca") == set()
        # raises SQLITE_CORRUPT_VTAB if the FTS index disagrees with the models table
        ix._conn().execute(
            "INSERT INTO model_search(model_search, rank) VALUES ('integrity-check', 1)"
        )
