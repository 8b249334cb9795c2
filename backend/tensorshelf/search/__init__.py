"""search package: the FTS5 table definition and safe query building."""

from tensorshelf.search.query import build_match_query, query_terms

__all__ = ["build_match_query", "query_terms"]
