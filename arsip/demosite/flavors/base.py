"""What every replica flavor shares: its posts, its ground truth, its page map, its routes.

A flavor is the same deterministic content (`arsip.demosite.content.build_site`,
salted with the flavor's name) shown the way another kind of Indonesian
institution site shows it: its own URL scheme, pagination, markup, labels,
time zone and traps. A subclass of `Flavor` supplies the URL scheme and the
HTML; `FlavorApp` serves it with the replica's HTTP behaviour (the same
`Resource`, ETag, Last-Modified, gzip and log as the ANRI replica).
"""

from __future__ import annotations

import re
import zlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from arsip.demosite import textfiles
from arsip.demosite.content import ASSETS_MODIFIED
from arsip.demosite.model import NewsArticle, SiteContent
from arsip.demosite.site import HTML, TYPES, Resource, SiteApp, draw, ok
from crawler.extract.model import EXTRACTED_FIELDS
from crawler.extract.urls import article_id

#: UTC offsets (hours) of the zones a flavor may live in.
ZONE_HOURS = {"WIB": 7, "WITA": 8, "WIT": 9}
_ZONE_WORD = re.compile(r"\b(?:WIB|WITA|WIT)\b")
_OFFSET = re.compile(r"[+-]\d\d:\d\d$")
#: Where the content model keeps images and attachments; a flavor maps it to its own prefix.
CONTENT_MEDIA = "/uploads/"
#: Tags a post may carry (two each, chosen from its slug).
TAGS: tuple[str, ...] = (
    "kearsipan",
    "pelatihan",
    "arsip statis",
    "digitalisasi",
    "pemerintahan",
    "pelayanan publik",
    "spbe",
    "sosialisasi",
    "kunjungan kerja",
    "literasi",
)


def tag_slug(tag: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")


@dataclass(slots=True)
class Post:
    """An article as a flavor publishes it: its number, local time, address and tags."""

    article: NewsArticle
    number: int  # the CMS's id (WordPress post id, Joomla article id, ...)
    local: datetime  # the publication moment in the flavor's zone
    tags: tuple[str, ...]
    path: str = ""

    @property
    def title(self) -> str:
        return self.article.title


class Flavor(ABC):
    """One kind of institution site, over the content of one (articles, epoch, seed)."""

    name: ClassVar[str]
    summary: ClassVar[str]  # one line for `arsip demo-site --help`
    site_name: ClassVar[str]  # also the <title> suffix
    section: ClassVar[str]  # the news section's path (no trailing slash)
    zone: ClassVar[str]  # WIB, WITA or WIT
    per_page: ClassVar[int] = 10
    media_prefix: ClassVar[str] = CONTENT_MEDIA
    shows_editor: ClassVar[bool] = True
    number_base: ClassVar[int] = 1
    number_step: ClassVar[int] = 1

    def __init__(self, content: SiteContent) -> None:
        self.content = content
        #: Where the site is served (set by `FlavorApp`): only feeds and sitemaps use it.
        self.base_url = ""
        self.tz = timezone(timedelta(hours=ZONE_HOURS[self.zone]))
        count = len(content.articles)
        self.posts: list[Post] = []  # newest first, like content.articles
        for position, article in enumerate(content.articles):
            chron = count - 1 - position  # stable across epochs: new posts come last
            crc = zlib.crc32(article.slug.encode("utf-8"))
            tags = (TAGS[crc % len(TAGS)], TAGS[(crc // 7 + 1 + crc % len(TAGS)) % len(TAGS)])
            post = Post(
                article,
                self.number_base + chron * self.number_step,
                article.created.astimezone(self.tz),
                tuple(dict.fromkeys(tags)),
            )
            post.path = self.article_path(post)
            self.posts.append(post)
        self.by_path = {p.path: p for p in self.posts}
        self.by_number = {p.number: p for p in self.posts}
        self.position = {p.number: n for n, p in enumerate(self.posts)}
        crc = zlib.crc32(f"{self.name}:{content.seed}:{content.epoch}".encode())
        #: The footer's site-wide counters: visitors today, in total, online now.
        self.visitors = (
            300 + crc % 2700,
            120_000 + 9_000 * content.epoch + crc % 50_000,
            3 + crc % 40,
        )

    # --- what a subclass supplies --------------------------------------------

    @abstractmethod
    def article_path(self, post: Post) -> str:
        """The canonical path of *post*'s page."""

    @abstractmethod
    def listing_path(self, page: int) -> str:
        """The path (with query) of news listing page *page* (1-based), as the site links it."""

    @abstractmethod
    def listing_number(self, path: str, query: str) -> int | None:
        """Which listing page *path* + *query* asks for (None: not a listing target)."""

    @abstractmethod
    def article_page(self, post: Post) -> str: ...

    @abstractmethod
    def listing_page(self, page: int) -> str: ...

    @abstractmethod
    def home_page(self) -> str: ...

    @abstractmethod
    def page(self, title: str, main: str) -> str:
        """Any other page of the site: *main* inside the flavor's layout."""

    @abstractmethod
    def extra(self, path: str, query: str) -> Resource | str | None:
        """Everything else the flavor serves (other sections, traps, feeds), or None.

        A `str` is an HTML page (200); a redirect or another type is a `Resource`.
        """

    @abstractmethod
    def robots_txt(self, base_url: str) -> str: ...

    @abstractmethod
    def other_pages(self) -> list[str]:
        """Finite non-article, non-listing paths the site links (outside and inside the section)."""

    @abstractmethod
    def traps(self) -> list[dict[str, Any]]:
        """The traps: name, regex of their paths, whether infinite, and an example path."""

    # --- shared --------------------------------------------------------------

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.posts) // self.per_page))

    def chunk(self, page: int) -> list[Post]:
        return self.posts[(page - 1) * self.per_page : page * self.per_page]

    def media_path(self, content_path: str) -> str:
        """Where the site serves a file the content model keeps under ``/uploads/``."""
        return self.media_prefix + content_path.removeprefix(CONTENT_MEDIA)

    def content_html(self, post: Post, indent: str = "        ") -> str:
        """The article's paragraphs with the flavor's media paths."""
        lines = []
        for para in post.article.paras:
            html = para.html.replace(f'"{CONTENT_MEDIA}', f'"{self.media_prefix}')
            lines.append(f"{indent}<p>{html}</p>")
        return "\n".join(lines)

    def lead_image(self, post: Post) -> str | None:
        lead = post.article.lead_image
        return self.media_path(lead) if lead else None

    def neighbours(self, post: Post, want: int = 4) -> list[Post]:
        """Other posts for a sidebar: the ones just older, then newer."""
        index = self.position[post.number]
        found = self.posts[index + 1 : index + 1 + want]
        newer = index - 1
        while len(found) < want and newer >= 0:
            found.append(self.posts[newer])
            newer -= 1
        return found

    def popular(self, count: int = 5) -> list[Post]:
        return sorted(self.posts, key=lambda p: (-p.article.views, p.number))[:count]

    def tagged(self, tag: str) -> list[Post]:
        return [p for p in self.posts if tag in p.tags]

    def modified(self, post: Post) -> datetime:
        return max(p.article.modified for p in [post, *self.neighbours(post), *self.popular()])

    def post_truth(self, post: Post, base_url: str) -> dict[str, Any]:
        """The item fields extraction must find on *post*'s page (docs/fields.md)."""
        base = base_url.rstrip("/")
        url = base + post.path
        a = post.article
        record: dict[str, Any] = {
            "id": article_id(url),
            "url": url,
            "site": self.name,
            "title": a.title,
            "published": post.local.replace(second=0, microsecond=0).isoformat(),
            "author": a.author,
            "editor": a.editor if self.shows_editor else None,
            "views": a.views,
            "event_times": [self.event_truth(e) for e in a.events],
            "place": a.place,
            "body": a.body,
            "images": [base + self.media_path(p) for p in a.images],
            "attachments": [base + self.media_path(x.path) for x in a.attachments],
            "language": "id",
        }
        assert tuple(record) == EXTRACTED_FIELDS
        return record

    def event_truth(self, event: dict[str, Any]) -> dict[str, Any]:
        """An event time of the content, on this site: a time written without a zone
        takes the site's zone (the profile's, docs/fields.md), not ANRI's WIB."""
        found = dict(event)
        if _ZONE_WORD.search(str(event.get("text", ""))):
            return found
        offset = f"+{ZONE_HOURS[self.zone]:02d}:00"
        for key in ("start", "end"):
            value = found.get(key)
            if isinstance(value, str) and "T" in value:
                found[key] = _OFFSET.sub(offset, value)
        return found

    def truth(self, base_url: str) -> list[dict[str, Any]]:
        """Ground truth of every article, newest first."""
        return [self.post_truth(p, base_url) for p in self.posts]

    def page_map(self, base_url: str) -> dict[str, Any]:
        """Every URL class of the site: section, listings, articles, other pages, traps."""
        base = base_url.rstrip("/")
        return {
            "flavor": self.name,
            "site_name": self.site_name,
            "section": self.section,
            "zone": self.zone,
            "start_url": base + self.listing_path(1),
            "listings": [base + self.listing_path(n) for n in range(1, self.pages + 1)],
            "articles": [base + p.path for p in self.posts],
            "other_pages": [base + p for p in self.other_pages()],
            "traps": self.traps(),
        }

    def sitemap_xml(self, base_url: str) -> str:
        """A sitemap of the listing and every article (the ANRI replica's format)."""
        base = base_url.rstrip("/")
        changed = self.content.last_changed.isoformat()
        rows = [f"  <url><loc>{base}{self.listing_path(1)}</loc><lastmod>{changed}</lastmod></url>"]
        rows += [
            f"  <url><loc>{base}{p.path}</loc><lastmod>{p.article.modified.isoformat()}</lastmod>"
            "</url>"
            for p in self.posts
        ]
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(rows)
            + "\n</urlset>\n"
        )


class FlavorApp(SiteApp):
    """Routes a flavor's request targets to resources, like `SiteApp` does for ANRI.

    Articles, listing pages, media and assets are cached; other pages (the
    traps among them, which are infinite) and 404s are rendered on each
    request, so no sequence of requests grows the cache without bound.
    """

    def __init__(self, flavor: Flavor, base_url: str) -> None:
        super().__init__(flavor.content, base_url)
        self.flavor = flavor
        flavor.base_url = self.base_url

    def resolve(self, target: str) -> Resource:
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        key = f"{path}?{parts.query}"
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        resource, keep = self._flavor_route(path, parts.query)
        if keep:
            with self._lock:
                self._cache[key] = resource
        return resource

    def not_found(self) -> Resource:
        main = (
            '<div class="not-found"><h1>Halaman Tidak Ditemukan</h1>'
            "<p>Maaf, halaman yang Anda cari tidak tersedia.</p>"
            '<p><a href="/">Kembali ke Beranda</a></p></div>'
        )
        body = self.flavor.page("Halaman Tidak Ditemukan", main)
        return Resource(404, HTML, body.encode("utf-8"))

    def _flavor_route(self, path: str, query: str) -> tuple[Resource, bool]:
        flavor, site = self.flavor, self.content
        number = flavor.listing_number(path, query)
        if number is not None:
            if not 1 <= number <= flavor.pages:
                return self.not_found(), False  # not cached: there are endless such numbers
            html = flavor.listing_page(number)
            return ok(HTML, html, site.last_changed, chunked=True, headers=self.cookies), True
        if not query:
            post = flavor.by_path.get(path)
            if post is not None:
                html = flavor.article_page(post)
                return ok(HTML, html, flavor.modified(post), headers=self.cookies), True
            if path == "/":
                home = flavor.home_page()
                return ok(HTML, home, site.last_changed, headers=self.cookies), True
            fixed = self._assets(path)
            if fixed is not None:
                return fixed, True
        answer = flavor.extra(path, query)
        if isinstance(answer, str):
            return ok(HTML, answer, site.last_changed, headers=self.cookies), False
        if answer is not None:
            return answer, False
        return self.not_found(), False

    def _assets(self, path: str) -> Resource | None:
        flavor = self.flavor
        if path == "/robots.txt":
            return ok(TYPES["txt"], flavor.robots_txt(self.base_url), ASSETS_MODIFIED)
        if path == "/assets/css/style.css":
            return ok(TYPES["css"], textfiles.STYLE_CSS, ASSETS_MODIFIED)
        if path == "/assets/js/main.js":
            return ok(TYPES["js"], textfiles.MAIN_JS, ASSETS_MODIFIED)
        if path.startswith(flavor.media_prefix):
            spec = self.content.media.get(CONTENT_MEDIA + path[len(flavor.media_prefix) :])
            if spec is not None and spec.modified is not None:
                return ok(TYPES[spec.kind], draw(spec), spec.modified)
        spec = self.content.media.get(path)  # the logos under /assets/img/
        if spec is not None and spec.modified is not None and path.startswith("/assets/"):
            return ok(TYPES[spec.kind], draw(spec), spec.modified)
        return None
