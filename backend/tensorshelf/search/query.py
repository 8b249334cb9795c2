"""Turn what a user typed into a safe FTS5 MATCH expression.

Every whitespace-separated term becomes a quoted prefix phrase `"tok tok"*` built only
from the word characters of the term, so quotes, parentheses, `NEAR`, `AND`, `*`, `:`,
`^` and control characters are never parsed as FTS5 syntax: hostile input cannot raise
a syntax error. Terms are ANDed (each narrows the result). A query with no word
characters at all means "no text filter" (None)."""

from __future__ import annotations

import re
import unicodedata

from tensorshelf.settings import SEARCH_MAX_QUERY_CHARS, SEARCH_MAX_TERMS

# Letters and digits of any script; "_" and punctuation separate tokens, as in unicode61.
_TOKEN = re.compile(r"[^\W_]+")


def query_terms(text: str | None) -> list[list[str]]:
    """The tokens of each term of `text` (terms without any word character dropped)."""
    if not text:
        return []
    text = unicodedata.normalize("NFC", text[:SEARCH_MAX_QUERY_CHARS])
    terms: list[list[str]] = []
    for raw in text.split():
        tokens = _TOKEN.findall(raw)
        if tokens:
            terms.append(tokens)
        if len(terms) >= SEARCH_MAX_TERMS:
            break
    return terms


def build_match_query(text: str | None) -> str | None:
    """`"meta llama"* "8b"*` for "Meta-Llama 8B"; None when nothing searchable remains."""
    terms = query_terms(text)
    if not terms:
        return None
    return " ".join('"' + " ".join(tokens) + '"*' for tokens in terms)
