"""`ArsipAddon`: the one place that wires arsip into a Scrapy crawl.

Enabled in crawler/settings.py (``ADDONS``), so ``arsip crawl`` (which runs
Scrapy in process, `arsip.crawling`), ``scrapy crawl news -a profile=anri``
and a Scrapyd job all get the same wiring, decided here once:

1. **components**: arsip's downloader and spider middlewares, item
   pipelines, extensions, download handlers and scheduler, each at the
   priority given (with the reason) in `COMPONENTS`;
2. **the profile's settings** (politeness, user agent, collection, WARC
   prefix, where the collection lives), at spider priority: the project
   defaults give way to them, ``-s`` / ``arsip crawl`` options win over them;
3. **the crawl id**: ``ARSIP_CRAWL_ID``, generated when empty;
4. **the Redis swap**: with ``REDIS_URL`` this process is a worker of a
   distributed crawl (`crawler.distributed.configure`: the Redis scheduler,
   the shared crawl id);
5. **the collection's lock** (`arsip.core.lock`): taken here unless this
   process holds it already (``arsip crawl`` takes it before Scrapy starts,
   to refuse a second crawl before anything is created), released when the
   engine stops.

Scrapy creates the spider before it applies add-ons (Scrapy >= 2.11), so
the profile is the spider's (``-a profile=...``); the spider finishes its
own set-up from the final settings (`NewsSpider.prepare`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.settings import BaseSettings

from arsip.core.lock import CrawlLock, held_lock
from crawler import defaults as crawl_defaults
from crawler.distributed import configure
from crawler.middlewares import (
    budget,
    conditional,
    limits,
    retry_after,
    scope,
    traps,
    warc_capture,
    xml_guard,
)
from crawler.spiders.news import NewsSpider, new_crawl_id, profile_settings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: arsip's Scrapy components by setting, each at its order among Scrapy's built-ins
#: (the reason for each number is in its module's docstring, next to ``PRIORITY``).
COMPONENTS: dict[str, dict[str, int | None]] = {
    "DOWNLOADER_MIDDLEWARES": {
        "crawler.middlewares.warc_capture.WarcCaptureMiddleware": warc_capture.PRIORITY,
        "crawler.middlewares.limits.ResponseLimitsMiddleware": limits.PRIORITY,
        "crawler.middlewares.conditional.ConditionalRequestMiddleware": conditional.PRIORITY,
        "crawler.middlewares.scope.ScopeMiddleware": scope.PRIORITY,
        "crawler.middlewares.xml_guard.XmlGuardMiddleware": xml_guard.PRIORITY,
        # Replaced by RetryAfterMiddleware, at its place.
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "crawler.middlewares.retry_after.RetryAfterMiddleware": retry_after.PRIORITY,
        "crawler.middlewares.budget.CrawlBudgetMiddleware": budget.PRIORITY,
    },
    "SPIDER_MIDDLEWARES": {
        "crawler.middlewares.traps.TrapMiddleware": traps.PRIORITY,
    },
    "ITEM_PIPELINES": {
        # Validate first: nothing invalid reaches a file.
        "pipelines.validate.ValidateItemPipeline": 100,
        # Then the per-crawl JSON Lines, then the dataset.
        "pipelines.jsonlines.JsonLinesPipeline": 300,
        "pipelines.dataset.DatasetPipeline": 400,
    },
    "EXTENSIONS": {
        "crawler.extensions.progress.ProgressExtension": 500,
        # Responses, skipped URLs and errors into the crawl's state; the report at the end.
        "crawler.extensions.report.ReportExtension": 510,
        # One JSON line per URL and what became of it: logs/CRAWL_ID.jsonl.
        "crawler.extensions.crawl_log.CrawlLogExtension": 520,
    },
}

#: Components set whole: Scrapy's scheduler plus a crash-safe frontier on disk
#: (JOBDIR is not SIGKILL-safe: it writes its queues and seen-set only at a clean
#: close), and the download handler that shows every attempt (no hidden Twisted
#: retry of a reused connection).
REPLACED: dict[str, Any] = {
    "SCHEDULER": "crawler.scheduler.FrontierScheduler",
    "DOWNLOAD_HANDLERS": {
        "http": "crawler.handlers.http11.AttemptVisibleHTTP11DownloadHandler",
        "https": "crawler.handlers.http11.AttemptVisibleHTTP11DownloadHandler",
    },
}


def add_components(settings: BaseSettings) -> None:
    """Add arsip's components to *settings*; a component the settings name already keeps
    the order (or None) given there, and `REPLACED` gives way to a project's own."""
    for name, components in COMPONENTS.items():
        current = settings.getdict(name)
        for path, order in components.items():
            current.setdefault(path, order)
        settings.set(name, current, priority=max(settings.getpriority(name) or 0, 15))
    for name, value in REPLACED.items():
        settings.set(name, value, priority="addon")


class ArsipAddon:
    """Wire arsip into the crawl (see the module docstring); one per crawler."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.lock: CrawlLock | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        addon = cls(crawler)
        crawler.signals.connect(addon.release, signal=signals.engine_stopped)
        return addon

    def update_settings(self, settings: BaseSettings) -> None:
        """Components, the profile's settings, crawl id, Redis, lock; then the spider's set-up."""
        add_components(settings)
        spider = self.crawler.spider
        if not isinstance(spider, NewsSpider):
            return  # another spider of the project: components only
        profile = spider.profile
        out_dir = str(settings.get("ARSIP_OUT_DIR") or Path("data") / profile.name)
        throttle = settings.getbool(
            "ARSIP_THROTTLE_LOOPBACK", crawl_defaults.ARSIP_THROTTLE_LOOPBACK
        )
        implied = profile_settings(profile, out_dir, spider.start_urls, throttle_loopback=throttle)
        for key, value in implied.items():
            settings.set(key, value, priority="spider")
        settings.set("ARSIP_PROFILE", profile.path or profile.name, priority="spider")
        max_pages = spider.max_pages or profile.crawl.max_pages
        if max_pages:
            settings.set("CLOSESPIDER_PAGECOUNT", max_pages, priority="spider")
        if settings.get("REDIS_URL"):  # a worker of a distributed crawl
            configure(settings, profile.name, new_crawl_id())
        if not settings.get("ARSIP_CRAWL_ID"):
            settings.set("ARSIP_CRAWL_ID", new_crawl_id(), priority="spider")
        crawl_id = str(settings.get("ARSIP_CRAWL_ID"))
        if held_lock(out_dir) is None:  # `scrapy crawl`, Scrapyd: `arsip crawl` holds it already
            self.lock = CrawlLock(out_dir, crawl_id).acquire()
        spider.prepare(settings)

    def release(self) -> None:
        """Release the lock this add-on took (idempotent)."""
        if self.lock is not None:
            self.lock.release()
            self.lock = None
