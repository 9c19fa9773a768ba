"""Crawler traps: bounded, and reported, whatever the site profile lets through.

A calendar that links to the next month forever (``/agenda?month=2022-02``,
``?month=2022-03``, ...), a path that repeats itself (``/a/b/a/b/a/b``), a
link deeper than any real page: the site profile's URL patterns keep most
of them out (the anri profile follows only listings and articles), and its
``crawl.max_depth`` bounds the rest. `TrapMiddleware` is the backstop for
profiles that let more through; it drops a request the spider yields when:

- it is deeper than ``TRAPS_MAX_DEPTH`` links from a start URL (200; the
  replica's 300 articles are within depth 10, and ANRI's pagination, a
  window of two pages either side, reaches page N at depth about N / 4);
- its path already had ``TRAPS_MAX_QUERY_VARIANTS`` distinct query strings
  (1000: a thousand listing pages of ``?page=N``);
- one path segment occurs more than ``TRAPS_MAX_SEGMENT_REPEATS`` times (3).

Unlike Scrapy's ``DEPTH_LIMIT`` (silent), each dropped URL is reported as a
skipped URL with reason ``trap`` (the ``url_skipped`` signal: the crawl
report lists it) and counted (``traps/<rule>``: ``depth``,
``query_variants``, ``repeated_segment``).

A spider middleware at **850**: the spider's output reaches it after
Scrapy's DepthMiddleware (900) has set ``meta["depth"]``. Settings:
``TRAPS_ENABLED`` (True) and the three limits (0 turns one off).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from typing import Any, Final, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.frontier import url_skipped

logger = logging.getLogger(__name__)

#: Order in SPIDER_MIDDLEWARES (see the module docstring).
PRIORITY: Final = 850

#: Defaults of this middleware's settings, alphabetical.
DEFAULTS: Final[dict[str, Any]] = {
    "TRAPS_ENABLED": True,
    "TRAPS_MAX_DEPTH": 200,
    "TRAPS_MAX_QUERY_VARIANTS": 1000,
    "TRAPS_MAX_SEGMENT_REPEATS": 3,
}


class TrapMiddleware(BaseSpiderMiddleware):
    """Drop (and report) requests that look like a crawler trap."""

    def __init__(
        self, crawler: Crawler, *, max_depth: int, max_variants: int, max_repeats: int
    ) -> None:
        super().__init__(crawler)
        self.max_depth = max_depth
        self.max_variants = max_variants
        self.max_repeats = max_repeats
        self._variants: defaultdict[tuple[str, str], set[int]] = defaultdict(set)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("TRAPS_ENABLED", DEFAULTS["TRAPS_ENABLED"]):
            raise NotConfigured("TRAPS_ENABLED is off")
        limits = {
            name: settings.getint(name, DEFAULTS[name])
            for name in ("TRAPS_MAX_DEPTH", "TRAPS_MAX_QUERY_VARIANTS", "TRAPS_MAX_SEGMENT_REPEATS")
        }
        for name, value in limits.items():
            if value < 0:
                raise NotConfigured(f"{name} is {value}: use 0 (no limit) or more")
        return cls(
            crawler,
            max_depth=limits["TRAPS_MAX_DEPTH"],
            max_variants=limits["TRAPS_MAX_QUERY_VARIANTS"],
            max_repeats=limits["TRAPS_MAX_SEGMENT_REPEATS"],
        )

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        """The request, or None (reported) when it falls into a trap."""
        rule = self.trap(request)
        if rule is None:
            return request
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"traps/{rule}")
        logger.debug("Not following %s: crawler trap (%s)", request.url, rule)

        self.crawler.signals.send_catch_log(
            signal=url_skipped,
            url=request.url,
            reason="trap",
            referer=response.url if response is not None else None,
        )
        return None

    def trap(self, request: Request) -> str | None:
        """The rule *request* breaks (``depth``, ``repeated_segment``, ``query_variants``)."""
        depth = request.meta.get("depth", 0)
        if self.max_depth and isinstance(depth, int) and depth > self.max_depth:
            return "depth"
        parts = urlsplit(request.url)
        if self.max_repeats:
            segments = Counter(s for s in parts.path.split("/") if s)
            if segments and max(segments.values()) > self.max_repeats:
                return "repeated_segment"
        if self.max_variants and parts.query:
            seen = self._variants[(parts.netloc.lower(), parts.path)]
            key = hash(parts.query)
            if key not in seen:
                if len(seen) >= self.max_variants:
                    return "query_variants"
                seen.add(key)
        return None


__all__ = ["DEFAULTS", "PRIORITY", "TrapMiddleware"]
