"""What a crawl's Scrapy stats say about it, for every entry point (CLI, Scrapyd, progress)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _count(stats: Mapping[str, Any], key: str) -> int:
    value = stats.get(key, 0)
    return int(value) if isinstance(value, int | float) else 0


def final_failures(stats: Mapping[str, Any]) -> int:
    """How many things failed for good in a crawl with these Scrapy stats.

    - requests that got no usable answer in the end (``fetch/failed/*``,
      counted by the news spider's errback): every try failed (a 5xx, 429
      or 408 status, a network error, an incomplete body) or the failure
      is not one that is retried (a Retry-After longer than
      ``RETRY_AFTER_MAX``, a download error that is not retryable);
    - exceptions in spider callbacks (``spider_exceptions/count``);
    - every other ERROR log line: a pipeline, WARC, dataset or report
      write that failed, a robots.txt that could not be fetched.

    Scrapy logs an ERROR line for each request it gives up retrying
    (``retry/max_reached``, at ``RETRY_GIVE_UP_LOG_LEVEL``, ERROR unless
    changed) and for each spider exception; those lines report failures
    already counted above and are subtracted. Attempts a retry recovered
    are not failures (``downloader/exception_count`` and ``retry/count``
    count every attempt).
    """
    fetch = sum(_count(stats, key) for key in stats if key.startswith("fetch/failed/"))
    spider = _count(stats, "spider_exceptions/count")
    logged = _count(stats, "log_count/ERROR") - _count(stats, "retry/max_reached") - spider
    return fetch + spider + max(0, logged)
