"""The per-URL crawl log: ``logs/CRAWL_ID.jsonl``, one JSON line per URL and what became of it.

Like Heritrix's ``crawl.log`` or Browsertrix's JSON logs, for reading with
``jq`` or loading anywhere: every fetched URL, every failure and every URL
left out, in the order they happened, each line

``{"time", "url", "status", "bytes", "kind", "outcome", "via"}``

- ``time``: UTC, ISO 8601 with milliseconds; ``status``: the HTTP status
  (null when no response came); ``bytes``: the body as received;
- ``kind``: article, listing, sitemap, requisite, robots, ...;
- ``outcome``: ``ok`` (or the spider's outcome: ``http_404``,
  ``error/...``, ``spider_error``), ``redirected`` for a 3xx, ``robots``
  for robots.txt, ``skipped: REASON`` for a URL left out (each URL and
  reason once);
- ``via``: the page the URL was found on (its Referer), when known.

The file is appended to line by line (a resumed crawl continues it; a
kill loses at most the line being written) and the report links to it.
``ARSIP_CRAWL_LOG_ENABLED`` (default on) switches it off.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import IO, Any

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from arsip.core.layout import crawl_log_path
from crawler import defaults as crawl_defaults
from crawler.frontier import request_handled, request_kind, url_skipped
from pipelines import defaults
from pipelines.full_disk import stop_for_full_disk


def _now() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def _via(request: Request | None) -> str | None:
    sent = request.headers.get("Referer") if request is not None else None
    return sent.decode("latin-1") if sent else None


class CrawlLogExtension:
    """Writes one line per URL handled, redirected or skipped into the crawl log."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self._file: IO[str] | None = None
        self._broken = False  # a write met a full disk: nothing more is written
        self._responses: dict[str, tuple[int, int]] = {}  # url -> (status, bytes), until handled
        self._skipped: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlLogExtension:
        settings = crawler.settings
        if not settings.getbool("ARSIP_CRAWL_LOG_ENABLED", crawl_defaults.ARSIP_CRAWL_LOG_ENABLED):
            raise NotConfigured("ARSIP_CRAWL_LOG_ENABLED is off")
        ext = cls(crawler)
        for signal, handler in (
            (signals.response_downloaded, ext.response_downloaded),
            (request_handled, ext.request_handled),
            (url_skipped, ext.url_skipped),
            (signals.spider_closed, ext.spider_closed),
        ):
            crawler.signals.connect(handler, signal=signal)
        return ext

    @property
    def path(self) -> Path:
        """The log's file (the crawl id is settled once the spider is made)."""
        settings = self.crawler.settings
        return crawl_log_path(defaults.out_dir(settings), defaults.crawl_id(settings) or "crawl")

    def write(self, **line: Any) -> None:
        """Append one line; a full disk is handed to `pipelines.full_disk` (one line,
        the crawl stops resumably) and the log writes nothing more."""
        if self._broken:
            return
        try:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("a", encoding="utf-8")
            self._file.write(json.dumps({"time": _now(), **line}, ensure_ascii=False) + "\n")
            self._file.flush()
        except OSError as exc:
            self._broken = True
            if not stop_for_full_disk(self.crawler, "the crawl log", self.path.parent, exc):
                raise

    def response_downloaded(self, response: Response, request: Request, **kwargs: Any) -> None:
        size = len(response.body)
        if request.url.endswith("/robots.txt"):
            kind, outcome = "robots", "robots"
        elif 300 <= response.status < 400 and response.headers.get("Location"):
            callback = getattr(request.callback, "__name__", None)
            kind, outcome = request_kind(callback), "redirected"
        else:
            self._responses[request.url] = (response.status, size)
            return
        self.write(
            url=request.url,
            status=response.status,
            bytes=size,
            kind=kind,
            outcome=outcome,
            via=_via(request),
        )

    def request_handled(self, request: Request, outcome: str, **kwargs: Any) -> None:
        status, size = self._responses.pop(request.url, (None, 0))
        callback = getattr(request.callback, "__name__", None)
        self.write(
            url=request.url,
            status=status,
            bytes=size,
            kind=request_kind(callback),
            outcome=outcome,
            via=_via(request),
        )

    def url_skipped(self, url: str, reason: str, referer: str | None = None, **kwargs: Any) -> None:
        if (url, reason) in self._skipped:
            return
        self._skipped.add((url, reason))
        self.write(
            url=url, status=None, bytes=0, kind="", outcome=f"skipped: {reason}", via=referer
        )

    def spider_closed(self, **kwargs: Any) -> None:
        for url, (status, size) in self._responses.items():  # fetched, never handled
            self.write(url=url, status=status, bytes=size, kind="", outcome="fetched", via=None)
        self._responses.clear()
        if self._file is not None:
            try:
                self._file.close()
            except OSError as exc:  # the last buffered lines met a full disk
                if not stop_for_full_disk(self.crawler, "the crawl log", self.path.parent, exc):
                    raise
            self._file = None
