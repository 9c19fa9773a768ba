"""One line per unreachable host instead of Scrapy's tracebacks, while a crawl runs.

A site that cannot be reached (connection refused, DNS failure, TLS
failure, timeout) makes Scrapy log, for every request, each retry, the
give-up, the robots.txt middleware's error with two chained tracebacks and
the spider's warning: 76 lines for one wrong port. The crawl already counts
each such failure by host and cause (``fetch/unreachable/*``, see
``crawler.failures``) and the report lists every URL; on the terminal,
``NetworkFailureFilter`` drops these records, and ``arsip crawl`` prints
one line per host and cause at the end (``unreachable_lines``). Other
records pass unchanged. With ``--log-level DEBUG`` nothing is filtered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from scrapy.utils.log import LogCounterHandler

from crawler.failures import network_cause

_URL_RE = re.compile(r"<[A-Z]+ (\S+?)>|(https?://\S+)")


def _url(record: logging.LogRecord) -> str:
    args = record.args
    if isinstance(args, dict) and "request" in args:
        return str(getattr(args["request"], "url", ""))
    match = _URL_RE.search(record.getMessage())
    return (match.group(1) or match.group(2) or "").rstrip(":,") if match else ""


def _cause(record: logging.LogRecord) -> str | None:
    if record.exc_info and record.exc_info[1] is not None:
        return network_cause(record.exc_info[1])
    args = record.args
    if isinstance(args, dict) and isinstance(args.get("reason"), BaseException | str):
        return network_cause(args["reason"])
    if record.levelno >= logging.WARNING and record.name.startswith(("scrapy.", "crawler.")):
        return network_cause(record.getMessage())
    return None


class NetworkFailureFilter(logging.Filter):
    """Drops the records of network failures; remembers their (host, cause)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[str, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        cause = _cause(record)
        if cause is None:
            return True
        self.seen.add((urlsplit(_url(record)).netloc or "the site", cause))
        return False


def unreachable_lines(found: dict[tuple[str, str], int]) -> list[str]:
    """One line per unreachable host and cause, with what to do."""
    return [
        f"could not reach {netloc} ({cause}; {n} request{'' if n == 1 else 's'} failed for "
        "good); check the URL, the port and the network (the report lists every URL)"
        for (netloc, cause), n in sorted(found.items())
    ]


@contextmanager
def one_line_failures(level: Any) -> Iterator[NetworkFailureFilter]:
    """Filter the root logger's output handlers while the crawl runs (not at DEBUG)."""
    found = NetworkFailureFilter()
    if str(level).upper() == "DEBUG":
        yield found
        return
    handlers = [h for h in logging.root.handlers if not isinstance(h, LogCounterHandler)]
    for handler in handlers:
        handler.addFilter(found)
    try:
        yield found
    finally:
        for handler in handlers:
            handler.removeFilter(found)
