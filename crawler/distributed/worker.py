"""This worker's heartbeat in Redis: proof that its leases are still being worked on.

`Heartbeat` runs in a thread of its own (so a busy reactor, a long fsync or
a slow pipeline does not make a live worker look dead) and every
``ttl / 3`` seconds:

- sets ``KEY:ID:worker:NAME`` with a time-to-live of ``ttl``: while it
  exists, the worker's in-flight requests are its own; once it has expired
  every other worker's reaper re-queues them
  (`crawler.distributed.queue.LeasedPriorityQueue.reap`);
- extends the politeness slots the worker holds (`hold`), which carry the
  same time-to-live, so the slots of a dead worker free themselves too.

One heartbeat per crawler, shared by the scheduler and the middlewares:
`Heartbeat.of(crawler)`. It stops (and deletes its key) when the spider closes.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy import signals

from crawler.distributed import crawl_keys, setting, worker_name
from crawler.distributed.connection import connect

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.distributed.crawl import CrawlKeys

logger = logging.getLogger(__name__)

_RENEW = """
-- KEYS[1] a slot key; ARGV[1] our token, ARGV[2] ttl in ms
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


class Heartbeat:
    """Keeps worker *name*'s key (and the slots it holds) alive in Redis."""

    _registry: ClassVar[weakref.WeakKeyDictionary[Any, Heartbeat]] = weakref.WeakKeyDictionary()

    def __init__(self, server: Any, keys: CrawlKeys, name: str, ttl: float) -> None:
        if ttl <= 0:
            raise ValueError(f"DISTRIBUTED_LEASE_TTL must be more than 0 seconds, not {ttl}")
        self.server = server
        self.keys = keys
        self.name = name
        self.ttl = ttl
        self._held: dict[str, str] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._renew = server.register_script(_RENEW)

    @classmethod
    def of(cls, crawler: Crawler) -> Heartbeat:
        """The heartbeat of *crawler*'s worker, created (and started) on first use."""
        found = cls._registry.get(crawler)
        if found is None:
            settings = crawler.settings
            found = cls(
                connect(str(settings.get("REDIS_URL"))),
                crawl_keys(settings),
                worker_name(),
                float(setting(settings, "DISTRIBUTED_LEASE_TTL")),
            )
            found.start()
            crawler.signals.connect(found.stop, signal=signals.spider_closed)
            cls._registry[crawler] = found
        return found

    @property
    def ttl_ms(self) -> int:
        return max(1, int(self.ttl * 1000))

    def hold(self, key: str, token: str) -> None:
        """Keep *key* (set to *token*, with the heartbeat's TTL) alive until `drop`."""
        with self._lock:
            self._held[key] = token

    def drop(self, key: str) -> None:
        with self._lock:
            self._held.pop(key, None)

    def beat(self) -> None:
        """One heartbeat: the worker's key, then every held slot."""
        self.server.set(self.keys.worker(self.name), "alive", px=self.ttl_ms)
        with self._lock:
            held = list(self._held.items())
        for key, token in held:
            self._renew(keys=[key], args=[token, self.ttl_ms])

    def start(self) -> None:
        """Beat once now (a worker must be alive before it leases anything), then keep beating."""
        if self._thread is not None:
            return
        self.beat()
        self.server.sadd(self.keys.workers, self.name)
        self._thread = threading.Thread(
            target=self._run, name=f"arsip-heartbeat-{self.name}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        interval = self.ttl / 3
        while not self._stop.wait(interval):
            try:
                self.beat()
            except Exception:  # any redis error: keep trying, the TTL covers a few misses
                logger.warning("Heartbeat to Redis failed; retrying", exc_info=True)

    def stop(self, **kwargs: Any) -> None:
        """Stop beating and remove the worker's key (its leases are released by then)."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=self.ttl)
        self._thread = None
        try:
            self.server.delete(self.keys.worker(self.name))
        except Exception:
            logger.warning("Could not remove the heartbeat key of %s", self.name, exc_info=True)
