"""URL pieces for callers of the network (they may not import urllib themselves): a host key,
and percent-quoting of one path segment or of a `/`-separated path."""

from __future__ import annotations

from urllib.parse import quote, urlsplit


def host_of(url: str) -> str:
    """`host[:port]` of a URL: the key breakers, pacers and the token rule go by."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def quote_segment(text: str) -> str:
    return quote(text, safe="")


def quote_path(text: str) -> str:
    return quote(text, safe="/")
