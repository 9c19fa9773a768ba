"""`crawler.addon.ArsipAddon`: one place wires `arsip crawl`, `scrapy crawl` and Scrapyd.

The add-on is driven through Scrapy's public add-on API (``from_crawler``,
``update_settings``) on a real `Crawler` whose spider was made the way
Scrapy makes it (``NewsSpider.from_crawler``); the full crawls under both
entry points are in test_cli_crawl.py, test_scrapy_cli.py and test_scrapyd.py.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings

from arsip.core.errors import ConfigError
from arsip.core.lock import CollectionLockedError, CrawlLock, held_lock, read_lock
from arsip.core.version import __version__
from arsip.crawling import crawl_settings
from crawler.addon import COMPONENTS, ArsipAddon
from crawler.middlewares.warc_capture import PRIORITY as WARC_PRIORITY
from crawler.profiles import load_profile
from crawler.spiders.news import NewsSpider
from tests.conftest import REPO

START = "http://127.0.0.1:9/berita"
CRAWL_ID = "20260101T000000Z-abcdef"


def project_settings(**cmdline: object) -> Settings:
    """What ``scrapy crawl`` reads (scrapy.cfg: crawler.settings), plus ``-s`` options."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for key, value in cmdline.items():
        settings.set(key, value, priority="cmdline")
    return settings


def wired(settings: Settings, **spider_args: object) -> tuple[Crawler, ArsipAddon]:
    crawler = Crawler(NewsSpider, settings)
    crawler.spider = NewsSpider.from_crawler(crawler, start_url=START, **spider_args)
    addon = ArsipAddon.from_crawler(crawler)
    addon.update_settings(crawler.settings)
    return crawler, addon


def test_the_addon_adds_components_profile_settings_crawl_id_and_the_lock(
    tmp_path: Path,
) -> None:
    # START is on loopback: ask for the profile's politeness all the same
    settings = project_settings(ARSIP_OUT_DIR=str(tmp_path), ARSIP_THROTTLE_LOOPBACK=True)
    crawler, addon = wired(settings)
    settings = crawler.settings
    try:
        middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
        warc = "crawler.middlewares.warc_capture.WarcCaptureMiddleware"
        assert middlewares[warc] == WARC_PRIORITY
        assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
        for name, components in COMPONENTS.items():
            assert components.items() <= settings.getdict(name).items(), name
        assert settings.get("SCHEDULER") == "crawler.scheduler.FrontierScheduler"
        anri = load_profile("anri")
        assert settings.get("USER_AGENT") == anri.crawl.user_agent.format(version=__version__)
        assert settings.getfloat("DOWNLOAD_DELAY") == anri.crawl.download_delay
        assert settings.get("WARC_DIR") == str(tmp_path / "warc")
        assert settings.get("DATASET_PATH") == str(tmp_path / "arsip.sqlite")
        crawl_id = settings.get("ARSIP_CRAWL_ID")
        assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", crawl_id)
        spider = crawler.spider
        assert isinstance(spider, NewsSpider)
        assert spider.crawl_id == crawl_id
        assert settings.get("ARSIP_CRAWL_MODE_RESOLVED") == "full"  # an empty collection
        assert held_lock(tmp_path) is addon.lock is not None
        assert (read_lock(tmp_path) or {})["crawl_id"] == crawl_id
    finally:
        addon.release()
    assert held_lock(tmp_path) is None and read_lock(tmp_path) is None


def test_what_arsip_crawl_decided_is_kept_crawl_id_lock_and_switched_off_components(
    tmp_path: Path,
) -> None:
    off = "crawler.middlewares.scope.ScopeMiddleware"
    settings = crawl_settings(
        load_profile("anri"),
        tmp_path,
        overrides={"ARSIP_CRAWL_ID": CRAWL_ID, "DOWNLOADER_MIDDLEWARES": {off: None}},
    )
    with CrawlLock(tmp_path, CRAWL_ID) as lock:  # as `arsip crawl` holds it
        crawler, addon = wired(settings)
        assert addon.lock is None and held_lock(tmp_path) is lock
        addon.release()
        assert held_lock(tmp_path) is lock  # not the add-on's to release
    assert crawler.settings.get("ARSIP_CRAWL_ID") == CRAWL_ID
    assert crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")[off] is None
    assert crawler.settings.getdict("ADDONS") == {"crawler.addon.ArsipAddon": 0}


def test_scrapy_crawl_of_a_collection_another_crawl_holds_is_refused(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from arsip.core.lock import CrawlLock; "
            f"CrawlLock({str(tmp_path)!r}, 'other').acquire(); print('held', flush=True); "
            "sys.stdin.read()",
        ],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        refused = r"^another crawl is running in .*, crawl other\)"
        with pytest.raises(CollectionLockedError, match=refused):
            wired(project_settings(ARSIP_OUT_DIR=str(tmp_path)))
    finally:
        holder.communicate("")
    assert held_lock(tmp_path) is None


def test_the_spider_without_the_addon_says_what_is_missing(tmp_path: Path) -> None:
    settings = project_settings(ARSIP_OUT_DIR=str(tmp_path), ADDONS={})
    crawler = Crawler(NewsSpider, settings)
    spider = NewsSpider.from_crawler(crawler, start_url=START)

    async def first_request() -> object:
        return await anext(spider.start())

    with pytest.raises(ConfigError, match=r"ADDONS = \{'crawler.addon.ArsipAddon': 0\}"):
        asyncio.run(first_request())
