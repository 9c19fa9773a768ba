"""Scrapy settings of the arsip project (``scrapy crawl news -a profile=anri``).

Project-wide defaults; a site profile (crawler/profiles/*.toml) adjusts the
politeness and archive settings at spider priority, and ``arsip crawl``
overrides at command-line priority. arsip's own settings, alphabetical:

- ARSIP_COLLECTION: collection name (profile's ``archive.collection``).
- ARSIP_CRAWL_ID: id of this crawl; generated when empty.
- ARSIP_CRAWL_MODE: "auto" (incremental when the collection has an earlier
  crawl, see crawler.incremental), "full" or "incremental".
- ARSIP_OUT_DIR: where warc/, json/, state/, reports/ and arsip.sqlite go
  (default data/PROFILE).
- ARSIP_PROFILE: profile name or path (the spider's ``profile`` argument wins).
- ARSIP_PROFILES_DIR: a directory of user profiles searched before the shipped ones.
- ARSIP_PROGRESS: "bar" (TTY), "log" (periodic lines), "off"; "auto" picks.
- ARSIP_PROGRESS_INTERVAL: seconds between progress updates (log mode).
- ARSIP_REPORT_ENABLED: write reports/CRAWL_ID.json and .html at the end.
- ARSIP_RESUME: continue the crawl ARSIP_CRAWL_ID from its state file.
- FRONTIER_ENABLED: record the frontier in state/CRAWL_ID.sqlite (crash-safe
  resume; crawler.scheduler.FrontierScheduler).
- DATASET_ENABLED / DATASET_PATH: the SQLite dataset (default OUT/arsip.sqlite).
- JSONL_ENABLED: JSON Lines per crawl (OUT/json/CRAWL_ID.jsonl).
- WARC_ENABLED / WARC_DIR / WARC_PREFIX / WARC_MAX_SIZE: WARC capture.
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
    "crawler.extensions.progress.ProgressExtension": 500,
    # Responses, skipped URLs and errors into the crawl's state; the report at the end.
    "crawler.extensions.report.ReportExtension": 510,
}

ARSIP_COLLECTION = ""
ARSIP_CRAWL_ID = ""
ARSIP_CRAWL_MODE = "auto"
ARSIP_OUT_DIR = ""
ARSIP_PROFILE = "anri"
ARSIP_PROFILES_DIR = ""
ARSIP_PROGRESS = "auto"
ARSIP_PROGRESS_INTERVAL = 10.0
ARSIP_REPORT_ENABLED = True
ARSIP_RESUME = False
FRONTIER_ENABLED = True

FEED_EXPORT_ENCODING = "utf-8"
