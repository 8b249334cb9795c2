"""The words of a search that name a kind or a family ("lora", "SD 1.5", "Flux.1") are
matched as that kind or family (or the words themselves); the rest stays word search, and no
word is lost or doubled, whatever is typed (hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tensorshelf.detect.vocabulary import family_alias
from tensorshelf.library.index.queries import NamedTerm, named_terms


def test_kinds_and_families_are_found_among_other_words() -> None:
    named, rest = named_terms("lora SD 1.5 ink stable diffusion xl")
    assert [(t.column, t.value) for t in named] == [
        ("subtype", "loras"),
        ("family", "sd1"),
        ("family", "sdxl"),
    ]
    assert rest == "ink"
    assert named[1] == NamedTerm("family", "sd1", "SD 1.5", '"SD"* "1 5"*')


def test_words_that_are_not_a_whole_family_stay_words() -> None:
    for text in ("sdxl", "sd1", "Llama 3", "Dev", "pony", "span"):
        assert named_terms(text) == ([], text), text
    named, rest = named_terms("Flux.1 Dev")  # the family, and the word that narrows it
    assert [(t.column, t.value) for t in named] == [("family", "flux1")] and rest == "Dev"
    assert family_alias("Qwen 2.5") == "qwen2" and family_alias("Llama 3") is None


_WORDS = st.sampled_from(["SD", "1.5", "sd1.5", "lora", "XL", "stable", "diffusion", "ink", "é"])


@given(st.lists(st.one_of(_WORDS, st.text(min_size=1, max_size=6)), max_size=8))
def test_no_word_is_lost_or_doubled(words: list[str]) -> None:
    text = " ".join(words)
    named, rest = named_terms(text)
    spent = [w for term in named for w in term.words.split()]
    assert sorted(spent + (rest.split() if rest else [])) == sorted(text.split())
    for term in named:
        assert term.phrase and (family_alias(term.words) or term.column == "subtype")
