"""A local file name as a Hub search. The Hub's `search` is a substring search on repo ids,
and a GGUF or checkpoint is usually named after its repo plus what varies between copies —
so the query is the name up to the first such tag, separators and case kept as they are
(`Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf` → `Meta-Llama-3.1-8B-Instruct`): the extension, a
shard suffix (`-00001-of-00003`, `.part1of2`), quant tags (Q4_K_M, IQ2_XS, Q8_0), precision
tags (fp16, bf16, fp8_e4m3fn) and packaging noise (pruned, emaonly). `base_tokens` gives the
same name as lower-case tokens for ranking candidates by similarity."""

from __future__ import annotations

import re

from tensorshelf.detect.names import strip_suffix

_SHARD = re.compile(r"[-_.]?(?:\d{1,5}-of-\d{1,5}|part\d{1,4}(?:of\d{1,4})?)$", re.IGNORECASE)
_TAG = (
    r"(?:i?q\d(?:_[a-z0-9]{1,2})*|f16|f32|bf16|fp\d{1,2}|int\d|nf4|mxfp4|e4m3fn|e5m2|"
    r"pruned|emaonly|noema|ema|scaled|imatrix)"
)
_FIRST_TAG = re.compile(rf"(?i)(?:^|[\s\-_.]){_TAG}(?=$|[\s\-_.])")
_SEPARATORS = re.compile(r"[\s\-_.]+")
_GENERIC = {"model", "diffusion", "pytorch", "weights", "consolidated", "adapter"}


def _stem(file_name: str) -> str:
    return _SHARD.sub("", strip_suffix(file_name.rsplit("/", 1)[-1]))


def search_query(file_name: str) -> str:
    """The name up to its first variant tag ("" when nothing distinctive is left)."""
    stem = _stem(file_name)
    found = _FIRST_TAG.search(stem)
    query = (stem[: found.start()] if found else stem).strip(" -_.")
    tokens = {t.lower() for t in _SEPARATORS.split(query) if t}
    return "" if tokens <= _GENERIC else query


def base_tokens(file_name: str) -> list[str]:
    """The query's tokens, lower-cased (for similarity ranking)."""
    return [t.lower() for t in _SEPARATORS.split(search_query(file_name)) if t]
