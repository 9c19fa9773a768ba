"""Live crawl progress: a one-line bar on a TTY, periodic plain lines otherwise.

Shows pages done / queued (with a bar of the known frontier), articles,
the mode (full / incremental), rate, errors, skipped URLs and an ETA (the
time to empty the queue at the current rate: a lower bound, since pages
keep adding links). A resumed crawl counts what earlier runs did too.

Setting ARSIP_PROGRESS: "bar", "log", "off", or "auto" (bar when stderr is a
terminal, log otherwise); ARSIP_PROGRESS_INTERVAL: seconds between log lines.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler import defaults as crawl_defaults
from crawler.scheduler import state_of
from crawler.stats import final_failures

BAR_INTERVAL = 0.5


class ProgressExtension:
    """Report pages done / queued, articles, rate and errors while crawling."""

    def __init__(self, crawler: Any, mode: str, interval: float, stream: TextIO) -> None:
        self.crawler = crawler
        self.mode = mode
        self.interval = interval
        self.stream = stream
        self.started = time.monotonic()
        self._loop: task.LoopingCall | None = None
        self._last_len = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressExtension:
        mode = crawler.settings.get("ARSIP_PROGRESS", crawl_defaults.ARSIP_PROGRESS)
        if mode not in ("auto", "bar", "log", "off"):
            raise NotConfigured(f"ARSIP_PROGRESS must be auto, bar, log or off, not {mode!r}")
        stream = sys.stderr
        if mode == "auto":
            mode = "bar" if stream.isatty() else "log"
        if mode == "off":
            raise NotConfigured("ARSIP_PROGRESS is off")
        interval = (
            BAR_INTERVAL
            if mode == "bar"
            else crawler.settings.getfloat(
                "ARSIP_PROGRESS_INTERVAL", crawl_defaults.ARSIP_PROGRESS_INTERVAL
            )
        )
        ext = cls(crawler, mode, interval, stream)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self._loop = task.LoopingCall(self.tick)
        self._loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.tick()
        if self.mode == "bar":
            self.stream.write("\n")
            self.stream.flush()

    def _queued(self) -> int | None:
        engine = getattr(self.crawler, "engine", None)
        slot = getattr(engine, "_slot", None)
        scheduler = getattr(slot, "scheduler", None)
        try:
            return len(scheduler) if scheduler is not None else None
        except TypeError:
            return None

    def _frontier(self) -> tuple[int, int] | None:
        """(done, queued) requests of the crawl's frontier, earlier runs included."""
        state = state_of(self.crawler)
        if state is None:
            return None
        counts = state.counts()
        return counts.get("done", 0), counts.get("queued", 0)

    def line(self) -> str:
        """The progress text: pages done/queued, articles, rate, errors, ETA."""
        stats = self.crawler.stats
        pages = int(stats.get_value("downloader/response_count", 0))
        articles = int(stats.get_value("item_scraped_count", 0))
        errors = final_failures(stats.get_stats())
        skipped = sum(
            int(v) for k, v in stats.get_stats().items() if k.startswith("skip/") and k != "skip/"
        )
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = pages / elapsed
        queued = self._queued()
        parts = []
        frontier = self._frontier()
        if frontier is not None and frontier[0] + frontier[1]:
            done, pending = frontier
            parts.append(f"{_bar(done, done + pending)} {done}/{done + pending}")
        parts.append(f"pages {pages}")
        if queued is not None:
            parts.append(f"queued {queued}")
        mode = stats.get_value("crawl/mode")
        parts.append(f"articles {articles}" + (f" ({mode})" if mode else ""))
        parts += [f"{rate:.1f} pages/s", f"errors {errors}", f"skipped {skipped}"]
        if queued and rate > 0:
            parts.append(f"ETA {queued / rate:.0f}s")
        parts.append(f"{elapsed:.0f}s")
        return " | ".join(parts)

    def tick(self) -> None:
        text = self.line()
        if self.mode == "bar":
            pad = max(self._last_len - len(text), 0)
            self.stream.write("\r" + text + " " * pad)
            self._last_len = len(text)
        else:
            self.stream.write(f"arsip: progress: {text}\n")
        self.stream.flush()


def _bar(done: int, total: int, width: int = 20) -> str:
    """``[#######.............]`` for *done* of *total*."""
    filled = round(width * done / total) if total else 0
    return "[" + "#" * filled + "." * (width - filled) + "]"
