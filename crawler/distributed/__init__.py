"""Distributed crawling: workers on any machines share one frontier through Redis.

Switched on by the ``REDIS_URL`` setting (``arsip crawl PROFILE --redis
redis://HOST:PORT/DB``, or ``-s REDIS_URL=...`` / Scrapyd's ``-d
setting=REDIS_URL=...``); needs the optional extra ``arsip[distributed]``
(scrapy-redis and redis). `configure` is called by the news spider when the
setting is there: it swaps the crash-safe local `crawler.scheduler.FrontierScheduler`
for `crawler.distributed.scheduler.RedisScheduler`, Scrapy's robots.txt
middleware for the shared one and adds the cross-worker politeness
middleware. Every worker writes its own WARC files, JSON Lines and dataset
into its own output directory; ``arsip ingest`` merges them afterwards.

What lives in Redis, under ``DISTRIBUTED_KEY`` (``arsip:PROFILE``):

- ``KEY:crawl`` (hash): the shared crawl: ``id``, ``status``
  (``running`` / ``finished``), ``started_at``, ``finished_at``, ``profile``.
  A worker joins the running crawl, or starts a new one when there is none;
- ``KEY:ID:queue`` (sorted set): the frontier, requests as JSON, scored by
  priority (scrapy-redis's ``PriorityQueue``);
- ``KEY:ID:seen`` (set): fingerprints of every request ever queued (the
  seen-set: a URL is queued once, whichever worker finds it);
- ``KEY:ID:inflight`` (hash): leases, ``lease id -> "WORKER SCORE REQUEST"``:
  a request popped by a worker and not yet finished;
- ``KEY:ID:worker:NAME`` (string with a TTL): the worker's heartbeat;
- ``KEY:ID:robots`` (hash): robots.txt bodies, fetched once per host for all;
- ``KEY:ID:stats`` (hash): counters (``pushed``, ``popped``, ``done``,
  ``requeued``, ``reaped``);
- ``arsip:host:HOST:slot:N`` and ``arsip:host:HOST:next``: per-host
  politeness (`crawler.distributed.politeness`).

Settings (defaults in `DEFAULTS`), alphabetical:

- ``DISTRIBUTED_HOST_KEY`` (``"arsip:host"``): prefix of the politeness keys,
  shared by every crawl using the same Redis (politeness is per host);
- ``DISTRIBUTED_KEY`` (``"arsip:%(profile)s"``): prefix of the crawl's keys;
- ``DISTRIBUTED_LEASE_TTL`` (10.0 s): a worker whose heartbeat is older is
  dead, and its leases (in-flight requests, politeness slots) go back;
- ``DISTRIBUTED_POLITENESS_ENABLED`` (True): enforce
  ``CONCURRENT_REQUESTS_PER_DOMAIN`` and ``DOWNLOAD_DELAY`` per host across
  all workers;
- ``DISTRIBUTED_REAP_INTERVAL`` (1.0 s): how often each worker re-queues dead
  workers' leases and looks for new work;
- ``REDIS_URL`` (``""``): the Redis of the shared frontier; empty: a local crawl.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from archive.naming import safe_hostname
from crawler import defaults as crawl_defaults
from crawler.distributed.connection import DistributedError, check_url, connect
from crawler.distributed.crawl import CrawlKeys, SharedCrawl

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

DEFAULTS: Final[dict[str, Any]] = {
    "DISTRIBUTED_HOST_KEY": "arsip:host",
    "DISTRIBUTED_KEY": "arsip:%(profile)s",
    "DISTRIBUTED_LEASE_TTL": 10.0,
    "DISTRIBUTED_POLITENESS_ENABLED": True,
    "DISTRIBUTED_REAP_INTERVAL": 1.0,
    "REDIS_URL": "",
}

#: Above the WARC capture middleware (950): acquired right before the download
#: and released first when the response (or the error) comes back, before any
#: middleware can turn it into a new request (redirect, retry).
POLITENESS_PRIORITY: Final = 960
#: Where Scrapy's own RobotsTxtMiddleware sits (DOWNLOADER_MIDDLEWARES_BASE).
ROBOTS_PRIORITY: Final = 100

#: What `configure` adds to DOWNLOADER_MIDDLEWARES: robots.txt read once for all
#: workers instead of once per worker, and the cross-worker politeness gate.
DOWNLOADER_MIDDLEWARES: Final[dict[str, int | None]] = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.distributed.robots.SharedRobotsTxtMiddleware": ROBOTS_PRIORITY,
    "crawler.distributed.politeness.HostSlotMiddleware": POLITENESS_PRIORITY,
}


_TOKEN: Final = secrets.token_hex(3)

#: Setting `configure` fills in: DISTRIBUTED_KEY with the profile's name put in.
RESOLVED_KEY: Final = "DISTRIBUTED_KEY_RESOLVED"


def setting(settings: BaseSettings, name: str) -> Any:
    """*name* from *settings*, or its default from `DEFAULTS`."""
    value = settings.get(name)
    return DEFAULTS[name] if value is None else value


def worker_name() -> str:
    """This worker's name in Redis: ``HOST-PID-TOKEN``.

    Host and process id as the WARC file names have them, plus a random token
    drawn once per process: two containers with the same host name and pid
    are still two workers.
    """
    return f"{safe_hostname()}-{os.getpid()}-{_TOKEN}"


def key_prefix(settings: BaseSettings, profile: str) -> str:
    """The Redis key prefix of *profile*'s shared crawl."""
    template = str(setting(settings, "DISTRIBUTED_KEY"))
    try:
        return template % {"profile": profile}
    except (KeyError, ValueError, TypeError) as exc:
        raise DistributedError(
            f"DISTRIBUTED_KEY {template!r} is not a usable key prefix ({exc}); "
            "use e.g. 'arsip:%(profile)s'"
        ) from None


def configure(settings: BaseSettings, profile: str, new_id: str) -> str:
    """Switch a crawl to distributed mode; returns the shared crawl's id.

    Called by the add-on (`crawler.addon.ArsipAddon`) when ``REDIS_URL`` is set, before
    the settings are frozen. Joins the crawl running in Redis (or starts one
    with *new_id*) unless ``ARSIP_CRAWL_ID`` is already set (``arsip crawl``
    joined before starting Scrapy). A distributed crawl is always full:
    incremental crawls decide from each worker's own collection, which a
    worker does not have.
    """
    url = str(settings.get("REDIS_URL") or "")
    mode = str(settings.get("ARSIP_CRAWL_MODE") or crawl_defaults.ARSIP_CRAWL_MODE)
    if mode == "incremental":
        raise DistributedError(
            "ARSIP_CRAWL_MODE 'incremental' cannot be used with REDIS_URL: a distributed "
            "crawl is always full; leave ARSIP_CRAWL_MODE at 'auto' or 'full'"
        )
    if settings.getbool("ARSIP_RESUME", crawl_defaults.ARSIP_RESUME):
        raise DistributedError(
            "ARSIP_RESUME cannot be used with REDIS_URL: a distributed crawl continues by "
            "itself when a worker is started again"
        )
    settings.set("ARSIP_CRAWL_MODE", "full", priority="spider")
    settings.set("SCHEDULER", "crawler.distributed.scheduler.RedisScheduler", priority="spider")
    settings.set("FRONTIER_ENABLED", False, priority="spider")
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    middlewares.update(DOWNLOADER_MIDDLEWARES)
    settings.set(
        "DOWNLOADER_MIDDLEWARES",
        middlewares,
        priority=max(settings.getpriority("DOWNLOADER_MIDDLEWARES") or 0, 30),
    )
    prefix = key_prefix(settings, profile)
    settings.set(RESOLVED_KEY, prefix, priority="spider")
    crawl_id = str(settings.get("ARSIP_CRAWL_ID") or "")
    if not crawl_id:
        crawl_id = SharedCrawl(connect(url), prefix, "").join(new_id, profile)
        settings.set("ARSIP_CRAWL_ID", crawl_id, priority="spider")
    return crawl_id


def join_crawl(url: str, profile: str, proposed_id: str) -> str:
    """Join *profile*'s crawl running in the Redis at *url*, or start it as *proposed_id*.

    What ``arsip crawl --redis`` does before Scrapy starts (with the default
    ``DISTRIBUTED_KEY``); `DistributedError` when Redis cannot be used.
    """
    template = str(DEFAULTS["DISTRIBUTED_KEY"])
    return SharedCrawl(connect(url), template % {"profile": profile}, "").join(proposed_id, profile)


def worker_dir(profile: str) -> Path:
    """Default output directory of a worker: ``data/PROFILE/workers/HOST-PID``."""
    return Path("data") / profile / "workers" / f"{safe_hostname()}-{os.getpid()}"


def crawl_keys(settings: BaseSettings) -> CrawlKeys:
    """The keys of the shared crawl a configured crawler works on."""
    prefix = str(settings.get(RESOLVED_KEY) or "")
    crawl_id = str(settings.get("ARSIP_CRAWL_ID") or "")
    if not prefix or not crawl_id:
        raise DistributedError(
            "the distributed crawl is not configured (REDIS_URL set after the spider "
            "was created?): run the news spider with REDIS_URL set from the start"
        )
    return CrawlKeys(prefix, crawl_id)


__all__ = [
    "DEFAULTS",
    "DistributedError",
    "check_url",
    "configure",
    "connect",
    "crawl_keys",
    "join_crawl",
    "key_prefix",
    "setting",
    "worker_dir",
    "worker_name",
]
