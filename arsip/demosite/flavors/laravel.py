"""``laravel``: a state university's bilingual Laravel site (WIB).

======================================  ==============================================
``/id/berita[?page=N]``                 listing, 10 a page (Laravel's paginator: English
                                        ``« Previous`` / ``Next »``, ``Showing 1 to 10``)
``/id/berita/SLUG``                     article
``/en/news[/SLUG]``                     the English side: the newest articles again,
                                        untranslated (another section, a duplicate trap)
``/id/berita?kategori=T[&page=N]``      category filter of the listing (bounded)
``/id/cari?q=W[&page=N]``               search, always one more page (infinite trap)
``/id/agenda?bulan=Y-M``                calendar, next month forever (infinite trap)
``/id/galeri[/ALBUM]``                  gallery
``/id/repositori[?page=N]``             document repository (PDFs under ``/files/``)
``/id/profil``, ``/id/layanan``         plain pages; ``/sitemap.xml``
======================================  ==============================================

Articles: headline ``h1.post-title`` (the header carries the university's
name in a ``div``), ``Senin, 09 Desember 2021 - 13:30 WIB``, ``Oleh: X``,
``Editor: Y``, ``Sumber: Humas`` (a source, not the author), ``Dibaca:
1.234 kali``, JSON-LD ``NewsArticle``; ``<title>`` is ``TITLE — SITE``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from html import escape
from typing import Any
from urllib.parse import quote_plus

from arsip.demosite.flavors import common as c
from arsip.demosite.flavors.base import Post, tag_slug
from arsip.demosite.flavors.portal import Portal, trap
from arsip.demosite.site import Resource

SECTION = "/id/berita"
ENGLISH = "/en/news"
#: How many of the newest articles the English side repeats.
ENGLISH_POSTS = 5
_ALBUM = re.compile(r"^/id/galeri/([a-z0-9-]+)$")


def _page(params: dict[str, str]) -> int | None:
    value = params.get("page", "1")
    return int(value) if value.isdigit() and int(value) >= 1 else None


class Laravel(Portal):
    name = "laravel"
    summary = "Laravel of a university (WIB): /id/berita/slug, ?page=N, /en/news beside it"
    site_name = "Universitas Negeri Lembah Hijau"
    section = SECTION
    zone = "WIB"
    per_page = 10
    media_prefix = "/storage/uploads/"
    shows_editor = True
    photo_prefix = "/storage/galeri/"
    document_prefix = "/files/"
    plain_pages = (
        ("/id/profil", "Profil", c.PROFILE_TEXT),
        ("/id/layanan", "Layanan", c.SERVICES_TEXT),
    )
    robots_rules = ("Disallow: /admin",)

    def article_path(self, post: Post) -> str:
        return f"{SECTION}/{post.article.slug}"

    def listing_path(self, page: int) -> str:
        return SECTION if page == 1 else f"{SECTION}?page={page}"

    def listing_number(self, path: str, query: str) -> int | None:
        if path != SECTION:
            return None
        params = c.single_params(query)
        if params is None or set(params) - {"page"}:
            return None
        return _page(params)

    # --- layout ----------------------------------------------------------------

    def layout(self, title: str, main: str, *, head: Sequence[str] = (), lang: str = "id") -> str:
        head_lines = "".join(f"    {line}\n" for line in head)
        today, total, online = self.visitors
        return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="csrf-token" content="{self.visitors[1]:x}">
    <title>{c.title_suffix(title, self.site_name, " — ")}</title>
{head_lines}    <link rel="stylesheet" href="/assets/css/style.css">
    <link rel="icon" href="/assets/img/favicon.png">
</head>
<body class="antialiased">
<header class="site-header">
    <div class="brand"><a href="/id">{self.site_name}</a>
        <span class="tagline">Unggul, Berbudaya, Mendunia</span></div>
    <nav class="menu">
        <a href="/id">Beranda</a> <a href="/id/profil">Profil</a>
        <a href="{SECTION}">Berita</a> <a href="/id/agenda">Agenda</a>
        <a href="/id/galeri">Galeri</a> <a href="/id/repositori">Repositori</a>
        <a href="/id/layanan">Layanan</a>
        <span class="lang"><a href="/id" hreflang="id">ID</a> |
            <a href="{ENGLISH}" hreflang="en">EN</a></span>
    </nav>
</header>
<div class="page-wrapper">
    <main class="main-content">
{main}
    </main>
    <aside class="sidebar">
{self.sidebar()}
    </aside>
</div>
<footer class="site-footer">
    <div class="visitor-stats">
        <span>Hari ini: {c.dotted(today)}</span> <span>Total: {c.dotted(total)}</span>
        <span>Online: {online}</span>
        <span>Pengunjung hari ini: {c.dotted(today)}</span>
    </div>
    <p>&copy; 2024 {self.site_name}. Dikelola oleh UPT Teknologi Informasi.</p>
</footer>
<script src="/assets/js/main.js"></script>
</body>
</html>
"""

    def sidebar(self) -> str:
        popular = "\n".join(
            f'            <li><a href="{p.path}">{escape(p.title)}</a>'
            f"<small>{c.long_date(p.local, pad=True)} &middot; "
            f"Dibaca: {c.dotted(p.article.views)} kali</small></li>"
            for p in self.popular()
        )
        kategori = " ".join(
            f'<a class="badge" href="{SECTION}?kategori={tag_slug(t)}">{escape(t)}</a>'
            for t in self.all_tags()
        )
        searches = c.search_links(lambda t: f"/id/cari?q={t}")
        return f"""        <section class="widget"><h3>Terpopuler</h3>
            <ol>
{popular}
            </ol></section>
        <section class="widget"><h3>Kategori</h3><p>{kategori}</p></section>
        <section class="widget"><h3>Cari</h3><p>{searches}</p></section>"""

    def page(self, title: str, main: str) -> str:
        return self.layout(title, main)

    # --- pages -----------------------------------------------------------------

    def stamp(self, post: Post) -> str:
        """``Senin, 09 Desember 2021 - 13:30 WIB``."""
        return f"{c.long_date(post.local, pad=True)} - {c.clock(post.local)} WIB"

    def article_page(self, post: Post, *, english: bool = False) -> str:
        a = post.article
        title = escape(a.title)
        figure = ""
        lead = self.lead_image(post)
        if lead:
            figure = f'        <figure class="featured"><img src="{lead}" alt="{title}"></figure>\n'
        editor = ""
        if a.editor:
            editor = f'\n            <span class="editor">Editor: {escape(a.editor)}</span>'
        main = f"""        <article class="post-detail">
        <h1 class="post-title">{title}</h1>
        <div class="post-info">
            <span class="date"><i class="far fa-calendar-alt"></i> {self.stamp(post)}</span>
            <span class="author">Oleh: {escape(a.author)}</span>{editor}
            <span class="hits"><i class="far fa-eye"></i> Dibaca: {c.dotted(a.views)} kali</span>
        </div>
{figure}        <div class="post-body">
{self.content_html(post, "            ")}
        </div>
        <p class="source">Sumber: Humas {self.site_name}</p>
        </article>"""
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": a.title,
            "datePublished": post.local.isoformat(),
            "dateModified": a.modified.astimezone(self.tz).isoformat(),
            "author": {"@type": "Person", "name": a.author},
            "publisher": {"@type": "Organization", "name": self.site_name},
        }
        ld = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        alternate = ""
        if self.position[post.number] < ENGLISH_POSTS:
            alternate = f'<link rel="alternate" hreflang="en" href="{ENGLISH}/{post.article.slug}">'
        head = [
            f'<link rel="canonical" href="{self.english_path(post) if english else post.path}">',
            f'<link rel="alternate" hreflang="id" href="{post.path}">',
            '<meta property="og:type" content="article">',
            f'<script type="application/ld+json">{ld}</script>',
        ]
        if alternate and not english:
            head.append(alternate)
        return self.layout(a.title, main, head=head, lang="en" if english else "id")

    def english_path(self, post: Post) -> str:
        return f"{ENGLISH}/{post.article.slug}"

    def items(self, posts: Sequence[Post], english: bool = False) -> str:
        out = []
        for p in posts:
            href = self.english_path(p) if english else p.path
            out.append(
                f"""        <div class="news-card">
            <a href="{href}"><h2 class="news-card-title">{escape(p.title)}</h2></a>
            <p class="meta">{c.long_date(p.local, weekday=False, pad=True)} &middot;
                Dibaca: {c.dotted(p.article.views)} kali</p>
            <p>{escape(c.teaser(p))}</p>
            <a class="read-more" href="{href}">{"Read more" if english else "Selengkapnya"}</a>
        </div>"""
            )
        return "\n".join(out)

    def pagination(self, page: int, pages: int, total: int, href: Callable[[int], str]) -> str:
        first, last = (page - 1) * self.per_page + 1, min(page * self.per_page, total)
        items = []
        if page > 1:
            items.append(f'<a href="{c.attr(href(page - 1))}" rel="prev">&laquo; Previous</a>')
        else:
            items.append('<span class="disabled">&laquo; Previous</span>')
        for n in range(1, pages + 1):
            link = f'<a href="{c.attr(href(n))}">{n}</a>'
            items.append(f'<span aria-current="page">{n}</span>' if n == page else link)
        if page < pages:
            items.append(f'<a href="{c.attr(href(page + 1))}" rel="next">Next &raquo;</a>')
        else:
            items.append('<span class="disabled">Next &raquo;</span>')
        return f"""        <nav role="navigation" aria-label="Pagination Navigation">
            <p>Showing {first} to {last} of {total} results</p>
            {" ".join(items)}
        </nav>"""

    def listing(
        self,
        heading: str,
        posts: Sequence[Post],
        page: int,
        href: Callable[[int], str],
        extra: str = "",
    ) -> str | None:
        found = self.paged(posts, page)
        if found is None:
            return None
        chunk, pages = found
        main = f"""        <h1 class="page-title">{escape(heading)}</h1>
{extra}{self.items(chunk)}
{self.pagination(page, pages, len(posts), href)}"""
        return self.layout(heading, main)

    def listing_page(self, page: int) -> str:
        html = self.listing("Berita", self.posts, page, self.listing_path, self.sorts())
        assert html is not None
        return html

    def sorts(self) -> str:
        return f"        {c.sort_links(lambda s, o: f'{SECTION}?sort={s}&order={o}')}\n"

    def home_page(self) -> str:
        main = f"""        <h1 class="page-title">Selamat Datang di {self.site_name}</h1>
{self.items(self.posts[:3])}
        <p><a href="{SECTION}">Semua berita</a></p>"""
        return self.layout("Beranda", main)

    # --- everything else -------------------------------------------------------

    def extra(self, path: str, query: str) -> Resource | str | None:
        params = c.single_params(query)
        if params is None:
            return None
        page = _page(params)
        if page is None:
            return None
        if path == SECTION and "kategori" in params and set(params) <= {"kategori", "page"}:
            slug = params["kategori"]
            tag = self.tag_named(slug)
            if tag is None:
                return None
            base = f"{SECTION}?kategori={slug}"
            return self.listing(
                f"Kategori: {tag}",
                self.tagged(tag),
                page,
                lambda n: base if n == 1 else f"{base}&page={n}",
            )
        if path == SECTION and {"sort", "order"} <= set(params) <= {"sort", "order", "page"}:
            posts = c.sorted_posts(self.posts, params["sort"], params["order"])
            if posts is None:
                return None
            base = f"{SECTION}?sort={params['sort']}&order={params['order']}"
            return self.listing(
                "Berita",
                posts,
                page,
                lambda n: base if n == 1 else f"{base}&page={n}",
                self.sorts(),
            )
        if path == "/id/cari" and "q" in params and set(params) <= {"q", "page"}:
            term = quote_plus(params["q"])
            return self.search_page(params["q"], page, lambda n: f"/id/cari?q={term}&page={n}")
        if path == "/id/agenda" and set(params) <= {"bulan"}:
            month = c.parse_month(params["bulan"]) if params else c.CALENDAR_START
            if month is None:
                return None
            return self.calendar_page(*month, lambda y, m: f"/id/agenda?bulan={y}-{m:02d}")
        if path == "/id/repositori" and set(params) <= {"page"}:
            return self.documents_page(
                page,
                5,
                lambda n: "/id/repositori" if n == 1 else f"/id/repositori?page={n}",
                "Repositori",
            )
        if params:
            return None
        return self._plain(path)

    def _plain(self, path: str) -> Resource | str | None:
        english = {self.english_path(p): p for p in self.posts[:ENGLISH_POSTS]}
        if path == ENGLISH:
            main = f"""        <h1 class="page-title">News</h1>
{self.items(self.posts[:ENGLISH_POSTS], english=True)}"""
            return self.layout("News", main, lang="en")
        if path in english:
            return self.article_page(english[path], english=True)
        if path == "/id":
            return self.home_page()
        if path == "/id/galeri":
            return self.gallery_page(lambda s: f"/id/galeri/{s}")
        match = _ALBUM.match(path)
        if match:
            return self.album_page(match[1])
        if path.startswith("/files/") and path.endswith(".pdf"):  # the whole rest is the slug
            return c.document_pdf(path[len("/files/") : -4], self.site_name)
        if path == "/sitemap.xml":
            return self.sitemap()
        return self.files(path) or self.plain_page(path)

    def other_pages(self) -> list[str]:
        tags = self.tag_slugs()
        return [
            "/",
            "/id",
            "/id/profil",
            "/id/layanan",
            "/id/galeri",
            *(f"/id/galeri/{slug}" for slug, _, _ in c.ALBUMS),
            "/id/repositori",
            *(f"{SECTION}?kategori={t}" for t in tags),
            ENGLISH,
            *(self.english_path(p) for p in self.posts[:ENGLISH_POSTS]),
            "/sitemap.xml",
        ]

    def traps(self) -> list[dict[str, Any]]:
        categories = sum(max(1, -(-len(self.tagged(t)) // self.per_page)) for t in self.all_tags())
        return [
            trap("calendar", r"^/id/agenda", "/id/agenda?bulan=2024-02", infinite=True),
            trap("search", r"^/id/cari\?", "/id/cari?q=arsip", infinite=True),
            trap(
                "sort",
                r"^/id/berita\?sort=",
                f"{SECTION}?sort=judul&order=asc",
                count=self.sort_count(),
            ),
            trap(
                "categories",
                r"^/id/berita\?kategori=",
                f"{SECTION}?kategori=kearsipan",
                count=categories,
            ),
            trap("english", r"^/en/", ENGLISH),
            trap("gallery", r"^/id/galeri", "/id/galeri"),
            trap("documents", r"^/(id/repositori|files/)", "/id/repositori"),
        ]
