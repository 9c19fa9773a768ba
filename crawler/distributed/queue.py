"""The shared frontier: scrapy-redis's priority queue, with a seen-set and leases.

`LeasedPriorityQueue` is ``scrapy_redis.queue.PriorityQueue`` (a sorted set
of encoded requests scored by ``-priority``) with three changes, each one
Lua script so that workers racing on it cannot lose or double a request:

- **push** adds the request's fingerprint to the seen-set and the request
  to the queue together (nothing is queued twice, and no worker can see the
  fingerprint without the request). It refuses anything once the crawl is
  finished. It can release a lease in the same step: a redirect or retry
  of a leased request replaces it.
- **pop** moves the best request from the queue into the in-flight hash
  under a new lease id, with the worker's name and the request's score.
  The worker releases the lease once the request is finished (its links
  queued, its item written): `release`.
- **reap** puts back into the queue every in-flight request whose worker's
  heartbeat key has expired (the worker died: SIGKILL, power loss, lost
  network); `requeue` puts back this worker's own leases when it stops early
  (Ctrl-C, page limit).

Requests are encoded as JSON (`JsonRequestSerializer`, the same encoding
the local frontier uses), not pickled: a shared Redis must not be a way to
run code in every worker.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from crawler.frontier import decode_request, encode_request

if TYPE_CHECKING:
    from scrapy import Request, Spider

    from crawler.distributed.crawl import CrawlKeys

# scrapy-redis (an optional extra) has no type information: taken as Any, the same
# whichever redis-py and scrapy-redis releases are installed.
_scrapy_redis_queue: Any = importlib.import_module("scrapy_redis.queue")

#: ``request.meta`` key holding the lease id of a popped request.
META_LEASE: Final = "arsip_lease"

# In-flight values are "WORKER SCORE REQUEST"; split() reads them back.
_SPLIT = """
local function split(v)
  local a = string.find(v, ' ', 1, true)
  local b = string.find(v, ' ', a + 1, true)
  return string.sub(v, 1, a - 1), string.sub(v, a + 1, b - 1), string.sub(v, b + 1)
end
"""

_PUSH = """
-- KEYS: crawl hash, seen set, queue, in-flight hash, stats
-- ARGV: crawl id, fingerprint ('' = no check), score, request, lease to release ('' = none)
if ARGV[5] ~= '' and redis.call('HDEL', KEYS[4], ARGV[5]) == 1 then
  redis.call('HINCRBY', KEYS[5], 'done', 1)
end
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1]
   or redis.call('HGET', KEYS[1], 'status') ~= 'running' then
  return -1
end
if ARGV[2] ~= '' and redis.call('SADD', KEYS[2], ARGV[2]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
redis.call('HINCRBY', KEYS[5], 'pushed', 1)
return 1
"""

_POP = """
-- KEYS: queue, in-flight hash, lease counter, stats; ARGV: worker
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then
  return false
end
redis.call('ZREM', KEYS[1], top[1])
local lease = tostring(redis.call('INCR', KEYS[3]))
redis.call('HSET', KEYS[2], lease, ARGV[1] .. ' ' .. top[2] .. ' ' .. top[1])
redis.call('HINCRBY', KEYS[4], 'popped', 1)
return {lease, top[1]}
"""

_RELEASE = """
-- KEYS: in-flight hash, stats; ARGV: leases
local n = 0
for i = 1, #ARGV do
  n = n + redis.call('HDEL', KEYS[1], ARGV[i])
end
if n > 0 then
  redis.call('HINCRBY', KEYS[2], 'done', n)
end
return n
"""

_REQUEUE = (
    _SPLIT
    + """
-- KEYS: queue, in-flight hash, stats; ARGV: leases
local n = 0
for i = 1, #ARGV do
  local v = redis.call('HGET', KEYS[2], ARGV[i])
  if v then
    local _, score, request = split(v)
    redis.call('ZADD', KEYS[1], score, request)
    redis.call('HDEL', KEYS[2], ARGV[i])
    n = n + 1
  end
end
if n > 0 then
  redis.call('HINCRBY', KEYS[3], 'requeued', n)
end
return n
"""
)

_REAP = (
    _SPLIT
    + """
-- KEYS: queue, in-flight hash, stats; ARGV: prefix of the workers' heartbeat keys
local all = redis.call('HGETALL', KEYS[2])
local n = 0
for i = 1, #all, 2 do
  local worker, score, request = split(all[i + 1])
  if redis.call('EXISTS', ARGV[1] .. worker) == 0 then
    redis.call('ZADD', KEYS[1], score, request)
    redis.call('HDEL', KEYS[2], all[i])
    n = n + 1
  end
end
if n > 0 then
  redis.call('HINCRBY', KEYS[3], 'reaped', n)
end
return n
"""
)


class JsonRequestSerializer:
    """scrapy-redis serializer: ``Request.to_dict()`` as JSON (`crawler.frontier`'s encoding)."""

    @staticmethod
    def dumps(obj: dict[str, Any]) -> str:
        return encode_request(obj)

    @staticmethod
    def loads(data: bytes | str) -> dict[str, Any]:
        return decode_request(data.decode("utf-8") if isinstance(data, bytes) else data)


class LeasedPriorityQueue(_scrapy_redis_queue.PriorityQueue):  # type: ignore[misc]
    """The shared queue of one crawl (see the module docstring)."""

    def __init__(self, server: Any, spider: Spider, keys: CrawlKeys, worker: str) -> None:
        super().__init__(server, spider, keys.queue, serializer=JsonRequestSerializer)
        self.keys = keys
        self.worker = worker
        self._push = server.register_script(_PUSH)
        self._pop = server.register_script(_POP)
        self._release = server.register_script(_RELEASE)
        self._requeue = server.register_script(_REQUEUE)
        self._reap = server.register_script(_REAP)

    def push(self, request: Request, fingerprint: str = "", release: str | None = None) -> int:
        """Queue *request* unless its *fingerprint* was seen: 1 queued, 0 seen, -1 crawl over.

        An empty *fingerprint* skips the seen-set (``dont_filter``); *release*
        is a lease that this request replaces (a redirect or a retry).
        """
        meta_lease = request.meta.pop(META_LEASE, None)
        try:
            data = self._encode_request(request)
        finally:
            if meta_lease is not None:
                request.meta[META_LEASE] = meta_lease
        keys = self.keys
        result = self._push(
            keys=[keys.crawl, keys.seen, keys.queue, keys.inflight, keys.stats],
            args=[keys.crawl_id, fingerprint, -request.priority, data, release or ""],
        )
        return int(result)

    def pop(self, timeout: int = 0) -> tuple[str, Request] | None:
        """The best queued request and its lease id, or None when the queue is empty."""
        keys = self.keys
        found = self._pop(
            keys=[keys.queue, keys.inflight, keys.lease_counter, keys.stats], args=[self.worker]
        )
        if not found:
            return None
        lease = found[0].decode() if isinstance(found[0], bytes) else str(found[0])
        request: Request = self._decode_request(found[1])
        request.meta[META_LEASE] = lease
        return lease, request

    def release(self, *leases: str) -> int:
        """Finish *leases* (their requests are done); returns how many were still held."""
        if not leases:
            return 0
        return int(self._release(keys=[self.keys.inflight, self.keys.stats], args=list(leases)))

    def requeue(self, *leases: str) -> int:
        """Put the requests of *leases* back into the queue (this worker stops early)."""
        if not leases:
            return 0
        keys = self.keys
        return int(self._requeue(keys=[keys.queue, keys.inflight, keys.stats], args=list(leases)))

    def reap(self) -> int:
        """Put back the in-flight requests of every worker whose heartbeat has expired."""
        keys = self.keys
        return int(self._reap(keys=[keys.queue, keys.inflight, keys.stats], args=[keys.worker("")]))

    def in_flight(self) -> int:
        """Requests in flight in all workers."""
        return int(self.server.hlen(self.keys.inflight))
