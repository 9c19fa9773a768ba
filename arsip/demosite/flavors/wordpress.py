"""``wordpress``: a regional government's WordPress site (WITA).

=====================================  ============================================
``/berita/``, ``/berita/page/N/``      news listing (``/berita`` answers 301)
``/berita/YYYY/MM/SLUG/``              article (without the slash: 301)
``/?p=ID``                             shortlink: 301 to the article
``/berita/YYYY/MM/[page/N/]``          month archive (inside the section)
``/berita/[page/N/]?orderby=&order=``  sort permutations of the listing (bounded trap)
``/tag/T/``, ``/category/C/``,         archives outside the section
``/author/A/``
``/?s=TERM[&paged=N]``                 search; always one more page (infinite trap)
``/agenda/``, ``/agenda/bulan/Y-M/``   agenda calendar, next month forever (infinite trap)
``/galeri/[ALBUM/]``                   photo gallery
``/dokumen/[page/N/]``                 document repository (PDFs)
``/feed/``, ``/berita/feed/``          RSS; ``/wp-json/``, ``/wp-json/wp/v2/posts/ID``
``/wp-sitemap.xml``                    sitemap index (posts, pages); robots.txt names it
``/profil/``, ``/layanan/``            plain pages
=====================================  ============================================

Articles show ``Kamis, 3 Maret 2022 10:15`` (no zone: WITA from JSON-LD and
the profile), ``Diposting oleh`` (``Posted by`` on one post in four), ``1.234
kali dilihat``; the headline is ``h1.entry-title``; ``<title>`` ends in the
site name. No editor is shown.
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
from arsip.demosite.flavors.portal import XML, Portal, trap
from arsip.demosite.site import Resource, ok
from arsip.demosite.writer import slugify

SECTION = "/berita"
_PAGE = re.compile(r"^/berita/page/(\d+)/$")
_MONTH = re.compile(r"^/berita/(\d{4})/(\d{2})/(?:page/(\d+)/)?$")
_ARTICLE_NOSLASH = re.compile(r"^/berita/\d{4}/\d{2}/[a-z0-9-]+$")
_ARCHIVE = re.compile(r"^/(tag|category|author)/([a-z0-9-]+)/(?:page/(\d+)/)?$")
_CALENDAR = re.compile(r"^/agenda/bulan/(\d{4}-\d{1,2})/$")
_DOCS = re.compile(r"^/dokumen/(?:page/(\d+)/)?$")
JSON = "application/json; charset=utf-8"


class WordPress(Portal):
    name = "wordpress"
    summary = "WordPress of a kabupaten (WITA): /berita/YYYY/MM/slug/, /berita/page/N/"
    site_name = "Pemerintah Kabupaten Tanjung Lestari"
    section = SECTION
    zone = "WITA"
    per_page = 10
    media_prefix = "/wp-content/uploads/"
    shows_editor = False
    number_base = 1021
    number_step = 3
    photo_prefix = "/wp-content/uploads/galeri/"
    document_prefix = "/wp-content/uploads/dokumen/"
    plain_pages = (
        ("/profil/", "Profil", c.PROFILE_TEXT),
        ("/layanan/", "Layanan", c.SERVICES_TEXT),
    )
    robots_rules = ("Disallow: /wp-admin/", "Allow: /wp-admin/admin-ajax.php")
    sitemap_path = "/wp-sitemap.xml"

    # --- URL scheme ------------------------------------------------------------

    def article_path(self, post: Post) -> str:
        return f"{SECTION}/{post.local.year}/{post.local.month:02d}/{post.article.slug}/"

    def listing_path(self, page: int) -> str:
        return f"{SECTION}/" if page == 1 else f"{SECTION}/page/{page}/"

    def listing_number(self, path: str, query: str) -> int | None:
        if query:
            return None
        if path == f"{SECTION}/":
            return 1
        match = _PAGE.match(path)
        return int(match[1]) if match and int(match[1]) > 1 else None

    def english(self, post: Post) -> bool:
        """One post in four was written with the theme's English strings."""
        return post.number % 4 == 1

    # --- layout ----------------------------------------------------------------

    def layout(
        self, title: str, main: str, *, head: Sequence[str] = (), body_class: str = ""
    ) -> str:
        head_lines = "".join(f"{line}\n" for line in head)
        visitors = "".join(f"<li>{line}</li>" for line in c.visitor_lines(self.visitors))
        return f"""<!DOCTYPE html>
<html lang="id-ID">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{c.title_suffix(title, self.site_name)}</title>
<link rel="https://api.w.org/" href="/wp-json/">
<link rel="alternate" type="application/rss+xml" title="{self.site_name} &raquo; Feed"
  href="/feed/">
{head_lines}<link rel="stylesheet" id="theme-css" href="/assets/css/style.css" media="all">
<script src="/assets/js/main.js" defer></script>
<link rel="icon" href="/assets/img/favicon.png">
</head>
<body class="{body_class}">
<div id="page" class="site">
<div class="top-bar">Jam pelayanan: Senin - Jumat 08.00 - 16.00 WITA</div>
<header id="masthead" class="site-header">
  <div class="site-branding">
    <p class="site-title"><a href="/" rel="home">{self.site_name}</a></p>
    <p class="site-description">Website Resmi {self.site_name}</p>
  </div>
  <nav id="site-navigation" class="main-navigation">
    <ul id="primary-menu" class="menu">
      <li><a href="/">Beranda</a></li>
      <li><a href="/profil/">Profil</a></li>
      <li><a href="{SECTION}/">Berita</a></li>
      <li><a href="/category/pengumuman/">Pengumuman</a></li>
      <li><a href="/layanan/">Layanan</a></li>
      <li><a href="/galeri/">Galeri</a></li>
      <li><a href="/agenda/">Agenda</a></li>
      <li><a href="/dokumen/">Dokumen</a></li>
    </ul>
  </nav>
</header>
<div id="content" class="site-content">
  <div id="primary" class="content-area">
    <main id="main" class="site-main">
{main}
    </main>
  </div>
{self.sidebar()}
</div>
<footer id="colophon" class="site-footer">
  <div class="widget widget-counter"><h2 class="widget-title">Statistik Pengunjung</h2>
    <ul>{visitors}</ul></div>
  <div class="site-info">&copy; {self.site_name}. Ditenagai oleh WordPress.</div>
</footer>
</div>
</body>
</html>
"""

    def sidebar(self) -> str:
        popular = "\n".join(
            f'        <li><a href="{p.path}">{escape(p.title)}</a>'
            f'<span class="post-date">{c.long_date(p.local, weekday=False)}</span>'
            f'<span class="post-views">{c.dotted(p.article.views)} kali dilihat</span></li>'
            for p in self.popular()
        )
        months = sorted({(p.local.year, p.local.month) for p in self.posts}, reverse=True)[:6]
        archive = "\n".join(
            f'        <li><a href="{SECTION}/{y}/{m:02d}/">{c.MONTHS[m - 1]} {y}</a></li>'
            for y, m in months
        )
        searches = c.search_links(lambda t: f"/?s={t}")
        cloud = c.tag_cloud(self.all_tags(), self.tag_href)
        return f"""  <aside id="secondary" class="widget-area">
    <section class="widget widget_search"><form role="search" method="get" action="/">
      <input type="search" name="s" placeholder="Cari &hellip;"></form>
      <p class="popular-searches">Pencarian populer: {searches}</p></section>
    <section class="widget widget_popular"><h2 class="widget-title">Berita Populer</h2>
      <ul>
{popular}
      </ul></section>
    <section class="widget widget_tag_cloud"><h2 class="widget-title">Tag</h2>{cloud}</section>
    <section class="widget widget_archive"><h2 class="widget-title">Arsip</h2>
      <ul>
{archive}
      </ul></section>
  </aside>"""

    def tag_href(self, tag: str) -> str:
        return f"/tag/{tag_slug(tag)}/"

    def page(self, title: str, main: str) -> str:
        return self.layout(title, main, body_class="page")

    # --- pages -----------------------------------------------------------------

    def article_page(self, post: Post) -> str:
        a = post.article
        title = escape(a.title)
        en = self.english(post)
        iso = post.local.isoformat()
        modified = a.modified.astimezone(self.tz)
        figure = ""
        lead = self.lead_image(post)
        if lead:
            figure = (
                f'      <div class="post-thumbnail"><img src="{lead}" class="wp-post-image" '
                f'alt="{title}"></div>\n'
            )
        posted = "Posted on" if en else "Diposting pada"
        by = "Posted by" if en else "Diposting oleh"
        views = f"{c.dotted(a.views)} views" if en else f"{c.dotted(a.views)} kali dilihat"
        author_slug = slugify(a.author)
        tags = ", ".join(
            f'<a href="{self.tag_href(t)}" rel="tag">{escape(t)}</a>' for t in post.tags
        )
        index = self.position[post.number]
        nav = []
        if index + 1 < len(self.posts):
            older = self.posts[index + 1]
            nav.append(
                f'<div class="nav-previous"><a href="{older.path}" rel="prev">'
                f"&laquo; {escape(older.title)}</a></div>"
            )
        if index > 0:
            newer = self.posts[index - 1]
            nav.append(
                f'<div class="nav-next"><a href="{newer.path}" rel="next">'
                f"{escape(newer.title)} &raquo;</a></div>"
            )
        main = f"""      <article id="post-{post.number}" class="post-{post.number} post type-post
        status-publish format-standard hentry category-berita">
      <header class="entry-header">
        <h1 class="entry-title">{title}</h1>
        <div class="entry-meta">
          <span class="posted-on">{posted} <time class="entry-date published"
            datetime="{iso}">{c.long_date(post.local)} {c.clock(post.local)}</time>
            <time class="updated"
            datetime="{modified.isoformat()}">{c.long_date(modified, weekday=False)}</time></span>
          <span class="byline"> {by} <span class="author vcard">
            <a class="url fn n" href="/author/{author_slug}/">{escape(a.author)}</a></span></span>
          <span class="post-views"><i class="dashicons dashicons-visibility"></i> {views}</span>
        </div>
      </header>
{figure}      <div class="entry-content">
{self.content_html(post)}
      </div>
      <footer class="entry-footer">
        <span class="cat-links">Kategori: <a href="/category/berita/"
          rel="category tag">Berita</a></span>
        <span class="tags-links">Tag: {tags}</span>
        <span class="shortlink">Tautan pendek: <a href="/?p={post.number}">/?p={post.number}</a>
          </span>
      </footer>
      </article>
      <nav class="navigation post-navigation" aria-label="Pos">
        {"".join(nav)}
      </nav>"""
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "Article",
                    "headline": a.title,
                    "datePublished": iso,
                    "dateModified": modified.isoformat(),
                    "author": {"@type": "Person", "name": a.author},
                    "publisher": {"@type": "Organization", "name": self.site_name},
                    "mainEntityOfPage": post.path,
                    "inLanguage": "id-ID",
                },
                {"@type": "WebSite", "name": self.site_name, "url": "/"},
            ],
        }
        data = json.dumps(graph, ensure_ascii=False).replace("</", "<\\/")
        head = [
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{title} - {self.site_name}">',
            f'<meta property="article:published_time" content="{iso}">',
            f'<link rel="canonical" href="{post.path}">',
            f'<link rel="shortlink" href="/?p={post.number}">',
            '<link rel="alternate" type="application/json" '
            f'href="/wp-json/wp/v2/posts/{post.number}">',
            f'<script type="application/ld+json" class="yoast-schema-graph">{data}</script>',
        ]
        return self.layout(
            a.title,
            main,
            head=head,
            body_class=f"post-template-default single postid-{post.number}",
        )

    def items(self, posts: Sequence[Post]) -> str:
        out = []
        for p in posts:
            thumb = ""
            lead = self.lead_image(p)
            if lead:
                thumb = f'<a class="post-thumbnail" href="{p.path}"><img src="{lead}" alt=""></a>'
            out.append(
                f"""      <article id="post-{p.number}" class="post type-post hentry">
        {thumb}<header class="entry-header"><h2 class="entry-title">
          <a href="{p.path}" rel="bookmark">{escape(p.title)}</a></h2>
        <div class="entry-meta">
          <time class="entry-date"
            datetime="{p.local.isoformat()}">{c.long_date(p.local, weekday=False)}</time> <span
            class="post-views">{c.dotted(p.article.views)} kali dilihat</span></div></header>
        <div class="entry-summary"><p>{escape(c.teaser(p))}</p></div>
        <a class="more-link" href="{p.path}">Baca selengkapnya</a>
      </article>"""
            )
        return "\n".join(out)

    def pagination(self, page: int, pages: int, href: Callable[[int], str]) -> str:
        links = []
        if page > 1:
            links.append(
                f'<a class="prev page-numbers" href="{href(page - 1)}">&laquo; Sebelumnya</a>'
            )
        for n in sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)}):
            if n == page:
                links.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
            else:
                links.append(f'<a class="page-numbers" href="{href(n)}">{n}</a>')
        if page < pages:
            links.append(
                f'<a class="next page-numbers" href="{href(page + 1)}">Berikutnya &raquo;</a>'
            )
        return (
            '      <nav class="navigation pagination" aria-label="Pos"><div class="nav-links">'
            + "".join(links)
            + "</div></nav>"
        )

    def archive(
        self,
        heading: str,
        posts: Sequence[Post],
        page: int,
        href: Callable[[int], str],
        *,
        extra: str = "",
        head: Sequence[str] = (),
    ) -> str | None:
        found = self.paged(posts, page)
        if found is None:
            return None
        chunk, pages = found
        main = f"""      <header class="page-header">
        <h1 class="page-title">{escape(heading)}</h1></header>
{extra}{self.items(chunk)}
{self.pagination(page, pages, href)}"""
        title = heading if page == 1 else f"{heading} - Halaman {page}"
        return self.layout(title, main, head=head, body_class="archive")

    def listing_page(self, page: int) -> str:
        head = [f'<link rel="canonical" href="{self.listing_path(page)}">']
        if page > 1:
            head.append(f'<link rel="prev" href="{self.listing_path(page - 1)}">')
        if page < self.pages:
            head.append(f'<link rel="next" href="{self.listing_path(page + 1)}">')
        head.append(f'<link rel="alternate" type="application/rss+xml" href="{SECTION}/feed/">')
        sorts = c.sort_links(lambda s, o: f"{self.listing_path(page)}?orderby={s}&order={o}")
        html = self.archive(
            "Berita", self.posts, page, self.listing_path, extra=f"      {sorts}\n", head=head
        )
        assert html is not None
        return html

    def home_page(self) -> str:
        main = f"""      <section class="home-welcome">
        <h1>Selamat Datang di Website Resmi {self.site_name}</h1></section>
      <section class="home-news"><h2>Berita Terkini</h2>
{self.items(self.posts[:5])}
      <p><a href="{SECTION}/">Indeks Berita</a></p></section>"""
        return self.layout("Beranda", main, body_class="home")

    # --- everything else -------------------------------------------------------

    def extra(self, path: str, query: str) -> Resource | str | None:
        params = c.single_params(query)
        if params is None:
            return None
        if path == "/" and set(params) == {"p"}:
            number = params["p"]
            post = self.by_number.get(int(number)) if number.isdigit() else None
            return self._redirect(post.path) if post else None
        if path == "/" and "s" in params and set(params) <= {"s", "paged"}:
            return self._search(params["s"], params.get("paged", "1"))
        if set(params) == {"orderby", "order"}:
            return self._sorted(path, params["orderby"], params["order"])
        if params:
            return None
        if path in (SECTION, f"{SECTION}/page/1/"):
            return self._redirect(f"{SECTION}/")
        if _ARTICLE_NOSLASH.match(path) and path + "/" in self.by_path:
            return self._redirect(path + "/")
        return self._plain(path)

    def _redirect(self, location: str) -> Resource:
        return c.redirect(location, "text/html; charset=UTF-8")

    def _search(self, term: str, paged: str) -> str | None:
        if not paged.isdigit() or int(paged) < 1:
            return None
        found = c.search_hits(self.posts, term)
        main = c.search_main(term, int(paged), found, lambda n: f"/?s={quote_plus(term)}&paged={n}")
        return self.layout(f"Hasil pencarian untuk \u201c{term}\u201d", main, body_class="search")

    def _sorted(self, path: str, orderby: str, order: str) -> str | None:
        number = self.listing_number(path, "")
        posts = c.sorted_posts(self.posts, orderby, order)
        if number is None or posts is None:
            return None
        sorts = c.sort_links(lambda s, o: f"{self.listing_path(number)}?orderby={s}&order={o}")

        def href(n: int) -> str:
            return f"{self.listing_path(n)}?orderby={orderby}&order={order}"

        head = ['<meta name="robots" content="noindex, follow">']
        return self.archive("Berita", posts, number, href, extra=f"      {sorts}\n", head=head)

    def _plain(self, path: str) -> Resource | str | None:
        match = _MONTH.match(path)
        if match:
            year, month = int(match[1]), int(match[2])
            posts = [p for p in self.posts if (p.local.year, p.local.month) == (year, month)]
            if not posts:
                return None
            base = f"{SECTION}/{year}/{month:02d}/"
            return self.archive(
                f"Bulan: {c.MONTHS[month - 1]} {year}",
                posts,
                int(match[3] or 1),
                lambda n: base if n == 1 else f"{base}page/{n}/",
            )
        match = _ARCHIVE.match(path)
        if match:
            return self._archive(match[1], match[2], int(match[3] or 1))
        if path in ("/feed/", f"{SECTION}/feed/"):
            return self.feed(f"{SECTION}/")
        if path == "/wp-json/":
            index = {
                "name": self.site_name,
                "namespaces": ["wp/v2"],
                "routes": {"/wp/v2/posts": {}},
            }
            return ok(JSON, json.dumps(index, ensure_ascii=False), self.content.last_changed)
        if path.startswith("/wp-json/wp/v2/posts/"):
            number = path.rsplit("/", 1)[-1]
            post = self.by_number.get(int(number)) if number.isdigit() else None
            if post is None:
                return None
            data = {
                "id": post.number,
                "date": post.local.strftime("%Y-%m-%dT%H:%M:%S"),
                "link": post.path,
                "title": {"rendered": post.title},
            }
            return ok(JSON, json.dumps(data, ensure_ascii=False), post.article.modified)
        sitemap = self._sitemaps().get(path)
        if sitemap is not None:
            return ok(XML, sitemap, self.content.last_changed)
        return self._sections(path)

    def _sitemaps(self) -> dict[str, str]:
        """WordPress core sitemaps: an index of the posts' and the pages' sitemaps."""
        base = self.base_url.rstrip("/")
        names = ("/wp-sitemap-posts-post-1.xml", "/wp-sitemap-posts-page-1.xml")
        index = "".join(f"  <sitemap><loc>{base}{name}</loc></sitemap>\n" for name in names)
        pages = "".join(
            f"  <url><loc>{base}{path}</loc></url>\n"
            for path in ("/", "/profil/", "/layanan/", "/galeri/", "/agenda/", "/dokumen/")
        )
        urlset = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        head = '<?xml version="1.0" encoding="UTF-8"?>\n'
        return {
            "/wp-sitemap.xml": (
                f'{head}<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                f"{index}</sitemapindex>\n"
            ),
            names[0]: self.sitemap_xml(base),
            names[1]: f"{head}{urlset}{pages}</urlset>\n",
        }

    def _archive(self, kind: str, slug: str, page: int) -> str | None:
        posts: list[Post]
        if kind == "tag":
            tag = self.tag_named(slug)
            if tag is None:
                return None
            posts, heading = self.tagged(tag), f"Tag: {tag}"
        elif kind == "category":
            if slug == "pengumuman":
                return self.page(
                    "Pengumuman", c.plain_main("Pengumuman", ["Belum ada pengumuman."])
                )
            if slug != "berita":
                return None
            posts, heading = self.posts, "Kategori: Berita"
        else:
            posts = [p for p in self.posts if slugify(p.article.author) == slug]
            if not posts:
                return None
            heading = f"Penulis: {posts[0].article.author}"
        base = f"/{kind}/{slug}/"
        return self.archive(heading, posts, page, lambda n: base if n == 1 else f"{base}page/{n}/")

    def _sections(self, path: str) -> Resource | str | None:
        if path == "/agenda/":
            return self._calendar(*c.CALENDAR_START)
        match = _CALENDAR.match(path)
        if match:
            month = c.parse_month(match[1])
            return self._calendar(*month) if month else None
        if path == "/galeri/":
            return self.gallery_page(lambda s: f"/galeri/{s}/")
        if path.startswith("/galeri/") and path.endswith("/"):
            return self.album_page(path.split("/")[2])
        match = _DOCS.match(path)
        if match:
            return self.documents_page(
                int(match[1] or 1), 5, lambda n: "/dokumen/" if n == 1 else f"/dokumen/page/{n}/"
            )
        return self.files(path) or self.plain_page(path)

    def _calendar(self, year: int, month: int) -> str:
        return self.calendar_page(year, month, lambda y, m: f"/agenda/bulan/{y}-{m:02d}/")

    def other_pages(self) -> list[str]:
        months = sorted({(p.local.year, p.local.month) for p in self.posts}, reverse=True)[:6]
        tags = self.tag_slugs()
        return [
            "/",
            "/profil/",
            "/layanan/",
            "/galeri/",
            *(f"/galeri/{slug}/" for slug, _, _ in c.ALBUMS),
            "/dokumen/",
            "/category/berita/",
            "/category/pengumuman/",
            *(f"/tag/{t}/" for t in tags),
            *(f"{SECTION}/{y}/{m:02d}/" for y, m in months),
            "/feed/",
            f"{SECTION}/feed/",
            "/wp-json/",
            "/wp-sitemap.xml",
            "/wp-sitemap-posts-post-1.xml",
            "/wp-sitemap-posts-page-1.xml",
        ]

    def traps(self) -> list[dict[str, Any]]:
        return [
            trap("calendar", r"^/agenda/", "/agenda/bulan/2024-02/", infinite=True),
            trap("search", r"^/\?s=", "/?s=arsip", infinite=True),
            trap(
                "sort",
                r"^/berita/(page/\d+/)?\?orderby=",
                "/berita/?orderby=judul&order=asc",
                count=self.sort_count(),
            ),
            trap("shortlink", r"^/\?p=\d+$", f"/?p={self.posts[0].number}"),
            trap("tags", r"^/tag/", "/tag/kearsipan/"),
            trap("gallery", r"^/galeri/", "/galeri/"),
            trap("documents", r"^/(dokumen/|wp-content/uploads/dokumen/)", "/dokumen/"),
        ]
