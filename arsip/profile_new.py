"""`arsip profile new URL`: fetch a few pages of a news section politely and draft a profile.

`PoliteFetcher` is a small sequential fetcher: the generic profile's user
agent, robots.txt read first and obeyed, the profile's delay between
requests (none for a site on this machine, as for a crawl), a size limit
per page. `discover` fetches the start page (it must be a listing:
`crawler.classify`), up to two more pages of its pagination and a handful of
the articles it links to; `crawler.profiles.infer` turns them into the
profile that `draft_profile` returns as TOML text.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urljoin

from arsip import __version__
from arsip.core.errors import InputError
from crawler.classify import ARTICLE, LISTING, classify
from crawler.politeness import is_loopback
from crawler.profiles import load_profile
from crawler.profiles.infer import Sample, infer, render_toml
from crawler.section import Section, origin, url_trap

#: Bytes read of one page at most.
MAX_PAGE_BYTES = 10 * 1024 * 1024


@dataclass
class PoliteFetcher:
    """Sequential GETs with a user agent, robots.txt obeyed and a delay between them."""

    user_agent: str
    delay: float
    timeout: float = 30.0
    fetched: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    _robots: dict[str, urllib.robotparser.RobotFileParser] = field(default_factory=dict)
    _last: float = 0.0

    def _open(self, url: str) -> tuple[bytes, dict[str, str], str]:
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        handlers: list[urllib.request.BaseHandler] = []
        if is_loopback(url):  # no proxy between us and this machine
            handlers.append(urllib.request.ProxyHandler({}))
        opener = urllib.request.build_opener(*handlers)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with opener.open(request, timeout=self.timeout) as response:
                body = response.read(MAX_PAGE_BYTES)
                headers = {k: v for k, v in response.headers.items()}
                final = response.geturl()
        finally:
            self._last = time.monotonic()
        self.fetched.append(url)
        return body, headers, final

    def robots(self, url: str) -> urllib.robotparser.RobotFileParser:
        """The robots.txt rules of *url*'s origin (fetched once; none when unreadable)."""
        key = origin(url) or url
        parser = self._robots.get(key)
        if parser is None:
            parser = urllib.robotparser.RobotFileParser()
            try:
                body, _, _ = self._open(urljoin(url, "/robots.txt"))
                parser.parse(body.decode("utf-8", "replace").splitlines())
            except (urllib.error.URLError, OSError, ValueError):
                parser.parse([])
            self._robots[key] = parser
        return parser

    def get(self, url: str) -> Sample | None:
        """The page at *url*, or None (noted in `refused`) when robots.txt forbids it or it
        cannot be fetched."""
        if not self.robots(url).can_fetch(self.user_agent, url):
            self.refused.append((url, "forbidden by robots.txt"))
            return None
        try:
            body, headers, final = self._open(url)
        except urllib.error.HTTPError as exc:
            self.refused.append((url, f"HTTP {exc.code}"))
            return None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            self.refused.append((url, str(getattr(exc, "reason", exc))))
            return None
        if origin(final) != origin(url):
            self.refused.append((url, f"redirected to another origin: {final}"))
            return None
        return Sample(final, body, headers)


@dataclass
class Discovery:
    listings: list[Sample]
    articles: list[Sample]
    sitemaps: list[str]
    fetcher: PoliteFetcher


def discover(start_url: str, *, articles: int = 5, pages: int = 2) -> Discovery:
    """Fetch the start listing, *pages* more of its pagination and up to *articles* of its
    articles; a one-line `InputError` when the start page is no listing or none is found."""
    profile = load_profile("generic")
    delay = 0.0 if is_loopback(start_url) else profile.crawl.download_delay
    fetcher = PoliteFetcher(profile.crawl.user_agent.format(version=__version__), delay)
    start = fetcher.get(start_url)
    if start is None:
        why = fetcher.refused[-1][1] if fetcher.refused else "no answer"
        raise InputError(f"cannot fetch {start_url}: {why}")
    kind = classify(start.root(), start.url)
    if kind.kind != LISTING:
        raise InputError(
            f"{start_url} does not look like a list of news ({kind.kind}: {kind.reason}); "
            "give the address of the news section's first page (e.g. https://HOST/berita)"
        )
    section = Section.of(start.url)
    own = origin(start.url)

    def usable(url: str, *, in_section: bool) -> bool:
        return (
            origin(url) == own
            and url_trap(url, section.prefix) is None
            and (not in_section or section.contains(url))
        )

    listings = [start]
    for url in [u for u in kind.pages if usable(u, in_section=True)][:pages]:
        sample = fetcher.get(url)
        if sample is not None and classify(sample.root(), sample.url).kind == LISTING:
            listings.append(sample)
    found: list[Sample] = []
    for url in [u for u in kind.teaser_links if usable(u, in_section=False)]:
        if len(found) >= articles:
            break
        sample = fetcher.get(url)
        if sample is not None and classify(sample.root(), sample.url).kind == ARTICLE:
            found.append(sample)
    if not found:
        raise InputError(
            f"no article found among the links of {start_url}; give the address of the news "
            "section's first page"
        )
    robots = fetcher.robots(start.url)
    sitemaps = [u for u in (robots.site_maps() or []) if origin(u) == own]
    return Discovery(listings, found, sitemaps, fetcher)


def draft_profile(start_url: str, *, articles: int = 5) -> tuple[str, Discovery]:
    """The TOML text of a profile for the section at *start_url*, and what was fetched."""
    found = discover(start_url, articles=articles)
    draft = infer(start_url, found.listings, found.articles, sitemaps=found.sitemaps)
    when = time.strftime("%Y-%m-%d", time.gmtime())
    pages = len(found.listings) + len(found.articles)
    return render_toml(draft, generated=f" on {when} from {pages} pages"), found


__all__ = ["Discovery", "PoliteFetcher", "discover", "draft_profile"]
