"""Network failures in plain words: what stopped a request from getting any answer.

``network_cause(error)`` names the cause of a download error the way a
person would say it ("connection refused", "DNS lookup failed (no such
host)", "TLS handshake failed", "timed out", "connection lost", "host
unreachable"), or None when the error is not a network failure. It looks at
the error's type and the types in its ``__cause__`` / ``__context__`` chain
(Scrapy wraps Twisted's errors), then at its message (TLS errors from
OpenSSL carry their kind only there). The spider counts each final network
failure by origin and cause (``fetch/unreachable/ORIGIN/CAUSE``); the crawl's
output shows one line per origin and cause instead of Scrapy's tracebacks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

#: Stats of final network failures: ``fetch/unreachable/NETLOC/CAUSE`` -> requests.
UNREACHABLE_PREFIX = "fetch/unreachable/"

#: (words in an exception type name or message, the cause), first match wins.
_CAUSES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("CannotResolveHost", "DNSLookup", "Name or service not known"),
        "DNS lookup failed (no such host)",
    ),
    (("ConnectionRefused", "Connection refused"), "connection refused"),
    (("SSL", "TLS", "certificate", "Certificate", "handshake"), "TLS handshake failed"),
    (("NoRoute", "HostUnreachable", "NetworkUnreachable", "No route to host"), "host unreachable"),
    (("Timeout", "TimedOut", "timed out"), "timed out"),
    (
        (
            "ConnectionLost",
            "ConnectionDone",
            "ConnectionReset",
            "ResponseNeverReceived",
            "ResponseFailed",
            "Connection lost",
        ),
        "connection lost",
    ),
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _texts(error: BaseException) -> list[str]:
    texts: list[str] = []
    for exc in _chain(error):
        texts.append(type(exc).__name__)
        texts.append(str(exc))
        for reason in getattr(exc, "reasons", None) or ():  # Twisted Failures
            value = getattr(reason, "value", None)
            if isinstance(value, BaseException):
                texts += [type(value).__name__, str(value)]
    return texts


def network_cause(error: BaseException | str) -> str | None:
    """The network failure behind *error* (or its message) in plain words, or None."""
    texts = [error] if isinstance(error, str) else _texts(error)
    for words, cause in _CAUSES:
        if any(word in text for text in texts for word in (*words, cause)):
            return cause
    return None


def unreachable(stats: Mapping[str, Any]) -> dict[tuple[str, str], int]:
    """Final network failures of a crawl by (host[:port], cause), from its stats."""
    found: dict[tuple[str, str], int] = {}
    for key, value in stats.items():
        if key.startswith(UNREACHABLE_PREFIX) and isinstance(value, int):
            netloc, _, cause = key[len(UNREACHABLE_PREFIX) :].partition("/")
            found[(netloc, cause)] = value
    return found
