"""The news spider: walks a site profile's listings, pagination and sitemap,
fetches every article and its requisites, and emits one item per article.

Every response reaching a callback here has already been written to WARC by
`WarcCaptureMiddleware` (its location is in ``response.meta["warc"]``); an
article whose capture failed is not emitted, since the WARC is the source of
truth.

Run it the Scrapy way inside the repository::

    scrapy crawl news -a profile=anri -a start_url=http://127.0.0.1:8000/publikasi/berita
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.http import Response, TextResponse

from arsip import __version__
from crawler.extract.model import SCHEMA_VERSION
from crawler.extract.urls import canonical_url
from crawler.profiles import Profile, load_profile

logger = logging.getLogger(__name__)

#: Links to these extensions are documents (attachments), fetched as requisites.
DOCUMENT_EXTENSIONS = (
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".zip",
    ".rar",
    ".odt",
    ".ods",
)
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

# Sitemaps are untrusted XML: no entities expanded, no network, no huge trees
# (billion laughs and XXE are refused by the parser itself).
_SAFE_XML = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=False
)


def new_crawl_id(now: datetime | None = None) -> str:
    """A sortable, file-name-safe crawl id: ``20261127T222048Z-1a2b3c``."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def profile_settings(profile: Profile, out_dir: str) -> dict[str, Any]:
    """Scrapy settings that a profile implies (applied at spider priority)."""
    out = Path(out_dir)
    return {
        "USER_AGENT": profile.crawl.user_agent.format(version=__version__),
        "ROBOTSTXT_OBEY": profile.crawl.obey_robots,
        "CONCURRENT_REQUESTS_PER_DOMAIN": profile.crawl.concurrent_requests_per_host,
        "DOWNLOAD_DELAY": profile.crawl.download_delay,
        "AUTOTHROTTLE_ENABLED": profile.crawl.autothrottle,
        "ARSIP_COLLECTION": profile.collection,
        "ARSIP_OUT_DIR": str(out),
        "WARC_DIR": str(out / "warc"),
        "WARC_PREFIX": profile.warc_prefix,
        "DATASET_PATH": str(out / "arsip.sqlite"),
    }


class NewsSpider(scrapy.Spider):
    """Crawl one site profile's news section into WARC and article items."""

    name = "news"

    def __init__(
        self,
        profile: str | None = None,
        start_url: str | None = None,
        max_pages: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.profile_name = profile or "anri"
        self.profile: Profile = load_profile(self.profile_name)
        starts = [start_url] if start_url else list(self.profile.start_urls)
        if not starts:
            raise ValueError(
                f"profile '{self.profile.name}' has no start_urls; give one with start_url"
            )
        self.start_urls = starts
        hosts = {h.lower() for h in self.profile.allowed_hosts}
        hosts.update((urlsplit(u).hostname or "").lower() for u in starts)
        self.allowed_hosts: frozenset[str] = frozenset(h for h in hosts if h)
        self.allowed_domains = sorted(self.allowed_hosts)
        self.max_pages = int(max_pages) if max_pages else 0
        self._emitted: set[str] = set()
        self.crawl_id = ""

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        kwargs.setdefault("profile", crawler.settings.get("ARSIP_PROFILE") or "anri")
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        out_dir = settings.get("ARSIP_OUT_DIR") or str(Path("data") / spider.profile.name)
        for key, value in profile_settings(spider.profile, out_dir).items():
            settings.set(key, value, priority="spider")
        if not settings.get("ARSIP_CRAWL_ID"):
            settings.set("ARSIP_CRAWL_ID", new_crawl_id(), priority="spider")
        settings.set("ARSIP_PROFILE", spider.profile.name, priority="spider")
        if spider.max_pages:
            settings.set("CLOSESPIDER_PAGECOUNT", spider.max_pages, priority="spider")
        spider.crawl_id = str(settings.get("ARSIP_CRAWL_ID"))
        return spider

    # -- start ---------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse)
        for sitemap in self.profile.sitemap_urls:
            yield scrapy.Request(urljoin(self.start_urls[0], sitemap), callback=self.parse_sitemap)

    # -- scope ---------------------------------------------------------------

    def in_scope(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and (parts.hostname or "") in self.allowed_hosts

    def _count(self, key: str) -> None:
        self.crawler.stats.inc_value(key)

    def follow_page(self, url: str) -> scrapy.Request | None:
        """A request for a listing or article link, or None (counted) when skipped."""
        url = url.split("#", 1)[0]
        if not self.in_scope(url):
            self._count("skip/out_of_scope")
            return None
        if self.profile.is_excluded(url):
            self._count("skip/excluded")
            return None
        if self.profile.is_article(url):
            return scrapy.Request(url, callback=self.parse_article)
        if self.profile.is_listing(url):
            return scrapy.Request(url, callback=self.parse)
        self._count("skip/not_news")
        return None

    def requisite_urls(self, response: TextResponse) -> Iterator[str]:
        """Images, stylesheets, icons, scripts and attached documents of a page."""
        if not self.profile.requisites:
            return
        for url in response.xpath(
            "//img/@src | //link[@rel='stylesheet' or contains(@rel,'icon')]/@href"
            " | //script/@src | //source/@src"
        ).getall():
            yield response.urljoin(url.strip())
        for href in response.xpath("//a/@href").getall():
            path = urlsplit(href).path.lower()
            if path.endswith(DOCUMENT_EXTENSIONS):
                yield response.urljoin(href.strip())

    def _links(self, response: TextResponse) -> Iterator[scrapy.Request]:
        for href in response.xpath("//a/@href").getall():
            href = href.strip()
            if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
                continue
            url = response.urljoin(href)
            if urlsplit(url).path.lower().endswith(DOCUMENT_EXTENSIONS):
                continue
            request = self.follow_page(url)
            if request is not None:
                yield request
        for url in self.requisite_urls(response):
            if self.in_scope(url) and not self.profile.is_excluded(url):
                yield scrapy.Request(url, callback=self.parse_requisite)
            else:
                self._count("skip/out_of_scope")

    # -- callbacks -----------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A listing (or home) page: follow pagination, articles and requisites."""
        if not isinstance(response, TextResponse):
            return
        yield from self._links(response)

    def parse_requisite(self, response: Response) -> Iterable[Any]:
        """Images, CSS, JS and documents: captured in WARC, nothing to extract."""
        self._count("requisites/fetched")
        return ()

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Listing and article URLs from a sitemap (or sitemap index)."""
        try:
            root = etree.fromstring(response.body, _SAFE_XML)
        except etree.XMLSyntaxError as exc:
            logger.warning("Unreadable sitemap %s: %s", response.url, exc)
            self._count("sitemap/invalid")
            return
        for loc in root.iter(f"{SITEMAP_NS}loc"):
            url = (loc.text or "").strip()
            if not url:
                continue
            if root.tag == f"{SITEMAP_NS}sitemapindex":
                if self.in_scope(url):
                    yield scrapy.Request(url, callback=self.parse_sitemap)
                continue
            request = self.follow_page(url)
            if request is not None:
                yield request

    def parse_article(self, response: Response) -> Iterator[Any]:
        """An article page: its requisites, its links, and its item."""
        if not isinstance(response, TextResponse):
            self._count("extract/not_html")
            return
        yield from self._links(response)
        item = self.article_item(response)
        if item is not None:
            yield item

    def article_item(self, response: TextResponse) -> dict[str, Any] | None:
        """The item for an article response, or None (counted) when it cannot be one."""
        from crawler.extract import extract  # heavy: imported on first article

        location = response.meta.get("warc")
        if not location:
            self._count("extract/skipped/no_warc")
            logger.error("Not emitting %s: its response was not written to WARC", response.url)
            return None
        headers = {
            k.decode("latin-1"): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        article = extract(response.body, response.url, headers=headers, profile=self.profile)
        if article.id in self._emitted:
            self._count("extract/duplicate")
            return None
        self._emitted.add(article.id)
        for field_name in article.debug.get("fallback", ()):
            self._count(f"extract/fallback/{field_name}")
        item: dict[str, Any] = article.as_dict()
        for key, value in item.items():
            if value is None or value == []:
                self._count(f"extract/missing/{key}")
        item["fetched_at"] = response.meta.get("fetched_at") or location.get("warc_date")
        item["crawl_id"] = self.crawl_id
        item["warc"] = {
            key: location[key]
            for key in ("filename", "offset", "length", "record_id", "payload_digest")
        }
        item["schema_version"] = SCHEMA_VERSION
        self._count("extract/articles")
        return item


__all__ = ["NewsSpider", "canonical_url", "new_crawl_id", "profile_settings"]
