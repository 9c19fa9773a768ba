"""Scrapy settings of the arsip project (``scrapy crawl news -a profile=anri``).

Project-wide defaults; a site profile (crawler/profiles/*.toml) adjusts the
politeness and archive settings at spider priority, and ``arsip crawl``
overrides at command-line priority. arsip's own settings, alphabetical:

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

BOT_NAME = "arsip"

SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves; the profile's user agent (with a contact URL) replaces it.
USER_AGENT = "arsip (+https://github.com/arsip-project/arsip)"

ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.0
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 3
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
# No remote-control listener: a crawler on a shared server opens no ports.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"

# Breadth-first: listings are walked level by level, so memory follows the
# frontier rather than the depth of pagination.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
# Scrapy's scheduler plus a crash-safe frontier on disk (JOBDIR is not
# SIGKILL-safe: it writes its queues and seen-set only at a clean close).
SCHEDULER = "crawler.scheduler.FrontierScheduler"

DOWNLOADER_MIDDLEWARES = {
    # 950: above every built-in downloader middleware (HttpCompression is 590,
    # Redirect 600, Retry 550, Cookies 700, DownloaderStats 850, HttpCache 900),
    # so process_request sees the request with every header that will be sent
    # and process_response sees each raw exchange first: the body still
    # content-encoded, every 3xx before it is followed, every failed attempt
    # before it is retried.
    "crawler.middlewares.warc_capture.WarcCaptureMiddleware": 950,
    # 620: sends If-None-Match / If-Modified-Since from the collection's digest
    # index (any order below 950 gets them into the recorded request) and swaps
    # a 304 for the archived response after DownloaderStats (850) and Cookies
    # (700) saw the real 304, before Redirect (600) and HttpCompression (590),
    # which then treat it like a live response. WARC_CONDITIONAL_ENABLED turns
    # it off; WARC_REVISITS_ENABLED / WARC_METADATA_ENABLED / WARC_DIGEST_INDEX
    # are read by the capture middleware (defaults in its REVISIT_DEFAULTS).
    "crawler.middlewares.conditional.ConditionalRequestMiddleware": 620,
}

ITEM_PIPELINES = {
    # Validate first: nothing invalid reaches a file.
    "pipelines.validate.ValidateItemPipeline": 100,
    # Then the per-crawl JSON Lines, then the dataset.
    "pipelines.jsonlines.JsonLinesPipeline": 300,
    "pipelines.dataset.DatasetPipeline": 400,
}

EXTENSIONS = {
    # Off by name, not only by REMOTE_CONTROL_ENABLED: Scrapy imports an
    # enabled-by-default extension (here aiohttp, ~0.1 s) before asking it.
    "scrapy.extensions.remote_control.RemoteControl": None,
    "crawler.extensions.progress.ProgressExtension": 500,
    # Responses, skipped URLs and errors into the crawl's state; the report at the end.
    "crawler.extensions.report.ReportExtension": 510,
}

ARSIP_COLLECTION = ""
ARSIP_CRAWL_ID = ""
ARSIP_EXTRACT_ENABLED = True
ARSIP_CRAWL_MODE = "auto"
ARSIP_OUT_DIR = ""
ARSIP_PROFILE = "anri"
ARSIP_PROFILES_DIR = ""
ARSIP_PROGRESS = "auto"
ARSIP_PROGRESS_INTERVAL = 10.0
ARSIP_REPORT_ENABLED = True
ARSIP_RESUME = False
ARSIP_THROTTLE_LOOPBACK = False
FRONTIER_ENABLED = True
# Distributed crawling (docs/scaling.md): the news spider swaps in the Redis
# scheduler and middlewares when this is set (arsip crawl --redis URL).
REDIS_URL = ""

FEED_EXPORT_ENCODING = "utf-8"

# --- Reliability (docs/reliability.md) -----------------------------------------
# Added as a block of its own; the components' defaults live in their modules.
#
# Per response: a body past 50 MB, or still arriving after 0.9 x DOWNLOAD_TIMEOUT,
# is kept and archived as WARC-Truncated: length / time (crawler.middlewares.limits);
# a response that stalls fails at DOWNLOAD_TIMEOUT (60 s, above) and is retried.
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024
# A body cut short reaches the middlewares flagged "dataloss" instead of as an
# exception, so what arrived is archived (WARC-Truncated: disconnect); the retry
# middleware retries it and never hands it to the spider.
DOWNLOAD_FAIL_ON_DATALOSS = False
# Waits before retries (crawler.middlewares.retry_after): Retry-After when the
# server sends it (not retried past RETRY_AFTER_MAX), else 1 s, 2 s, 4 s ... <= 60 s.
RETRY_AFTER_MAX = 300.0
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0

DOWNLOADER_MIDDLEWARES.update(
    {
        # 940: below the capture (950), which archives a truncated body first;
        # above HttpCompression (590), which gets DOWNLOAD_MAXSIZE back to bound
        # decompression (gzip bombs).
        "crawler.middlewares.limits.ResponseLimitsMiddleware": 940,
        # 610: above Redirect (600), so a 3xx to another host is stopped before it
        # is followed; also refuses any request (retries, robots.txt) for a host
        # outside the profile's, which Scrapy's OffsiteMiddleware lets through
        # when dont_filter is set.
        "crawler.middlewares.scope.ScopeMiddleware": 610,
        # 585: below HttpCompression (590): reads the decoded body; refuses XML
        # that declares entities (billion laughs, XXE).
        "crawler.middlewares.xml_guard.XmlGuardMiddleware": 585,
        # 550: Scrapy's retry place, with waits and Retry-After; replaces it.
        # (None turns a built-in off; the dict above was inferred as str -> int.)
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,  # type: ignore[dict-item]
        "crawler.middlewares.retry_after.RetryAfterMiddleware": 550,
    }
)

SPIDER_MIDDLEWARES = {
    # 850: after DepthMiddleware (900) set the depth; reports what it drops.
    "crawler.middlewares.traps.TrapMiddleware": 850,
}

# Scrapy's HTTP/1.1 handler minus Twisted's silent retry of a GET whose reused
# connection failed: every failed attempt reaches the middlewares (and the WARC).
DOWNLOAD_HANDLERS = {
    "http": "crawler.handlers.http11.AttemptVisibleHTTP11DownloadHandler",
    "https": "crawler.handlers.http11.AttemptVisibleHTTP11DownloadHandler",
}
