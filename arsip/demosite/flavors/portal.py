"""`Portal`: a `Flavor` with the sections every institution portal has beside its news.

An Indonesian government or university site carries, around its news
section, the same furniture: an agenda calendar, a search page, a photo
gallery, a document repository (PDFs), plain pages (profil, layanan), an RSS
feed, a sitemap and robots.txt. `Portal` builds those pages from the pieces
in `arsip.demosite.flavors.common` and the flavor's own layout (`page`).

Writing a flavor: subclass `Portal`, set the `Flavor` class variables plus
`photo_prefix`, `document_prefix` (and `document_suffix`), `plain_pages`,
`robots_rules` and `sitemap_path`, implement the `Flavor` methods (URL
scheme, article / listing / home pages, `page`, `extra`, `other_pages`,
`traps`), and let `extra` route the flavor's own URLs to the builders below
(`calendar_page`, `search_page`, `gallery_page`, `album_page`,
`documents_page`, `plain_page`, `files`, `feed`, `sitemap`). The routing,
the markup and the labels stay in the flavor module: they are what makes it
a different site.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from arsip.demosite.flavors import common as c
from arsip.demosite.flavors.base import ZONE_HOURS, Flavor, Post, tag_slug
from arsip.demosite.site import Resource, ok

RSS = "application/rss+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"


class Portal(Flavor):
    """A `Flavor` whose agenda, search, gallery, documents, feeds and robots are shared."""

    #: Where gallery photos are served (``{photo_prefix}{album}-{n}.jpg``).
    photo_prefix: ClassVar[str]
    #: Where the repository's PDFs are served: ``{document_prefix}{slug}{document_suffix}``.
    document_prefix: ClassVar[str]
    document_suffix: ClassVar[str] = ".pdf"
    #: Plain pages: (path, title, paragraphs).
    plain_pages: ClassVar[tuple[tuple[str, str, Sequence[str]], ...]] = ()
    #: The robots.txt lines after ``User-agent: *``.
    robots_rules: ClassVar[tuple[str, ...]] = ()
    #: The sitemap robots.txt names (None: the site has none).
    sitemap_path: ClassVar[str | None] = "/sitemap.xml"

    # --- listings ---------------------------------------------------------------

    def paged(self, posts: Sequence[Post], page: int) -> tuple[Sequence[Post], int] | None:
        """Page *page* of *posts* (``per_page`` a page) and the page count; None out of range."""
        pages = max(1, -(-len(posts) // self.per_page))
        if not 1 <= page <= pages:
            return None
        return posts[(page - 1) * self.per_page : page * self.per_page], pages

    def all_tags(self) -> list[str]:
        """Every tag some post carries, sorted."""
        return sorted({t for p in self.posts for t in p.tags})

    def tag_named(self, slug: str) -> str | None:
        """The tag whose slug is *slug*, or None."""
        tags = [t for t in {t for p in self.posts for t in p.tags} if tag_slug(t) == slug]
        return tags[0] if tags else None

    def tag_slugs(self) -> list[str]:
        return sorted({tag_slug(t) for p in self.posts for t in p.tags})

    def sort_count(self) -> int:
        """How many sort permutations of the listing there are (the sort trap's size)."""
        return self.pages * len(c.SORTS) * len(c.ORDERS)

    # --- the sections around the news -------------------------------------------

    def calendar_page(self, year: int, month: int, href: Callable[[int, int], str]) -> str:
        """The agenda for (*year*, *month*); *href* links another month (the infinite trap)."""
        main = c.calendar_main(year, month, href, c.month_posts(self.posts, year, month))
        return self.page(f"Agenda {c.MONTHS[month - 1]} {year}", main)

    def search_page(
        self, term: str, page: int, href: Callable[[int], str], title: str = "Pencarian"
    ) -> str:
        """Search results for *term*; *href* links result page N (always one more)."""
        return self.page(title, c.search_main(term, page, c.search_hits(self.posts, term), href))

    def photo_src(self, album: str, n: int) -> str:
        return f"{self.photo_prefix}{album}-{n}.jpg"

    def gallery_page(self, album_href: Callable[[str], str], title: str = "Galeri") -> str:
        return self.page(title, c.gallery_main(album_href, self.photo_src))

    def album_page(self, slug: str, title: str = "Galeri") -> str | None:
        main = c.album_main(slug, self.photo_src)
        return self.page(title, main) if main else None

    def document_href(self, slug: str) -> str:
        return f"{self.document_prefix}{slug}{self.document_suffix}"

    def documents_page(
        self, page: int, per_page: int, href: Callable[[int], str], title: str = "Dokumen"
    ) -> str | None:
        """Page *page* of the document repository, *per_page* a page; None out of range."""
        if not 1 <= page <= c.document_pages(per_page):
            return None
        return self.page(title, c.documents_main(page, per_page, href, self.document_href))

    def plain_page(self, path: str) -> str | None:
        for where, title, text in self.plain_pages:
            if where == path:
                return self.page(title, c.plain_main(title, text))
        return None

    def files(self, path: str) -> Resource | None:
        """A gallery photo or a repository PDF at *path*, or None."""
        if path.startswith(self.photo_prefix) and path.endswith(".jpg"):
            return c.photo(path)
        if path.startswith(self.document_prefix) and path.endswith(self.document_suffix):
            name = path.rsplit("/", 1)[-1]
            return c.document_pdf(name[: len(name) - len(self.document_suffix)], self.site_name)
        return None

    # --- feeds, sitemap, robots ---------------------------------------------------

    def feed(self, link: str) -> Resource:
        """RSS of the ten newest posts; *link* is the channel's link (a path)."""
        offset = f"+{ZONE_HOURS[self.zone]:02d}00"
        xml = c.rss(self.site_name, self.base_url, link, self.posts[:10], offset)
        return ok(RSS, xml, self.content.last_changed)

    def sitemap(self) -> Resource:
        return ok(XML, self.sitemap_xml(self.base_url), self.content.last_changed)

    def robots_txt(self, base_url: str) -> str:
        text = "".join(f"{line}\n" for line in ("User-agent: *", *self.robots_rules))
        if self.sitemap_path is not None:
            text += f"\nSitemap: {base_url.rstrip('/')}{self.sitemap_path}\n"
        return text


def trap(
    name: str, pattern: str, example: str, *, infinite: bool = False, **more: Any
) -> dict[str, Any]:
    """One entry of `Flavor.traps` (the page map's shape: name, pattern, infinite, example, ...)."""
    return {"name": name, "pattern": pattern, "infinite": infinite, "example": example, **more}
