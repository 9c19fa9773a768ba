"""The news spider: walks a site profile's listings, pagination and sitemap,
fetches every article and its requisites, and emits one item per article.

Every response reaching a callback here has already been written to WARC by
`WarcCaptureMiddleware` (its location is in ``response.meta["warc"]``); an
article whose capture failed is not emitted, since the WARC is the source of
truth.

A full crawl follows every listing, pagination and sitemap link. An
incremental crawl (`crawler.incremental`: the default when the collection
has an earlier crawl) walks the listings newest first and stops paging after
``incremental.stop_after_known`` consecutive known articles; it fetches new
articles, refetches known ones inside the revisit window, and skips the
rest. Each URL not fetched is reported with its reason (signal
`crawler.frontier.url_skipped`, stats ``skip/<reason>``), and each callback
tells the frontier when it is finished with its request
(`crawler.frontier.request_handled`), so a crawl can be resumed.

Run it the Scrapy way inside the repository::

    scrapy crawl news -a profile=anri -a start_url=http://127.0.0.1:8000/publikasi/berita
"""

from __future__ import annotations

import functools
import logging
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from arsip.core import layout
from arsip.core.errors import ConfigError
from arsip.core.version import __version__
from crawler import defaults as crawl_defaults
from crawler.classify import ARTICLE, LISTING, OTHER, PageKind, classify
from crawler.exceptions import GAVE_UP, Skipped
from crawler.extract.model import EXTRACTED_FIELDS
from crawler.extract.patterns import ATTACHMENT_EXTENSIONS
from crawler.extract.urls import article_id as _article_id
from crawler.extract.urls import canonical_url
from crawler.failures import UNREACHABLE_PREFIX, network_cause
from crawler.frontier import page_classified, request_handled, url_skipped
from crawler.incremental import Knowledge, load_knowledge
from crawler.items import article_item
from crawler.politeness import politeness
from crawler.profiles import Profile, find_profile
from crawler.scheduler import state_of
from crawler.section import Section, is_alias, origin, origins_of, url_trap
from pipelines import defaults
from pipelines.full_disk import full_disk_seen
from pipelines.jsonlines import crawl_items

logger = logging.getLogger(__name__)

#: Links to these extensions are documents (attachments), fetched as requisites:
#: the extractor's list (an article's ``attachments``), so both agree.
DOCUMENT_EXTENSIONS = ATTACHMENT_EXTENSIONS
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM_NS = "{http://www.w3.org/2005/Atom}"

# Sitemaps are untrusted XML: no entities expanded, no network, no huge trees
# (billion laughs and XXE are refused by the parser itself).
_SAFE_XML = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=False
)


def new_crawl_id(now: datetime | None = None) -> str:
    """A sortable, file-name-safe crawl id: ``20261127T222048Z-1a2b3c``."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def profile_settings(
    profile: Profile,
    out_dir: str,
    starts: list[str] | None = None,
    *,
    throttle_loopback: bool = False,
) -> dict[str, Any]:
    """Scrapy settings that a profile implies (applied at spider priority)."""
    out = Path(out_dir)
    return {
        "USER_AGENT": profile.crawl.user_agent.format(version=__version__),
        "ROBOTSTXT_OBEY": profile.crawl.obey_robots,
        **politeness(profile, list(starts or profile.start_urls), throttle_loopback),
        "ARSIP_COLLECTION": profile.collection,
        "ARSIP_OUT_DIR": str(out),
        "WARC_DIR": str(layout.warc_dir(out)),
        "WARC_PREFIX": profile.warc_prefix,
        "DATASET_PATH": str(layout.dataset_path(out)),
    }


Callback = Callable[..., Iterator[Any]]

#: The id of the article at a URL, cached: every page links to the same menu,
#: sidebar and pagination, and a canonical URL costs ~25 µs.
article_id = functools.lru_cache(maxsize=65536)(_article_id)


def tracked(fn: Callback) -> Callback:
    """Tell the frontier when a callback is finished with its request.

    Sent after the callback's last output was handed to Scrapy (every link
    it yielded is recorded by then), with the number of items it yielded:
    the frontier marks the request done once those items have left the
    pipelines too. Not sent when Scrapy closes the generator early.
    """

    @functools.wraps(fn)
    def callback(self: NewsSpider, response: Response, **kwargs: Any) -> Iterator[Any]:
        items = 0
        try:
            for output in fn(self, response, **kwargs):
                if not isinstance(output, scrapy.Request):
                    items += 1
                yield output
        except GeneratorExit:
            raise
        except Exception:
            self.handled(response.request, items, "spider_error")
            raise
        self.handled(response.request, items, "ok")

    return callback


class NewsSpider(scrapy.Spider):
    """Crawl one site profile's news section into WARC and article items."""

    name = "news"

    def __init__(
        self,
        profile: str | None = None,
        start_url: str | None = None,
        max_pages: str | int | None = None,
        profiles_dir: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.profile_name = profile or defaults.ARSIP_PROFILE
        self.profile: Profile = find_profile(self.profile_name, profiles_dir or None)
        self.site = self.profile.site_hints()
        # Several start URLs: separated by white space (no URL holds any).
        starts = start_url.split() if start_url else list(self.profile.start_urls)
        if not starts:
            raise ValueError(
                f"profile '{self.profile.name}' has no start_urls; give one with start_url"
            )
        self.start_urls = starts
        # Scope by origin (scheme, host, port: crawler.section), also enforced for
        # every request and redirect by crawler.middlewares.scope.
        self.allowed_origins: frozenset[str] = origins_of(starts, self.profile.allowed_hosts)
        hosts = {o.split("://", 1)[1].rsplit(":", 1)[0] for o in self.allowed_origins}
        self.allowed_hosts: frozenset[str] = frozenset(h for h in hosts if h)
        self.allowed_domains = sorted(self.allowed_hosts)
        # Where the profile's URL patterns say what is news, they decide; else the
        # crawl keeps to the start URLs' sections and classifies pages by what they show.
        self.by_patterns = bool(self.profile.article_patterns and self.profile.listing_patterns)
        self.sections: tuple[Section, ...] = tuple(Section.of(u) for u in starts)
        self._teaser_paths: Counter[str] = Counter()
        self._feeds: set[str] = set()
        self.max_pages = int(max_pages) if max_pages else 0
        self.max_depth = self.profile.crawl.max_depth
        self._emitted: set[str] = set()
        self._walk_seen: set[str] = set()
        self.crawl_id = ""
        self.extract_enabled = True
        self.resumed = False
        self.knowledge = Knowledge()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        """The spider of ``ARSIP_PROFILE`` unless ``-a profile=...`` names another.

        The crawl's wiring (the profile's settings, crawl id, Redis, lock,
        components) is the add-on's, `crawler.addon.ArsipAddon`, which then
        calls `prepare`.
        """
        settings = crawler.settings
        kwargs.setdefault("profile", settings.get("ARSIP_PROFILE") or defaults.ARSIP_PROFILE)
        kwargs.setdefault("profiles_dir", settings.get("ARSIP_PROFILES_DIR") or None)
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        return spider

    def prepare(self, settings: BaseSettings) -> None:
        """Read the crawl's final settings (called by `crawler.addon.ArsipAddon`):
        crawl id, resume, and what an incremental crawl knows of the collection."""
        out_dir = str(settings.get("ARSIP_OUT_DIR"))
        self.crawl_id = str(settings.get("ARSIP_CRAWL_ID"))
        self.extract_enabled = settings.getbool(
            "ARSIP_EXTRACT_ENABLED", crawl_defaults.ARSIP_EXTRACT_ENABLED
        )
        self.resumed = settings.getbool("ARSIP_RESUME", crawl_defaults.ARSIP_RESUME)
        self.knowledge = load_knowledge(
            self.profile,
            Path(out_dir),
            layout.dataset_path(out_dir, settings.get("DATASET_PATH")),
            requested=str(settings.get("ARSIP_CRAWL_MODE") or crawl_defaults.ARSIP_CRAWL_MODE),
            crawl_id=self.crawl_id,
        )
        settings.set("ARSIP_CRAWL_MODE_RESOLVED", self.knowledge.mode, priority="spider")
        if self.resumed:
            self._emitted = _jsonl_ids(layout.json_dir(out_dir), self.crawl_id)

    # -- start ---------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if not self.crawl_id:
            raise ConfigError(
                "the news spider needs arsip's add-on: ADDONS = {'crawler.addon.ArsipAddon': 0}"
                " (set in crawler/settings.py)"
            )
        stats = self.crawler.stats
        stats.set_value("crawl/mode", self.knowledge.mode)
        stats.set_value("crawl/mode_reason", self.knowledge.reason)
        if self.knowledge.cutoff is not None:
            stats.set_value("incremental/revisit_since", self.knowledge.cutoff.isoformat())
        if self.resumed and self._frontier_has_requests():
            return  # the frontier re-queued what was left
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error)
        if self.knowledge.incremental and not self.profile.incremental.sitemap:
            return
        for sitemap in self.profile.sitemap_urls:
            yield scrapy.Request(
                urljoin(self.start_urls[0], sitemap),
                callback=self.parse_sitemap,
                errback=self.on_error,
            )

    def _frontier_has_requests(self) -> bool:
        state = state_of(self.crawler)
        return bool(state is not None and sum(state.counts().values()))

    # -- bookkeeping ---------------------------------------------------------

    def _count(self, key: str) -> None:
        self.crawler.stats.inc_value(key)

    def skip(self, url: str, reason: str, referer: str | None = None) -> None:
        """Count and report a URL that is not fetched, with its reason."""
        self._count(f"skip/{reason}")
        self.crawler.signals.send_catch_log(
            signal=url_skipped, url=url, reason=reason, referer=referer
        )

    def _anomaly(self, url: str, anomaly: str) -> None:
        """A page extraction could not read whole: stat ``extract/anomaly/<kind>``, a
        report line (kind ``extract``), a warning."""
        self._count(f"extract/anomaly/{anomaly.split(':', 1)[0]}")
        message = f"extraction anomaly: {anomaly}; the body and other fields may be missing"
        logger.warning("%s: %s", url, message)
        state = state_of(self.crawler)
        if state is not None:
            state.add_error(url, "extract", message)

    def handled(self, request: scrapy.Request | None, items: int, outcome: str) -> None:
        """Tell the frontier that *request* is handled (see `tracked`)."""
        if request is not None:
            self.crawler.signals.send_catch_log(
                signal=request_handled, request=request, items=items, outcome=outcome
            )

    # -- scope ---------------------------------------------------------------

    def in_scope(self, url: str) -> bool:
        """Whether *url*'s origin (scheme, host, port) is one the crawl may fetch from."""
        return origin(url) in self.allowed_origins

    def in_section(self, url: str) -> bool:
        """Whether *url* lies in the section a start URL names (`crawler.section`)."""
        return any(section.contains(url) for section in self.sections)

    def section_refusal(self, url: str, vouched: bool = False) -> str | None:
        """Why a page URL is not fetched by a classifying crawl, or None.

        Inside the section, anything but a trap (search, tags, calendars,
        galleries, documents, ``?sort=``...: ``trap_<kind>``); outside it, only
        what a listing, feed or sitemap of the section *vouched* for (its
        teaser links: articles may live elsewhere on the origin, as on
        WordPress), never the origin's root (``out_of_section``).
        """
        inside = [s for s in self.sections if s.contains(url)]
        trap = url_trap(url, inside[0].prefix if inside else "")
        if trap is not None and url.split("#", 1)[0] not in self.start_urls:
            return f"trap_{trap}"
        if inside:
            return None
        if vouched and urlsplit(url).path not in ("", "/"):
            return None
        return "out_of_section"

    def redirect_refusal(self, request: scrapy.Request) -> str | None:
        """Why the target of a redirect (3xx or meta refresh) is not fetched, or None.

        The target passes the rules a link to it would (the scope middleware
        asks, `crawler.middlewares.scope`; origin and robots.txt are checked
        there and by Scrapy): the profile's ``exclude_patterns``, then its
        article / listing patterns (documents pass, as requisites), or, in a
        classifying crawl, the section and trap rules. A start URL that
        redirects moves its section along with it.
        """
        url = request.url.split("#", 1)[0]
        callback = getattr(request.callback, "__name__", "")
        if callback not in _PAGE_CALLBACKS | {"parse_requisite", "parse_sitemap", "parse_feed"}:
            return None  # not the spider's request (robots.txt): Scrapy's own rules
        if self.profile.is_excluded(url):
            return "excluded"
        if callback not in _PAGE_CALLBACKS:
            return None
        if urlsplit(url).path.lower().endswith(DOCUMENT_EXTENSIONS):
            return None
        sources = request.meta.get("redirect_urls") or []
        if sources and sources[0].split("#", 1)[0] in self.start_urls:
            section = Section.of(url)
            if section not in self.sections:
                self.sections = (*self.sections, section)
            return None
        if self.profile.is_article(url) or self.profile.is_listing(url):
            return None
        if self.by_patterns:
            return "not_news"
        return self.section_refusal(url, bool(request.meta.get("arsip_vouched")))

    def classified(self, url: str, kind: str, reason: str) -> None:
        """Count and report what a page was taken for, and why."""
        self._count(f"classify/{kind}")
        self.crawler.signals.send_catch_log(
            signal=page_classified, url=url, kind=kind, reason=reason
        )

    def follow_page(
        self,
        url: str,
        referer: str | None = None,
        depth: int = 0,
        *,
        walk: bool = True,
        meta: dict[str, Any] | None = None,
        vouched: bool = False,
    ) -> scrapy.Request | None:
        """A request for a listing or article link, or None (reported) when skipped.

        *walk* False: in an incremental crawl, a listing link that is not the
        next page of the walk is not followed. *vouched*: a teaser link of a
        listing of the section (`section_refusal`).
        """
        url = url.split("#", 1)[0]
        if not self.in_scope(url):
            self.skip(url, "out_of_scope", referer)
            return None
        if self.profile.is_excluded(url):
            self.skip(url, "excluded", referer)
            return None
        if self.max_depth and depth > self.max_depth:
            self.skip(url, "depth", referer)
            return None
        if self.profile.is_article(url):
            return self._article_request(url, referer)
        if self.profile.is_listing(url):
            if self.knowledge.incremental and not walk:
                self._count("incremental/listing_not_walked")
                return None
            return scrapy.Request(url, callback=self.parse, errback=self.on_error, meta=meta)
        if self.by_patterns:
            self.skip(url, "not_news", referer)
            return None
        return self._page_request(url, referer, vouched)

    def _page_request(self, url: str, referer: str | None, vouched: bool) -> scrapy.Request | None:
        """A request for a page that its response will classify (`parse_page`)."""
        refusal = self.section_refusal(url, vouched)
        if refusal is not None:
            self.skip(url, refusal, referer)
            return None
        if article_id(url) in self._emitted:
            self.skip(url, "duplicate", referer)
            return None
        meta: dict[str, Any] = {"arsip_vouched": vouched}
        if self.knowledge.incremental and article_id(url) in self.knowledge.articles:
            verdict = self.knowledge.classify(url)
            if verdict == "known":
                self.skip(url, "known", referer)
                return None
            meta["arsip_revisit"] = verdict == "revisit"
        return scrapy.Request(url, callback=self.parse_page, errback=self.on_error, meta=meta)

    def _article_request(self, url: str, referer: str | None) -> scrapy.Request | None:
        if article_id(url) in self._emitted:
            self.skip(url, "duplicate", referer)
            return None
        meta: dict[str, Any] = {}
        if self.knowledge.incremental:
            verdict = self.knowledge.classify(url)
            if verdict == "known":
                self.skip(url, "known", referer)
                return None
            meta["arsip_revisit"] = verdict == "revisit"
        return scrapy.Request(url, callback=self.parse_article, errback=self.on_error, meta=meta)

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

    def _links(
        self,
        response: TextResponse,
        next_page: str | None = None,
        run: int = 0,
        *,
        follow: bool = True,
        vouched: frozenset[str] = frozenset(),
        extra: tuple[str, ...] = (),
        article: bool = False,
    ) -> Iterator[scrapy.Request]:
        """Requests for the page's links (when *follow*), *extra* pages and its requisites.

        On an *article* page a link to its own address without the slug is
        the same article again (`crawler.section.is_alias`): not followed.
        """
        depth = int(response.meta.get("depth", 0)) + 1
        hrefs = response.xpath("//a/@href").getall() if follow else []
        seen: set[str] = set()
        for href in [*hrefs, *extra]:
            href = href.strip()
            if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
                continue
            url = response.urljoin(href)
            if urlsplit(url).path.lower().endswith(DOCUMENT_EXTENSIONS):
                continue
            key = url.split("#", 1)[0]
            if key in seen:
                continue
            seen.add(key)
            if article and is_alias(key, response.url):
                self.skip(key, "alias", response.url)
                continue
            is_next = key == next_page
            request = self.follow_page(
                url,
                response.url,
                depth,
                walk=is_next,
                meta={"known_run": run} if is_next else None,
                vouched=key in vouched,
            )
            if request is not None:
                yield request
        for url in self.requisite_urls(response):
            if not self.in_scope(url):
                self.skip(url, "out_of_scope", response.url)
            elif self.profile.is_excluded(url):
                self.skip(url, "excluded", response.url)
            elif self.knowledge.incremental and self.knowledge.known_requisite(url):
                self.skip(url, "known", response.url)
            else:
                yield scrapy.Request(url, callback=self.parse_requisite, errback=self.on_error)

    def _walk(self, response: TextResponse) -> tuple[str | None, int]:
        """Incremental listing walk: the next page to fetch (None: stop) and the known run.

        Counts, in page order, the consecutive known articles at the end of
        the walk so far (links already met on earlier pages, like a "latest
        news" sidebar, are not counted again); paging stops once the run
        reaches ``incremental.stop_after_known``.
        """
        run = int(response.meta.get("known_run", 0))
        for href in response.xpath("//a/@href").getall():
            url = response.urljoin(href.strip()).split("#", 1)[0]
            if not self.profile.is_article(url) or url in self._walk_seen:
                continue
            self._walk_seen.add(url)
            run = 0 if self.knowledge.classify(url) == "new" else run + 1
        limit = self.profile.incremental.stop_after_known
        if run >= limit:
            self._count("incremental/paging_stopped")
            logger.info("Stopped paging at %s: %d known articles in a row", response.url, run)
            return None, run
        page = _page_number(response.url)
        for href in response.xpath("//a/@href").getall():
            url = response.urljoin(href.strip()).split("#", 1)[0]
            if self.profile.is_listing(url) and _page_number(url) == page + 1:
                return url, run
        return None, run

    # -- callbacks -----------------------------------------------------------

    @tracked
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A listing (or home) page: follow pagination, articles and requisites.

        In a classifying crawl (no complete URL patterns) a start URL is a
        page like any other (`parse_page`), followed whatever it shows.
        """
        if not isinstance(response, TextResponse):
            return
        if not self.by_patterns and not self.profile.is_listing(response.url):
            yield from self._parse_page(response, start=True)
            return
        listed = self.profile.is_listing(response.url)
        reason = "profile listing_patterns" if listed else "start URL"
        self.classified(response.url, LISTING, reason)
        next_page, run = None, 0
        if self.knowledge.incremental and self.profile.is_listing(response.url):
            next_page, run = self._walk(response)
        yield from self._links(response, next_page, run)

    @tracked
    def parse_page(self, response: Response) -> Iterator[Any]:
        """A page the crawl does not know yet: classified by what it shows (crawler.classify)."""
        yield from self._parse_page(response)

    def _parse_page(self, response: Response, *, start: bool = False) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.classified(response.url, OTHER, "not an HTML page")
            return
        if self.profile.is_article(response.url):  # a pattern the profile gives decides
            page = PageKind(ARTICLE, "profile article_patterns")
        elif self.profile.is_listing(response.url):
            shown = self._classify(response)
            page = PageKind(
                LISTING, "profile listing_patterns", shown.teasers, shown.pages, shown.feeds
            )
        else:
            page = self._classify(response)
        copy_of = self._copy_of(response.url, page)
        if copy_of:
            self.classified(response.url, OTHER, f"a copy of the article at {copy_of}")
            request = self.follow_page(copy_of, response.url, vouched=True)
            if request is not None:
                yield request
            yield from self._links(response, follow=False)
            return
        self.classified(response.url, page.kind, page.reason)
        if page.kind == ARTICLE:
            yield from self._links(response, article=True)
            item = self.article_item(response)
            if item is not None:
                if response.meta.get("arsip_revisit"):
                    self._count("incremental/revisited")
                elif self.knowledge.incremental:
                    self._count("incremental/new")
                yield item
            return
        if page.kind == LISTING or start:
            yield from self._feed_requests(page.feeds)
            yield from self._links(
                response, vouched=self._vouched(response.url, page), extra=page.pages[:1]
            )
            return
        yield from self._links(response, follow=False)  # its requisites: archived as seen

    def _classify(self, response: TextResponse) -> PageKind:
        """`crawler.classify.classify` on the tree Scrapy parsed; its CPU time is counted
        (``classify/cpu_us``: BENCHMARKS.md compares it with the crawl's)."""
        root = response.selector.root  # Scrapy's parse, which the links need anyway
        started = time.process_time()
        page = classify(root, response.url)
        self.crawler.stats.inc_value(
            "classify/cpu_us", int((time.process_time() - started) * 1_000_000)
        )
        return page

    def _copy_of(self, url: str, page: PageKind) -> str:
        """The address an article page names as its canonical one when it is another page
        of the crawl's scope (so this one is a second address of it), else ""."""
        canonical = page.canonical
        if page.kind != ARTICLE or not canonical or not self.in_scope(canonical):
            return ""
        if canonical_url(canonical) == canonical_url(url):
            return ""
        path = urlsplit(canonical).path.rstrip("/")
        if not path or any(path == s.prefix for s in self.sections):  # a site-wide canonical
            return ""
        return canonical

    def _vouched(self, url: str, page: PageKind) -> frozenset[str]:
        """The teaser links a listing of the section vouches for: the group of repeated
        blocks seen most on earlier listings, else its largest (not a sidebar)."""
        if not page.teasers or not self.in_section(url):
            return frozenset()
        known = [g for g in page.teasers if g[0] in self._teaser_paths]
        best = max(known, key=lambda g: self._teaser_paths[g[0]]) if known else page.teasers[0]
        path, links = best
        self._teaser_paths[path] += 1
        return frozenset(links)

    def _feed_requests(self, feeds: tuple[str, ...]) -> Iterator[scrapy.Request]:
        """The feeds of the section a page announces (a site-wide feed is left alone)."""
        for url in feeds:
            if url in self._feeds or not self.in_scope(url) or self.profile.is_excluded(url):
                continue
            if not self.in_section(url):
                continue
            self._feeds.add(url)
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error)

    def _xml_root(self, response: Response, what: str) -> Any:
        """The parsed root of a feed or sitemap (safe parser), or None: an unreadable
        one is a warning and the stat ``<what>/invalid``."""
        try:
            return etree.fromstring(response.body, _SAFE_XML)
        except etree.XMLSyntaxError as exc:
            logger.warning("Unreadable %s %s: %s", what, response.url, exc)
            self._count(f"{what}/invalid")
            return None

    @tracked
    def parse_feed(self, response: Response) -> Iterator[Any]:
        """Article links of an RSS or Atom feed; a feed of the section vouches for them."""
        root = self._xml_root(response, "feed")
        if root is None:
            return
        links = [(el.text or "").strip() for el in root.iter("link") if el.text]
        links += [
            el.get("href", "").strip()
            for el in root.iter(f"{ATOM_NS}link")
            if el.get("rel", "alternate") == "alternate"
        ]
        vouched = self.in_section(response.url)
        self._count("feed/read")
        for url in links:
            if url:
                request = self.follow_page(response.urljoin(url), response.url, vouched=vouched)
                if request is not None:
                    yield request

    @tracked
    def parse_requisite(self, response: Response) -> Iterator[Any]:
        """Images, CSS, JS and documents: captured in WARC, nothing to extract."""
        self._count("requisites/fetched")
        yield from ()

    @tracked
    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Listing and article URLs from a sitemap (or sitemap index)."""
        root = self._xml_root(response, "sitemap")
        if root is None:
            return
        for loc in root.iter(f"{SITEMAP_NS}loc"):
            url = (loc.text or "").strip()
            if not url:
                continue
            if root.tag == f"{SITEMAP_NS}sitemapindex":
                if self.in_scope(url):
                    yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error)
                continue
            request = self.follow_page(
                url,
                response.url,
                walk=not self.knowledge.incremental,
                vouched=self.in_section(response.url),
            )
            if request is not None:
                yield request

    @tracked
    def parse_article(self, response: Response) -> Iterator[Any]:
        """An article page: its requisites, its links, and its item."""
        if not isinstance(response, TextResponse):
            self._count("extract/not_html")
            return
        if not self.profile.is_article(response.url):  # a redirect led elsewhere
            if not self.by_patterns or self.profile.is_listing(response.url):
                yield from self._parse_page(response)
                return
            self.classified(response.url, OTHER, "redirected outside article_patterns")
            yield from self._links(response, follow=False)
            return
        self.classified(response.url, ARTICLE, "profile article_patterns")
        yield from self._links(response)
        item = self.article_item(response)
        if item is not None:
            if response.meta.get("arsip_revisit"):
                self._count("incremental/revisited")
            elif self.knowledge.incremental:
                self._count("incremental/new")
            yield item

    def on_error(self, failure: Failure) -> None:
        """A request that got no usable response: decide what it was, count and report it.

        - an error status the crawl retries (5xx, 429, 408: ``RETRY_HTTP_CODES``)
          means the server failed on every try, or asked for too long a wait:
          a final failure, ``fetch/failed/http_<status>``;
        - any other error status (404, 410, 403...) is the server's answer,
          archived as received: ``fetch/answered/http_<status>``;
        - a response the retries gave up on (an incomplete body every time):
          a final failure, ``fetch/failed/incomplete``;
        - any other ``IgnoreRequest`` is a decision: a skipped URL with its
          reason (a `Skipped`'s, or Scrapy's: robots, offsite redirect, truncated at a
          limit, unsafe XML...);
        - a download error (reset, timeout, refused...) after its retries, or
          one that is not retried: a final failure, ``fetch/failed/error/<type>``.

        `crawler.stats.final_failures` counts the ``fetch/failed/*`` stats.
        """
        request: scrapy.Request | None = getattr(failure, "request", None)
        url = request.url if request is not None else ""
        sent = request.headers.get("Referer") if request is not None else None
        referer = sent.decode("latin-1") if sent else None
        error = failure.value
        if isinstance(error, HttpError):  # before IgnoreRequest: HttpError is one
            status = error.response.status
            outcome = f"http_{status}"
            failed = status in self._retried_statuses()
            self._count(f"fetch/{'failed' if failed else 'answered'}/{outcome}")
        elif isinstance(error, IgnoreRequest):
            outcome = ignored_reason(error)
            if outcome == GAVE_UP:
                self._count(f"fetch/failed/{outcome}")
                logger.warning("Could not fetch %s: %s", url, error)
            else:
                self.skip(url, outcome, referer)
        else:
            outcome = f"error/{failure.type.__name__ if failure.type else 'unknown'}"
            self._count(f"fetch/failed/{outcome}")
            cause = network_cause(error) if error is not None else None
            if cause:  # by origin and cause: the one line the crawl prints for them
                self._count(f"{UNREACHABLE_PREFIX}{urlsplit(url).netloc}/{cause}")
            logger.warning("Could not fetch %s: %s", url, cause or failure.getErrorMessage())
        self.handled(request, 0, outcome)

    def _retried_statuses(self) -> frozenset[int]:
        codes = self.crawler.settings.getlist("RETRY_HTTP_CODES")
        return frozenset(int(code) for code in codes)

    def article_item(self, response: TextResponse) -> dict[str, Any] | None:
        """The item for an article response, or None (counted) when it cannot be one."""
        # Start-up time: lxml and the extractors load with the first article.
        from crawler.extract import extract  # noqa: PLC0415 - start-up time

        if not self.extract_enabled:  # ARSIP_EXTRACT_ENABLED off: a bare crawl (benchmarks)
            return None
        location = response.meta.get("warc")
        if not location:
            self._count("extract/skipped/no_warc")
            # Stopping after a write error (said once already): the resume fetches it again.
            stopping = full_disk_seen(getattr(self, "crawler", None))
            logger.log(
                logging.DEBUG if stopping else logging.ERROR,
                "Not emitting %s: its response was not written to WARC",
                response.url,
            )
            return None
        headers = {
            k.decode("latin-1"): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        fetched_at = response.meta.get("fetched_at") or location.get("warc_date")
        article = extract(
            response.body, response.url, headers=headers, site=self.site, captured=fetched_at
        )
        if article.id in self._emitted:
            self._count("extract/duplicate")
            return None
        self._emitted.add(article.id)
        for field_name in article.debug.get("fallback", ()):
            self._count(f"extract/fallback/{field_name}")
        for anomaly in article.debug.get("anomalies", ()):
            self._anomaly(response.url, anomaly)
        item = article_item(
            article,
            fetched_at=fetched_at,
            crawl_id=self.crawl_id,
            warc=location,
        )
        for key in EXTRACTED_FIELDS:
            if item[key] is None or item[key] == []:
                self._count(f"extract/missing/{key}")
        self._count("extract/articles")
        return item


#: Callbacks of the spider's page requests (listings, articles, pages to classify).
_PAGE_CALLBACKS = frozenset({"parse", "parse_page", "parse_article"})

#: Scrapy's own middlewares raise a plain ``IgnoreRequest``: the reason for each,
#: by how Scrapy begins its message (arsip's components raise `Skipped`, whose
#: reason is data). Anything else is "ignored".
SCRAPY_IGNORED: tuple[tuple[str, str], ...] = (
    ("Forbidden by robots.txt", "robots"),  # RobotsTxtMiddleware
    ("Filtered offsite request", "out_of_scope"),  # OffsiteMiddleware
    ("Ignored response", "too_large"),  # HttpCompressionMiddleware: past DOWNLOAD_MAXSIZE
    ("max redirections reached", "redirects"),  # RedirectMiddleware: REDIRECT_MAX_TIMES
)


def ignored_reason(error: IgnoreRequest) -> str:
    """Why *error* stopped its request: a `Skipped`'s reason, else Scrapy's (see above)."""
    if isinstance(error, Skipped):
        return error.reason
    message = str(error)
    for prefix, reason in SCRAPY_IGNORED:
        if message.startswith(prefix):
            return reason
    return "ignored"


def _page_number(url: str) -> int:
    """The ``page`` query parameter of a listing URL (1 when absent or unreadable)."""
    value = parse_qs(urlsplit(url).query).get("page", ["1"])[0]
    return int(value) if value.isdigit() else 1


def _jsonl_ids(folder: Path, crawl_id: str) -> set[str]:
    """Ids already written to this crawl's JSON Lines (a resumed crawl does not redo them)."""
    return {i["id"] for i in crawl_items(folder, crawl_id) if isinstance(i.get("id"), str)}


__all__ = [
    "SCRAPY_IGNORED",
    "NewsSpider",
    "canonical_url",
    "ignored_reason",
    "new_crawl_id",
    "profile_settings",
]
