"""A Scrapy scheduler whose frontier and seen-set survive SIGKILL: `FrontierScheduler`.

It is Scrapy's own `Scheduler` (memory queues, priorities) plus a
`crawler.frontier.CrawlState` file: every request it accepts is recorded
there (queued) before it is queued in memory, and marked done once it has
been handled, so ``arsip crawl PROFILE --resume`` can re-queue exactly the
requests that were not finished and refuse every URL already recorded.

When a request is done:

- an article: when its item has passed the pipelines (``item_scraped``,
  or ``item_dropped`` / ``item_error``), so its JSON line is written;
- any other response, or an article that yields no item: when its
  callback (or errback) has finished, so every link it yielded is
  recorded first (the spider sends `crawler.frontier.request_handled`);
- a redirected request: when the redirect is scheduled (the 3xx is in the
  WARC already, and the target is recorded as a new request).

Settings: ``FRONTIER_ENABLED`` (True; off gives Scrapy's plain scheduler),
``ARSIP_OUT_DIR``, ``ARSIP_CRAWL_ID``, ``ARSIP_RESUME`` (False: re-queue
the queued requests of an existing state file). The output directory's
lock is the add-on's (`crawler.addon`). Stats: ``frontier/added``,
``frontier/done``, ``frontier/resumed``, ``frontier/redirected``.
"""

from __future__ import annotations

import logging
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, signals
from scrapy.core.scheduler import Scheduler
from scrapy.http import Response
from scrapy.utils.request import request_from_dict
from twisted.internet import task

from crawler import defaults as crawl_defaults
from crawler.frontier import (
    META_SEQ,
    CrawlState,
    data_files,
    encode_request,
    request_handled,
    request_kind,
    state_path,
)
from pipelines import defaults

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

#: The state of each running crawler, for the other components (report, spider).
_STATES: weakref.WeakKeyDictionary[Any, CrawlState] = weakref.WeakKeyDictionary()


def state_of(crawler: Crawler) -> CrawlState | None:
    """The crawl state the scheduler of *crawler* keeps, or None (frontier off / not open)."""
    return _STATES.get(crawler)


class FrontierScheduler(Scheduler):
    """Scrapy's scheduler with a crash-safe frontier on disk."""

    def __init__(self, dupefilter: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(dupefilter, *args, **kwargs)
        self.enabled = True
        self.resume = False
        self.out_dir = Path("data")
        self.state: CrawlState | None = None
        self._expected: dict[int, int] = {}
        self._finished: dict[int, int] = {}
        self._item_ids: dict[int, str] = {}
        self._fingerprints: set[str] = set()
        self._loop: task.LoopingCall | None = None
        self._run = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        scheduler: Self = super().from_crawler(crawler)
        settings = crawler.settings
        scheduler.enabled = settings.getbool("FRONTIER_ENABLED", crawl_defaults.FRONTIER_ENABLED)
        scheduler.resume = settings.getbool("ARSIP_RESUME", crawl_defaults.ARSIP_RESUME)
        scheduler.out_dir = defaults.out_dir(settings)
        if scheduler.enabled:
            for signal, handler in (
                (signals.item_scraped, scheduler.item_finished),
                (signals.item_dropped, scheduler.item_finished),
                (signals.item_error, scheduler.item_finished),
                (request_handled, scheduler.request_handled),
                # Connected after the report extension's: the report reads the state first.
                (signals.spider_closed, scheduler.close_state),
            ):
                crawler.signals.connect(handler, signal=signal)
        return scheduler

    @property
    def _crawler(self) -> Crawler:
        assert self.crawler is not None, "FrontierScheduler needs a crawler (use from_crawler)"
        return self.crawler

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)

    # -- life cycle ------------------------------------------------------

    def open(self, spider: Spider) -> Deferred[None] | None:
        result = super().open(spider)
        if not self.enabled:
            return result
        crawl_id = str(self._crawler.settings.get("ARSIP_CRAWL_ID") or "")
        path = state_path(self.out_dir, crawl_id)
        existing = path.exists()
        out_dir = self.out_dir
        self.state = CrawlState(path, sync_files=lambda: data_files(out_dir))
        _STATES[self._crawler] = self.state
        if existing and self.resume:
            self._reload(spider)
        self.state.set_meta(
            crawl_id=crawl_id,
            profile=getattr(getattr(spider, "profile", None), "name", ""),
            mode=self._crawler.settings.get("ARSIP_CRAWL_MODE_RESOLVED") or "",
            finished=False,
        )
        self._run = self.state.begin_run()
        self._loop = task.LoopingCall(self.state.maybe_checkpoint)
        self._loop.start(self.state.commit_interval, now=False)
        return result

    def _reload(self, spider: Spider) -> None:
        assert self.state is not None
        self._fingerprints.update(self.state.fingerprints())
        resumed = 0
        for queued in self.state.queued():
            request = request_from_dict(queued.request, spider=spider)
            request.meta[META_SEQ] = queued.seq
            self._push(request)
            resumed += 1
        self._inc("frontier/resumed", resumed)
        logger.info(
            "Resuming: %d requests re-queued, %d URLs already seen",
            resumed,
            len(self._fingerprints),
        )

    def close(self, reason: str) -> Deferred[None] | None:
        result = super().close(reason)
        if self.state is None:
            return result
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.state.end_run(self._run, reason)
        # A shutdown (Ctrl-C, SIGTERM) can be resumed; any other end is final.
        self.state.set_meta(finished=reason != "shutdown", finish_reason=reason)
        self.state.checkpoint()
        return result

    def close_state(self, **kwargs: Any) -> None:
        """Close the state file (after the report has read it)."""
        if self.state is not None:
            self.state.close()
            _STATES.pop(self._crawler, None)
            self.state = None

    # -- queueing --------------------------------------------------------

    def _push(self, request: Request) -> None:
        if self._dqpush(request):
            self._inc("scheduler/enqueued/disk")
        else:
            self._mqpush(request)
            self._inc("scheduler/enqueued/memory")
        self._inc("scheduler/enqueued")

    def enqueue_request(self, request: Request) -> bool:
        """Record *request* (queued) and queue it; False for a URL already recorded."""
        if self.state is None:
            return bool(super().enqueue_request(request))
        seq = request.meta.get(META_SEQ)
        if seq is not None:
            if self.state.url_of(seq) == request.url:
                self._push(request)  # a retry of a recorded request
                return True
            # A redirect: the 3xx is archived, the target is a request of its own.
            self.state.done(seq, "redirected")
            self._inc("frontier/redirected")
            self._inc("frontier/done")
            del request.meta[META_SEQ]
        fingerprint = self._crawler.request_fingerprinter.fingerprint(request).hex()
        if fingerprint in self._fingerprints and not request.dont_filter:
            self.df.log(request, self.spider)
            return False
        callback = request.callback.__name__ if request.callback else None
        try:
            encoded = encode_request(request.to_dict(spider=self.spider))
        except ValueError:  # a callback that is not a spider method: keep what we can
            logger.warning("Request %s cannot be fully recorded for a resume", request)
            encoded = encode_request({"url": request.url, "method": request.method})
        if fingerprint in self._fingerprints:  # dont_filter and recorded: reuse a fresh key
            fingerprint = f"{fingerprint}-{len(self._fingerprints)}"
        self._fingerprints.add(fingerprint)
        request.meta[META_SEQ] = self.state.add(
            fingerprint,
            request.url,
            request_kind(callback),
            int(request.meta.get("depth", 0)),
            encoded,
        )
        self._inc("frontier/added")
        self._push(request)
        return True

    # -- marking done ----------------------------------------------------

    def _maybe_done(self, seq: int, outcome: str) -> None:
        expected = self._expected.get(seq)
        if expected is None or self._finished.get(seq, 0) < expected:
            return
        assert self.state is not None
        self.state.done(seq, outcome, self._item_ids.pop(seq, None))
        self._expected.pop(seq, None)
        self._finished.pop(seq, None)
        self._inc("frontier/done")

    def request_handled(self, request: Request, items: int, outcome: str) -> None:
        """The spider finished with *request* (its links are recorded); *items* pending."""
        seq = request.meta.get(META_SEQ)
        if seq is None or self.state is None:
            return
        self._expected[seq] = items
        self._maybe_done(seq, outcome)

    def item_finished(self, item: Any, response: Response | None = None, **kwargs: Any) -> None:
        """An item left the pipelines (written, dropped or failed)."""
        if response is None or self.state is None:
            return
        seq = response.meta.get(META_SEQ)
        if seq is None:
            return
        self._finished[seq] = self._finished.get(seq, 0) + 1
        item_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(item_id, str):
            self._item_ids[seq] = item_id
        self._maybe_done(seq, "article")

    @property
    def queued_count(self) -> int:
        """Requests waiting in memory (for the progress display)."""
        return len(self)
