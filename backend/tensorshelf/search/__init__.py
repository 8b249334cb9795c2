"""Full-text search: FTS5 tables over a content table (declared by their user with an
FtsSpec) and safe query building."""

from tensorshelf.search.query import build_match_query, query_terms

__all__ = ["build_match_query", "query_terms"]
