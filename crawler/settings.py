"""Scrapy settings of the arsip project (``scrapy crawl news -a profile=anri``).

Project-wide defaults; a site profile (crawler/profiles/*.toml) adjusts the
politeness and archive settings at spider priority (`crawler.addon.ArsipAddon`,
which also adds every component), and ``arsip crawl`` overrides at
command-line priority. arsip's own settings, alphabetical:

- ARSIP_COLLECTION: collection name (profile's ``archive.collection``).
- ARSIP_CRAWL_ID: id of this crawl; generated when empty.
- ARSIP_CRAWL_MODE: "auto" (incremental when the collection has an earlier
  crawl, see crawler.incremental), "full" or "incremental".
- ARSIP_EXTRACT_ENABLED: extract articles into items (off: a bare crawl that
  archives only, used by the benchmarks as the "bare Scrapy" peer).
- ARSIP_OUT_DIR: where warc/, json/, state/, reports/ and arsip.sqlite go
  (default data/PROFILE).
- ARSIP_PROFILE: profile name or path (the spider's ``profile`` argument wins).
- ARSIP_PROFILES_DIR: a directory of user profiles searched before the shipped ones.
- ARSIP_PROGRESS: "bar" (TTY), "log" (periodic lines), "off"; "auto" picks.
- ARSIP_PROGRESS_INTERVAL: seconds between progress updates (log mode).
- ARSIP_REPORT_ENABLED: write reports/CRAWL_ID.json and .html at the end.
- ARSIP_CRAWL_LOG_ENABLED: write logs/CRAWL_ID.jsonl, one line per URL
  (crawler.extensions.crawl_log).
- ARSIP_SIZE_LIMIT: bytes received after which no new request is sent and
  the crawl closes (0: no limit; crawler.middlewares.budget, --size-limit).
- ARSIP_RESUME: continue the crawl ARSIP_CRAWL_ID from its state file.
- ARSIP_THROTTLE_LOOPBACK: apply the profile's politeness (delay, AutoThrottle,
  per-host concurrency) even when every start URL is on this machine (a replica,
  a local mirror); off: such a crawl is not throttled.
- FRONTIER_ENABLED: record the frontier in state/CRAWL_ID.sqlite (crash-safe
  resume; crawler.scheduler.FrontierScheduler).
- DATASET_ENABLED / DATASET_PATH: the SQLite dataset (default OUT/arsip.sqlite).
- JSONL_ENABLED: JSON Lines per crawl (OUT/json/CRAWL_ID.jsonl).
- WARC_ENABLED / WARC_DIR / WARC_PREFIX / WARC_MAX_SIZE: WARC capture.
- REDIS_URL: a worker of a distributed crawl sharing its frontier through this
  Redis (crawler.distributed: DISTRIBUTED_* settings and defaults there); empty:
  a local crawl.
"""

from __future__ import annotations

from scrapy.settings import default_settings as _scrapy_defaults

from archive.limits import MAX_PAYLOAD

# arsip's settings, one default each: the crawl's in crawler/defaults.py, those
# the pipelines read too in pipelines/defaults.py.
from crawler.defaults import (
    ARSIP_CRAWL_LOG_ENABLED,
    ARSIP_CRAWL_MODE,
    ARSIP_EXTRACT_ENABLED,
    ARSIP_PROFILES_DIR,
    ARSIP_PROGRESS,
    ARSIP_PROGRESS_INTERVAL,
    ARSIP_REPORT_ENABLED,
    ARSIP_RESUME,
    ARSIP_SIZE_LIMIT,
    ARSIP_THROTTLE_LOOPBACK,
    FRONTIER_ENABLED,
)
from pipelines.defaults import ARSIP_COLLECTION, ARSIP_CRAWL_ID, ARSIP_OUT_DIR, ARSIP_PROFILE

__all__ = [
    "ARSIP_COLLECTION",
    "ARSIP_CRAWL_ID",
    "ARSIP_CRAWL_LOG_ENABLED",
    "ARSIP_CRAWL_MODE",
    "ARSIP_EXTRACT_ENABLED",
    "ARSIP_OUT_DIR",
    "ARSIP_PROFILE",
    "ARSIP_PROFILES_DIR",
    "ARSIP_PROGRESS",
    "ARSIP_PROGRESS_INTERVAL",
    "ARSIP_REPORT_ENABLED",
    "ARSIP_RESUME",
    "ARSIP_SIZE_LIMIT",
    "ARSIP_THROTTLE_LOOPBACK",
    "FRONTIER_ENABLED",
]

BOT_NAME = "arsip"

SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves; the profile's user agent (with a contact URL) replaces it.
USER_AGENT = "arsip (+https://github.com/arsip-project/arsip)"

ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy starts this many asyncio worker tasks for the output of every response
# (scrapy.utils.asyncio._parallel_asyncio), however little it yields; arsip's item
# pipelines are synchronous, so more than one buys nothing: the default (100)
# cost ~12 % of a crawl's CPU (BENCHMARKS.md, measure 3).
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 0.0
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 3
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
# No remote-control listener: a crawler on a shared server opens no ports.
REMOTE_CONTROL_ENABLED = False
# And neither extension in the base list at all: Scrapy imports every listed
# component, disabled or set to None, to build the list (the remote control
# imports aiohttp, the telnet console twisted.conch: ~0.15 s of every crawl's start).
_NEVER_LOADED = (
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.telnet.TelnetConsole",
)
EXTENSIONS_BASE = {
    path: order
    for path, order in _scrapy_defaults.EXTENSIONS_BASE.items()
    if path not in _NEVER_LOADED
}
LOG_LEVEL = "INFO"

# Breadth-first: listings are walked level by level, so memory follows the
# frontier rather than the depth of pagination.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
# Components (middlewares, pipelines, extensions, scheduler, download handlers),
# the profile's settings, the crawl id, the Redis swap and the collection's lock:
# one add-on wires them for `arsip crawl`, `scrapy crawl` and Scrapyd alike.
ADDONS = {"crawler.addon.ArsipAddon": 0}

# Distributed crawling (docs/scaling.md): the add-on swaps in the Redis
# scheduler and middlewares when REDIS_URL is set (arsip crawl --redis URL);
# its default (empty: a local crawl) is crawler.distributed.DEFAULTS.

FEED_EXPORT_ENCODING = "utf-8"

# --- Reliability (docs/reliability.md) -----------------------------------------
# Added as a block of its own; the components' defaults live in their modules.
#
# Per response: a body past 50 MB, or still arriving after 0.9 x DOWNLOAD_TIMEOUT,
# is kept and archived as WARC-Truncated: length / time (crawler.middlewares.limits);
# a response that stalls fails at DOWNLOAD_TIMEOUT (60 s, above) and is retried.
# The readers of an archive (reextract, extract, index) hold to the same bound.
DOWNLOAD_MAXSIZE = MAX_PAYLOAD
# A body cut short reaches the middlewares flagged "dataloss" instead of as an
# exception, so what arrived is archived (WARC-Truncated: disconnect); the retry
# middleware retries it and never hands it to the spider.
DOWNLOAD_FAIL_ON_DATALOSS = False
# Waits before retries (crawler.middlewares.retry_after): Retry-After when the
# server sends it (not retried past RETRY_AFTER_MAX), else 1 s, 2 s, 4 s ... <= 60 s.
# (RETRY_AFTER_MAX, RETRY_BACKOFF_BASE, RETRY_BACKOFF_MAX: their defaults are
# crawler.middlewares.retry_after.DEFAULTS.)
