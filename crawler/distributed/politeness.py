"""Per-host politeness across every worker: `HostSlotMiddleware`.

Scrapy enforces ``CONCURRENT_REQUESTS_PER_DOMAIN`` and ``DOWNLOAD_DELAY``
per process; with N workers a host would get N times the load the profile
allows. This downloader middleware enforces both for all workers together,
through Redis, right before each download:

- **concurrency**: a semaphore of N = ``CONCURRENT_REQUESTS_PER_DOMAIN``
  slots per host, ``arsip:host:HOST:slot:0 .. N-1``. A download takes a free
  slot with ``SET slot TOKEN NX PX ttl`` (first free index wins) and gives it
  back (``DEL`` if it still holds TOKEN) as soon as its response or error
  comes back. The slot's time-to-live is the lease TTL, renewed by the
  worker's heartbeat while the download runs, so the slots of a worker that
  died free themselves within ``DISTRIBUTED_LEASE_TTL``.
- **delay**: with ``DOWNLOAD_DELAY`` > 0, ``arsip:host:HOST:next`` holds the
  earliest time (Redis server clock, ms) the next download from the host
  may start; taking a slot sets it to now + delay. A worker that finds it in
  the future waits that long and tries again.

Both checks and the take are one Lua script (atomic; Redis's clock, so the
workers' clocks do not matter). A request that finds no slot waits (50 ms,
doubling to 1 s) and tries again; it never gives up. The local Scrapy limits
still apply inside each worker.

Priority 960: above the WARC capture (950), so the slot is taken right before
the download and given back before any middleware turns the response into a
new request (a redirect or a retry queues that request; it takes its own
slot when it is downloaded). Settings: ``REDIS_URL`` (empty: off),
``DISTRIBUTED_POLITENESS_ENABLED``, ``DISTRIBUTED_HOST_KEY``,
``CONCURRENT_REQUESTS_PER_DOMAIN``, ``DOWNLOAD_DELAY``. Stats:
``distributed/politeness/waits``, ``distributed/politeness/wait_ms`` (summed over
requests).
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import TYPE_CHECKING, Any, Final, Self

from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached

from crawler.distributed import setting
from crawler.distributed.worker import Heartbeat

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: ``request.meta`` key of the slot a download holds: (key, token).
META_SLOT: Final = "arsip_host_slot"
#: First and longest wait before trying again for a slot (seconds).
FIRST_WAIT: Final = 0.05
LONGEST_WAIT: Final = 1.0

_ACQUIRE = """
-- KEYS[1] slot key prefix, KEYS[2] delay gate; ARGV: slots, token, ttl ms, delay ms
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delay = tonumber(ARGV[4])
if delay > 0 then
  local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
  if nxt > now then
    return {-1, nxt - now}
  end
end
for i = 0, tonumber(ARGV[1]) - 1 do
  if redis.call('SET', KEYS[1] .. i, ARGV[2], 'NX', 'PX', ARGV[3]) then
    if delay > 0 then
      redis.call('SET', KEYS[2], now + delay, 'PX', delay + 60000)
    end
    return {i, 0}
  end
end
return {-1, 0}
"""

_RELEASE = """
-- KEYS[1] slot key; ARGV[1] token
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class HostSlots:
    """The per-host semaphore and delay gate in Redis (no Scrapy: tests use it directly)."""

    def __init__(self, server: Any, prefix: str, ttl_ms: int) -> None:
        self.server = server
        self.prefix = prefix
        self.ttl_ms = ttl_ms
        self._acquire = server.register_script(_ACQUIRE)
        self._release = server.register_script(_RELEASE)

    def slot_prefix(self, host: str) -> str:
        return f"{self.prefix}:{host}:slot:"

    def gate(self, host: str) -> str:
        return f"{self.prefix}:{host}:next"

    def try_acquire(
        self, host: str, token: str, slots: int, delay: float
    ) -> tuple[str | None, float]:
        """(slot key, 0) when a slot was taken, else (None, seconds to wait at least)."""
        index, wait_ms = self._acquire(
            keys=[self.slot_prefix(host), self.gate(host)],
            args=[max(1, slots), token, self.ttl_ms, int(delay * 1000)],
        )
        if int(index) >= 0:
            return f"{self.slot_prefix(host)}{int(index)}", 0.0
        return None, int(wait_ms) / 1000

    def release(self, key: str, token: str) -> bool:
        """Give the slot *key* back if *token* still holds it."""
        return bool(self._release(keys=[key], args=[token]))


class HostSlotMiddleware:
    """Takes a Redis slot per host before each download (module docstring)."""

    def __init__(
        self,
        slots: HostSlots,
        heartbeat: Heartbeat,
        *,
        concurrency: int,
        delay: float,
        stats: StatsCollector | None = None,
    ) -> None:
        self.slots = slots
        self.heartbeat = heartbeat
        self.concurrency = concurrency
        self.delay = delay
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("REDIS_URL is empty: not a distributed crawl")
        if not settings.getbool(
            "DISTRIBUTED_POLITENESS_ENABLED", setting(settings, "DISTRIBUTED_POLITENESS_ENABLED")
        ):
            raise NotConfigured("DISTRIBUTED_POLITENESS_ENABLED is off")
        heartbeat = Heartbeat.of(crawler)
        concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8)
        if concurrency < 1:
            raise ValueError(f"CONCURRENT_REQUESTS_PER_DOMAIN must be 1 or more, not {concurrency}")
        slots = HostSlots(
            heartbeat.server, str(setting(settings, "DISTRIBUTED_HOST_KEY")), heartbeat.ttl_ms
        )
        return cls(
            slots,
            heartbeat,
            concurrency=concurrency,
            delay=settings.getfloat("DOWNLOAD_DELAY", 0.0),
            stats=crawler.stats,
        )

    async def process_request(self, request: Request) -> None:
        """Wait for a free slot of the request's host (and for its delay), then take it."""
        host = urlparse_cached(request).hostname or ""
        token = secrets.token_hex(8)
        wait = FIRST_WAIT
        started = time.monotonic()
        waited = False
        while True:
            key, at_least = self.slots.try_acquire(host, token, self.concurrency, self.delay)
            if key is not None:
                break
            waited = True
            await sleep(max(at_least, wait))
            wait = min(wait * 2, LONGEST_WAIT)
        self.heartbeat.hold(key, token)
        request.meta[META_SLOT] = (key, token)
        if waited and self.stats is not None:
            self.stats.inc_value("distributed/politeness/waits")
            self.stats.inc_value(
                "distributed/politeness/wait_ms", int((time.monotonic() - started) * 1000)
            )

    def _release(self, request: Request) -> None:
        held = request.meta.pop(META_SLOT, None)
        if held is None:
            return
        key, token = held
        self.heartbeat.drop(key)
        try:
            self.slots.release(key, token)
        except Exception:  # it expires by itself; the crawl goes on
            logger.warning("Could not give back politeness slot %s", key, exc_info=True)

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)
