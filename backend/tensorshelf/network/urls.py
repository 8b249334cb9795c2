"""URL pieces for callers of the network (they may not import urllib themselves): a host key,
percent-quoting of one path segment or of a `/`-separated path, and where a redirect leads."""

from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit


def host_of(url: str) -> str:
    """`host[:port]` of a URL: the key breakers, pacers and the token rule go by."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def quote_segment(text: str) -> str:
    return quote(text, safe="")


def quote_path(text: str) -> str:
    return quote(text, safe="/")


def redirect_target(url: str, location: str) -> str:
    """Where a `Location` answered for `url` leads (it may be relative, as the Hub's are)."""
    return urljoin(url, location)
