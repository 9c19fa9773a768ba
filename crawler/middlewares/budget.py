"""Crawl limits that stop close to the number given: pages and bytes.

Scrapy's ``CLOSESPIDER_PAGECOUNT`` closes the spider once N responses have
come in, but every request already sent (up to ``CONCURRENT_REQUESTS``) is
still fetched and archived: ``--max-pages 5`` fetched 19 pages. This
middleware sends no new request past the budget instead:

- **pages** (``CLOSESPIDER_PAGECOUNT``, ``--max-pages``): at most N
  requests go out (a retry of one of them is not a new page); the rest are
  refused (``Skipped``), a skip with reason ``max_pages``;
- **bytes** (``ARSIP_SIZE_LIMIT``, ``--size-limit``): once the bodies
  received (as on the wire: the figure the report shows) reach the limit,
  no new request goes out (reason ``size_limit``) and the crawl closes
  with ``closespider_sizelimit``.

Order 120: after Scrapy's RobotsTxtMiddleware (100), so a URL robots.txt
forbids spends nothing.
"""

from __future__ import annotations

from typing import Any, Final

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from crawler import defaults as crawl_defaults
from crawler.exceptions import Skipped

#: Order in DOWNLOADER_MIDDLEWARES (see the module docstring).
PRIORITY: Final = 120
#: Messages of the refusals (their reasons are data: ``Skipped``).
OVER_PAGES = "Over the page limit"
OVER_SIZE = "Over the size limit"
#: Close reason of a crawl stopped by ARSIP_SIZE_LIMIT.
SIZE_REASON = "closespider_sizelimit"


class CrawlBudgetMiddleware:
    """Refuses requests past the page budget and, after the size budget, closes the crawl."""

    def __init__(self, crawler: Any, pages: int, size: int) -> None:
        self.crawler = crawler
        self.pages = pages
        self.size = size
        self.sent = 0
        self.received = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlBudgetMiddleware:
        pages = crawler.settings.getint("CLOSESPIDER_PAGECOUNT", 0)
        size = crawler.settings.getint("ARSIP_SIZE_LIMIT", crawl_defaults.ARSIP_SIZE_LIMIT)
        if pages < 0 or size < 0:
            raise ValueError("CLOSESPIDER_PAGECOUNT and ARSIP_SIZE_LIMIT must be 0 or more")
        if not pages and not size:
            raise NotConfigured  # no limit: nothing to say (a message would be a warning line)
        middleware = cls(crawler, pages, size)
        # The bodies as they came off the wire, as the crawl's figures count them.
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        return middleware

    def process_request(self, request: Request) -> None:
        if request.meta.get("retry_times"):  # another try of a page already counted
            return
        if self.size and self.received >= self.size:
            raise Skipped("size_limit", f"{OVER_SIZE} ({self.size} bytes)")
        if self.pages and self.sent >= self.pages:
            raise Skipped("max_pages", f"{OVER_PAGES} ({self.pages} pages)")
        self.sent += 1

    def response_downloaded(self, response: Response, request: Request, **kwargs: Any) -> None:
        self.received += len(response.body)
        if self.size and self.received >= self.size and not self.closing:
            self.closing = True
            self.crawler.stats.set_value("crawl/size_limit", self.size)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=SIZE_REASON))
