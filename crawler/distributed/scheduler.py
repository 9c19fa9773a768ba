"""The Scrapy scheduler of a distributed crawl: `RedisScheduler`.

It is scrapy-redis's ``Scheduler`` (the frontier and the seen-set live in
Redis, shared by every worker) made safe for workers that die and for
workers that finish at different times:

- requests are queued through `crawler.distributed.queue.LeasedPriorityQueue`:
  seen-set and queue in one atomic step, nothing after the crawl is finished;
- a popped request is **leased**: it stays in Redis's in-flight hash until
  this worker is finished with it, which is when the local
  `crawler.scheduler.FrontierScheduler` would mark it done: an article once
  its item has left the pipelines, any other page once its callback (or
  errback) has returned, a redirect or retry when its follow-up is queued.
  A worker that dies keeps its leases only as long as its heartbeat
  (`crawler.distributed.worker.Heartbeat`) lives; then any worker's reaper
  (every ``DISTRIBUTED_REAP_INTERVAL`` seconds) puts them back in the queue;
- a worker stopped early (Ctrl-C, SIGTERM, page limit) puts its own leases
  back before it closes;
- the seen-set and queue are never flushed by a worker that closes (scrapy-redis
  would, without ``SCHEDULER_PERSIST``): the crawl is over only when the queue
  is empty and nothing is in flight in any worker
  (`crawler.distributed.crawl.SharedCrawl.try_finish`). Until then an idle
  worker stays open (``DontCloseSpider``) and keeps looking for work.

Like the local scheduler (the add-on, `crawler.addon`, takes the output
directory's lock: one worker per directory), it keeps a
`crawler.frontier.CrawlState` in ``state/CRAWL_ID.sqlite``: not a frontier
to resume (its meta says ``finished`` from the start, so ``--resume`` never
picks it up) but the worker's own record of what it fetched, skipped and
failed, from which the report extension writes the worker's report and the
progress display counts. Stats: ``distributed/pushed``,
``distributed/duplicates``, ``distributed/popped``, ``distributed/done``,
``distributed/requeued``, ``distributed/reaped``, ``distributed/orphans``,
``distributed/errors``.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from twisted.internet import task

from crawler.distributed import crawl_keys, setting
from crawler.distributed.crawl import Outcome, SharedCrawl
from crawler.distributed.queue import META_LEASE, JsonRequestSerializer, LeasedPriorityQueue
from crawler.distributed.worker import Heartbeat
from crawler.frontier import CrawlState, data_files, request_handled, request_kind, state_path
from crawler.scheduler import _STATES  # the registry `crawler.scheduler.state_of` reads
from pipelines import defaults

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

# scrapy-redis (an optional extra) has no type information: taken as Any.
_scrapy_redis: Any = importlib.import_module("scrapy_redis.scheduler")
_dupefilter: Any = importlib.import_module("scrapy_redis.dupefilter")


class RedisDupeFilter(_dupefilter.RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's seen-set, with Scrapy's request fingerprints; never cleared by a worker."""

    def __init__(self, server: Any, key: str, crawler: Crawler, debug: bool = False) -> None:
        super().__init__(server, key, debug=debug)
        self.crawler = crawler

    def request_fingerprint(self, request: Request) -> str:
        """The fingerprint Scrapy's own dupefilter uses (``REQUEST_FINGERPRINTER_CLASS``)."""
        fingerprint: bytes = self.crawler.request_fingerprinter.fingerprint(request)
        return fingerprint.hex()

    def close(self, reason: str = "") -> None:
        """Keep the shared seen-set: other workers still use it."""


class RedisScheduler(_scrapy_redis.Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler with leases, reaping and a shared end (module docstring)."""

    def __init__(
        self,
        crawler: Crawler,
        heartbeat: Heartbeat,
        *,
        out_dir: Path,
        reap_interval: float,
        debug: bool = False,
    ) -> None:
        keys = heartbeat.keys
        super().__init__(
            heartbeat.server,
            persist=True,
            queue_key=keys.queue,
            queue_cls=f"{LeasedPriorityQueue.__module__}.{LeasedPriorityQueue.__name__}",
            dupefilter=RedisDupeFilter(heartbeat.server, keys.seen, crawler, debug=debug),
            serializer=JsonRequestSerializer,
        )
        self.crawler = crawler
        self.heartbeat = heartbeat
        self.crawl = SharedCrawl(heartbeat.server, keys.prefix, keys.crawl_id)
        self.out_dir = out_dir
        self.reap_interval = reap_interval
        self.stats = crawler.stats
        self.queue: LeasedPriorityQueue | None = None
        self._held: set[str] = set()
        self._unpushed: set[str] = set()  # leases whose follow-up could not be queued
        self._expected: dict[str, int] = {}
        self._finished: dict[str, int] = {}
        self._seqs: dict[str, int] = {}
        self._item_ids: dict[str, str] = {}
        self._loop: task.LoopingCall | None = None
        self._commits: task.LoopingCall | None = None
        self._over_logged = False
        self.state: CrawlState | None = None
        self._run = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        crawl_keys(settings)  # fails with one line when the crawl is not configured
        interval = float(setting(settings, "DISTRIBUTED_REAP_INTERVAL"))
        if interval <= 0:
            raise ValueError(f"DISTRIBUTED_REAP_INTERVAL must be more than 0, not {interval}")
        scheduler = cls(
            crawler,
            Heartbeat.of(crawler),
            out_dir=defaults.out_dir(settings),
            reap_interval=interval,
            debug=settings.getbool("DUPEFILTER_DEBUG"),
        )
        for signal, handler in (
            (signals.item_scraped, scheduler.item_finished),
            (signals.item_dropped, scheduler.item_finished),
            (signals.item_error, scheduler.item_finished),
            (signals.spider_idle, scheduler.spider_idle),
            (request_handled, scheduler.request_handled),
            # Connected after the report extension's: the report reads the state first.
            (signals.spider_closed, scheduler.close_state),
        ):
            crawler.signals.connect(handler, signal=signal)
        return scheduler

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(f"distributed/{key}", count)

    @property
    def _queue(self) -> LeasedPriorityQueue:
        assert self.queue is not None, "RedisScheduler used before open()"
        return self.queue

    # -- life cycle ------------------------------------------------------

    def open(self, spider: Spider) -> None:
        """Join the shared queue; start the reaper."""
        self.spider = spider
        self.queue = LeasedPriorityQueue(
            self.server, spider, self.heartbeat.keys, self.heartbeat.name
        )
        self._open_state(spider)
        counts = self.crawl.counts()
        logger.info(
            "Worker %s joined distributed crawl %s: %d queued, %d in flight",
            self.heartbeat.name,
            self.crawl.crawl_id,
            counts["queued"],
            counts["inflight"],
        )
        self._loop = task.LoopingCall(self._tick)
        self._loop.start(self.reap_interval, now=False)

    def _open_state(self, spider: Spider) -> None:
        out_dir = self.out_dir
        crawl_id = self.crawl.crawl_id
        self.state = CrawlState(
            state_path(out_dir, crawl_id), sync_files=lambda: data_files(out_dir)
        )
        _STATES[self.crawler] = self.state
        self.state.set_meta(
            crawl_id=crawl_id,
            profile=getattr(getattr(spider, "profile", None), "name", ""),
            mode="full",
            distributed=self.heartbeat.keys.prefix,
            worker=self.heartbeat.name,
            finished=True,  # a record for the report, never a crawl to --resume
        )
        self._run = self.state.begin_run()
        self._commits = task.LoopingCall(self.state.maybe_checkpoint)
        self._commits.start(self.state.commit_interval, now=False)

    def close_state(self, **kwargs: Any) -> None:
        """Close the worker's state file (after the report has read it)."""
        if self.state is not None:
            self.state.close()
            _STATES.pop(self.crawler, None)
            self.state = None

    def close(self, reason: str) -> None:
        """Put back what this worker still holds (an early stop), stop the reaper."""
        for loop in (self._loop, self._commits):
            if loop is not None and loop.running:
                loop.stop()
        if self._held and self.queue is not None:
            try:
                requeued = self._queue.requeue(*self._held)
            except Exception:
                logger.exception("Could not return %d requests to the queue", len(self._held))
                self._inc("errors")
            else:
                self._inc("requeued", requeued)
                logger.info("Returned %d unfinished requests to the shared queue", requeued)
            for lease in list(self._held):
                self._forget(lease, None)  # back in the shared queue: not done here
        if self.state is not None:
            self.state.end_run(self._run, reason)
            self.state.set_meta(finish_reason=reason)
            self.state.checkpoint()

    def _tick(self) -> None:
        """Re-queue dead workers' leases, and wake the engine up to look for work."""
        try:
            reaped = self._queue.reap()
        except Exception:
            logger.warning("Could not check for dead workers in Redis", exc_info=True)
            self._inc("errors")
            return
        if reaped:
            logger.warning("Re-queued %d requests of workers that stopped answering", reaped)
            self._inc("reaped", reaped)
        # The engine polls an idle scheduler only every 5 s; requests may have
        # arrived from other workers (or the crawl may be over) since.
        slot = getattr(getattr(self.crawler, "engine", None), "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def spider_idle(self) -> None:
        """Stay open while the shared crawl has work queued or in flight anywhere."""
        try:
            if self._unpushed:
                # A redirect or retry that could not be queued: do the original again.
                self._inc("requeued", self._queue.requeue(*self._unpushed))
                self._unpushed.clear()
            if self._held:
                # Idle means nothing is downloading or being processed here, so a lease
                # still held belongs to a request whose end went unseen: it is finished.
                logger.debug("Releasing %d finished leases", len(self._held))
                self._inc("orphans", self._queue.release(*self._held))
                for lease in list(self._held):
                    self._forget(lease, "ok")
            outcome = self.crawl.try_finish()
        except Exception:
            logger.warning("Could not check whether the shared crawl is over", exc_info=True)
            self._inc("errors")
            raise DontCloseSpider from None
        if outcome is Outcome.RUNNING:
            raise DontCloseSpider
        if outcome is Outcome.FINISHED:
            logger.info(
                "Distributed crawl %s finished: queue empty, nothing in flight", self.crawl.crawl_id
            )

    # -- queueing --------------------------------------------------------

    def __len__(self) -> int:
        return len(self.queue) if self.queue is not None else 0

    def has_pending_requests(self) -> bool:
        return len(self) > 0

    def enqueue_request(self, request: Request) -> bool:
        """Queue *request* in Redis unless any worker has seen it (False then)."""
        lease = request.meta.pop(META_LEASE, None)
        if lease is not None:  # a redirect or retry of a request this worker leased
            self._forget(lease, "retried" if request.meta.get("retry_times") else "redirected")
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        try:
            result = self._queue.push(request, fingerprint, release=lease)
        except Exception:
            logger.exception("Could not queue %s in Redis", request)
            self._inc("errors")
            if lease is not None:
                self._unpushed.add(lease)
            return False
        if lease is not None:
            self._inc("done")
        if result > 0:
            self._inc("pushed")
            return True
        if result == 0:
            self.df.log(request, self.spider)
            self._inc("duplicates")
        elif not self._over_logged:
            logger.info(
                "Distributed crawl %s is over: not queueing any more requests", self.crawl.crawl_id
            )
            self._over_logged = True
        return False

    def next_request(self) -> Request | None:
        """The next request of the shared queue, leased to this worker."""
        try:
            popped = self._queue.pop()
        except Exception:
            logger.exception("Could not take a request from Redis")
            self._inc("errors")
            return None
        if popped is None:
            return None
        lease, request = popped
        self._held.add(lease)
        if self.state is not None:
            callback = getattr(request.callback, "__name__", None)
            self._seqs[lease] = self.state.add(
                f"lease:{self.crawl.crawl_id}:{lease}",
                request.url,
                request_kind(callback),
                int(request.meta.get("depth", 0)),
                "{}",
            )
        self._inc("popped")
        if self.stats is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    # -- finishing -------------------------------------------------------

    def _forget(self, lease: str, outcome: str | None = "redirected") -> None:
        """Stop tracking *lease*; with an *outcome*, its request is done in the worker's state."""
        self._held.discard(lease)
        self._expected.pop(lease, None)
        self._finished.pop(lease, None)
        seq = self._seqs.pop(lease, None)
        item_id = self._item_ids.pop(lease, None)
        if outcome is not None and seq is not None and self.state is not None:
            self.state.done(seq, outcome, item_id)

    def _maybe_done(self, lease: str, outcome: str) -> None:
        expected = self._expected.get(lease)
        if expected is None or self._finished.get(lease, 0) < expected:
            return
        self._forget(lease, outcome)
        try:
            released = self._queue.release(lease)
        except Exception:
            logger.exception("Could not release lease %s in Redis", lease)
            self._inc("errors")
            return
        self._inc("done", released)

    def request_handled(self, request: Request, items: int, outcome: str) -> None:
        """The spider finished with *request* (its links are queued); *items* pending."""
        lease = request.meta.get(META_LEASE)
        if lease is None or lease not in self._held:
            return
        self._expected[lease] = items
        self._maybe_done(lease, outcome)

    def item_finished(self, item: Any, response: Response | None = None, **kwargs: Any) -> None:
        """An item left the pipelines (written, dropped or failed)."""
        lease = response.meta.get(META_LEASE) if response is not None else None
        if lease is None or lease not in self._held:
            return
        self._finished[lease] = self._finished.get(lease, 0) + 1
        item_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(item_id, str):
            self._item_ids[lease] = item_id
        self._maybe_done(lease, "article")
