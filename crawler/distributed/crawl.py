"""The shared crawl in Redis: its keys, joining it, and deciding that it is finished.

`SharedCrawl` is plain redis-py (no Scrapy): the scheduler, the middlewares
and the tests use it. Every state change that more than one worker can race
on is one Lua script, so it is atomic:

- `join`: take the id of the crawl that is running under the key prefix,
  or start a new one (a finished crawl is replaced);
- `try_finish`: the crawl is finished when its queue is empty **and** no
  request is in flight anywhere (an in-flight request may still add links,
  or come back to the queue if its worker dies). The worker that sees this
  first marks the crawl finished; every worker then stops.

A request is pushed together with its fingerprint in one script
(`crawler.distributed.queue`), and a parent's lease is released only after
its children are pushed, so "queue empty and nothing in flight" cannot be
seen while work remains.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any, Final

#: ``KEY:crawl`` field values of ``status``.
RUNNING: Final = "running"
FINISHED: Final = "finished"

_JOIN = """
-- KEYS[1] crawl hash; ARGV[1] proposed id, ARGV[2] now, ARGV[3] profile
local id = redis.call('HGET', KEYS[1], 'id')
if id and redis.call('HGET', KEYS[1], 'status') == 'running' then
  return {id, 0}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'status', 'running', 'started_at', ARGV[2],
           'profile', ARGV[3])
return {ARGV[1], 1}
"""

_FINISH = """
-- KEYS[1] crawl hash, KEYS[2] queue, KEYS[3] in-flight; ARGV[1] crawl id, ARGV[2] now
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1]
   or redis.call('HGET', KEYS[1], 'status') ~= 'running' then
  return 1
end
if redis.call('ZCARD', KEYS[2]) > 0 or redis.call('HLEN', KEYS[3]) > 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'status', 'finished', 'finished_at', ARGV[2])
return 2
"""


class Outcome(IntEnum):
    """What `SharedCrawl.try_finish` found."""

    RUNNING = 0  # work is queued or in flight
    OVER = 1  # finished (or replaced) already, by another worker
    FINISHED = 2  # finished now, by this call


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class CrawlKeys:
    """The Redis keys of one shared crawl."""

    prefix: str
    crawl_id: str

    @property
    def crawl(self) -> str:
        return f"{self.prefix}:crawl"

    def of(self, name: str) -> str:
        return f"{self.prefix}:{self.crawl_id}:{name}"

    @property
    def queue(self) -> str:
        return self.of("queue")

    @property
    def seen(self) -> str:
        return self.of("seen")

    @property
    def inflight(self) -> str:
        return self.of("inflight")

    @property
    def lease_counter(self) -> str:
        return self.of("leases")

    @property
    def robots(self) -> str:
        return self.of("robots")

    @property
    def stats(self) -> str:
        return self.of("stats")

    @property
    def workers(self) -> str:
        return self.of("workers")

    def worker(self, name: str) -> str:
        """The heartbeat key of worker *name* (the in-flight entries name it)."""
        return self.of(f"worker:{name}")

    def data(self) -> list[str]:
        """Every key of the crawl's working data (dropped once it is finished)."""
        return [
            self.queue,
            self.seen,
            self.inflight,
            self.lease_counter,
            self.robots,
            self.workers,
        ]


class SharedCrawl:
    """One crawl shared by workers through Redis (``server`` is a redis client)."""

    def __init__(self, server: Any, prefix: str, crawl_id: str) -> None:
        self.server = server
        self.keys = CrawlKeys(prefix, crawl_id)
        self._join = server.register_script(_JOIN)
        self._finish = server.register_script(_FINISH)

    @property
    def crawl_id(self) -> str:
        return self.keys.crawl_id

    def join(self, proposed_id: str, profile: str) -> str:
        """The id of the running crawl, or *proposed_id* for a new one; sets `crawl_id`."""
        found = self._join(keys=[self.keys.crawl], args=[proposed_id, utc_now(), profile])
        crawl_id = _text(found[0])
        self.keys = CrawlKeys(self.keys.prefix, crawl_id)
        return crawl_id

    def info(self) -> dict[str, str]:
        """The ``KEY:crawl`` hash (id, status, started_at, finished_at, profile)."""
        raw = self.server.hgetall(self.keys.crawl) or {}
        return {_text(k): _text(v) for k, v in raw.items()}

    def running(self) -> bool:
        """True while this crawl is the running one."""
        info = self.info()
        return info.get("id") == self.crawl_id and info.get("status") == RUNNING

    def try_finish(self) -> Outcome:
        """Mark the crawl finished if nothing is queued or in flight (see the module doc)."""
        keys = self.keys
        result = self._finish(
            keys=[keys.crawl, keys.queue, keys.inflight], args=[self.crawl_id, utc_now()]
        )
        outcome = Outcome(int(result))
        if outcome is Outcome.FINISHED:
            self.server.delete(*keys.data())
        return outcome

    def counts(self) -> dict[str, int]:
        """Queued and in-flight requests now, and the crawl's counters."""
        keys = self.keys
        pipe = self.server.pipeline(transaction=False)
        pipe.zcard(keys.queue)
        pipe.hlen(keys.inflight)
        pipe.hgetall(keys.stats)
        queued, inflight, stats = pipe.execute()
        counts = {_text(k): int(v) for k, v in (stats or {}).items()}
        counts.update(queued=int(queued), inflight=int(inflight))
        return counts


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
