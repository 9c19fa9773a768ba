"""Collect what a crawl did, as it does it, and write its report when it ends.

`ReportExtension` records into the crawl's state file (`crawler.frontier`):

- every response as it came off the wire (status, MIME type, body bytes
  as received, host, latency, time, kind) from ``response_downloaded``,
  so redirects and retried failures count too;
- what the spider took each page for (article, listing, other) and why
  (``page_classified``);
- every URL not fetched, with its reason: the spider's own skips
  (``url_skipped``: out of scope, excluded, depth, known, not news, robots
  from its errback), duplicates the scheduler refused (``request_dropped``),
  and, when the crawl stopped at its page limit, every request still queued
  (reason ``max_pages``);
- spider and pipeline errors (``spider_error``, ``item_error``,
  ``item_dropped``).

When the spider closes it adds the URLs fetched to the collection's
``known.sqlite`` (for incremental crawls) and writes
``OUT/reports/CRAWL_ID.json`` and ``.html`` (`crawler.report`).

Settings: ``ARSIP_REPORT_ENABLED`` (True), ``ARSIP_OUT_DIR``,
``ARSIP_CRAWL_ID``. Stats: ``report/written``, ``report/errors``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from arsip.core import layout
from crawler import defaults as crawl_defaults
from crawler.figures import CrawlFigures
from crawler.frontier import CrawlState, page_classified, request_kind, url_skipped
from crawler.incremental import remember_urls
from crawler.report import write_reports
from crawler.scheduler import state_of
from pipelines import defaults
from pipelines.full_disk import stop_for_full_disk

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)


class ReportExtension:
    """Records responses, skips and errors; writes the crawl report at the end."""

    def __init__(self, crawler: Crawler, out_dir: Path) -> None:
        self.crawler = crawler
        self.out_dir = out_dir

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReportExtension:
        if not crawler.settings.getbool(
            "ARSIP_REPORT_ENABLED", crawl_defaults.ARSIP_REPORT_ENABLED
        ):
            raise NotConfigured("ARSIP_REPORT_ENABLED is off")
        ext = cls(crawler, defaults.out_dir(crawler.settings))
        for signal, handler in (
            (signals.response_downloaded, ext.response_downloaded),
            (signals.request_dropped, ext.request_dropped),
            (signals.spider_error, ext.spider_error),
            (signals.item_error, ext.item_error),
            (signals.item_dropped, ext.item_dropped),
            (signals.spider_closed, ext.spider_closed),
            (url_skipped, ext.url_skipped),
            (page_classified, ext.page_classified),
        ):
            crawler.signals.connect(handler, signal=signal)
        return ext

    @property
    def state(self) -> CrawlState | None:
        return state_of(self.crawler)

    # -- while crawling --------------------------------------------------

    def response_downloaded(self, response: Response, request: Request, **kwargs: Any) -> None:
        state = self.state
        if state is None:
            return
        callback = getattr(request.callback, "__name__", None)
        kind = "robots" if request.url.endswith("/robots.txt") else request_kind(callback)
        mime = response.headers.get("Content-Type", b"") or b""
        state.add_response(
            response.url,
            response.status,
            mime.decode("latin-1").split(";")[0].strip().lower() or "(none)",
            len(response.body),
            latency=request.meta.get("download_latency"),
            kind=kind,
        )

    def url_skipped(self, url: str, reason: str, referer: str | None = None, **kwargs: Any) -> None:
        if self.state is not None:
            self.state.add_skip(url, reason, referer)

    def page_classified(self, url: str, kind: str, reason: str, **kwargs: Any) -> None:
        if self.state is not None:
            self.state.add_classified(url, kind, reason)

    def request_dropped(self, request: Request, **kwargs: Any) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("skip/duplicate")
        if self.state is not None:
            referer = request.headers.get("Referer")
            self.state.add_skip(
                request.url, "duplicate", referer.decode("latin-1") if referer else None
            )

    def spider_error(self, failure: Failure, response: Response, **kwargs: Any) -> None:
        if self.state is not None:
            self.state.add_error(response.url, "spider", failure.getErrorMessage())

    def item_error(
        self, item: Any, response: Response | None, failure: Failure, **kwargs: Any
    ) -> None:
        if self.state is not None:
            url = item.get("url") if isinstance(item, dict) else None
            self.state.add_error(url, "pipeline", failure.getErrorMessage())

    def item_dropped(
        self, item: Any, response: Response | None, exception: BaseException, **kwargs: Any
    ) -> None:
        if self.state is not None:
            url = item.get("url") if isinstance(item, dict) else None
            self.state.add_error(url, "dropped", str(exception))

    # -- at the end ------------------------------------------------------

    def spider_closed(self, reason: str, **kwargs: Any) -> None:
        """Note what the page limit left out, remember the URLs, write the reports."""
        state = self.state
        if state is None:
            return
        crawl_id = str(self.crawler.settings.get("ARSIP_CRAWL_ID") or "")
        if reason == "closespider_pagecount":
            for row in state.rows("SELECT seq, url FROM requests WHERE status = 'queued'"):
                state.add_skip(row["url"], "max_pages")
                state.done(row["seq"], "max_pages")
        state.checkpoint()
        try:
            # A cursor, not a list: the rows stream into known.sqlite.
            fetched = state.conn.execute(
                "SELECT r.url, q.kind, r.status FROM responses r"
                " LEFT JOIN requests q ON q.url = r.url ORDER BY r.id"
            )
            remember_urls(
                self.out_dir,
                crawl_id,
                ((row[0], row[1] or "other", row[2]) for row in fetched),
            )
        except Exception as exc:
            where = self.out_dir / "state"
            if not stop_for_full_disk(self.crawler, "the URLs of the crawl", where, exc):
                logger.exception("Could not record the URLs of crawl %s", crawl_id)
        stats = dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}
        stats["finish_reason"] = reason
        # The figures every view shows (crawler.figures), into the stats: the
        # summary and the dataset's crawls row carry the report's own values.
        figures = CrawlFigures.of(state, stats).as_stats()
        stats.update(figures)
        if self.crawler.stats is not None:
            for key, value in figures.items():
                self.crawler.stats.set_value(key, value)
        try:
            dataset = layout.dataset_path(self.out_dir, self.crawler.settings.get("DATASET_PATH"))
            paths = write_reports(self.out_dir, crawl_id, state=state, stats=stats, dataset=dataset)
        except Exception as exc:
            where = layout.reports_dir(self.out_dir)
            if not stop_for_full_disk(self.crawler, "the crawl report", where, exc):
                logger.exception("Could not write the report of crawl %s", crawl_id)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("report/errors")
            return
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("report/written")
        logger.info("Report: %s", paths[1])
