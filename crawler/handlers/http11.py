"""Scrapy's HTTP/1.1 download handler, without Twisted's silent retry.

Twisted's connection pool retries an idempotent request once, on a new
connection, when a reused keep-alive connection fails before any byte of
the response (``HTTPConnectionPool.retryAutomatically``). Scrapy never
hears of the first attempt, so neither the WARC nor the crawl report could
show it. `AttemptVisibleHTTP11DownloadHandler` turns that off: the failure
reaches the downloader middlewares, the capture middleware records the
failed attempt, and `crawler.middlewares.retry_after.RetryAfterMiddleware`
retries it (after a wait, counted, reported).

Set for ``http`` and ``https`` in ``DOWNLOAD_HANDLERS`` (crawler/settings.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class AttemptVisibleHTTP11DownloadHandler(HTTP11DownloadHandler):
    """HTTP11DownloadHandler whose connection pool does not retry behind Scrapy's back."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool.retryAutomatically = False


__all__ = ["AttemptVisibleHTTP11DownloadHandler"]
