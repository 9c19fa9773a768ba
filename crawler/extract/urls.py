"""Canonical URLs and the stable article id derived from them."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Normalize *url* so that the same page always gets the same string.

    Lower-cases scheme and host, drops the default port, the fragment and an
    empty query, keeps the path as given (``/`` when empty) and sorts the
    query parameters (keeping blank values).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = parts.path or "/"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((scheme, netloc, path, query, ""))


def article_id(url: str) -> str:
    """Stable 16-hex-digit id of the article at *url* (SHA-1 of its canonical URL)."""
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:16]
