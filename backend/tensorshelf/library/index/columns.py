"""What the index's filters and counts mean in columns (shared by the schema, the queries
and the facet counts)."""

from __future__ import annotations

FAVORITE_RATING = 5  # DESIGN: rating 5 = favourite
PROBLEM_STATES = ("mismatch", "missing")  # integrity states that need the user's attention

# ListQuery field → models column, compared case-insensitively; every one is also a facet
# of the sidebar (counted for the current query).
FACET_COLUMNS = {
    "model_type": "model_type",
    "subtype": "subtype",
    "family": "family",
    "precision": "precision",
    "format": "format",
    "security_tier": "security_tier",
    "match_method": "match_method",
    "integrity": "integrity_state",
}

_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def nocase(value: str) -> str:
    """As SQLite's NOCASE compares: ASCII letters folded, nothing else."""
    return value.translate(_ASCII_FOLD)
