"""``joomla``: a kabupaten's Joomla 3 site (WIB).

=================================================  ===================================
``/index.php/berita[?start=10]``                   category blog, 10 a page (``?start=0``
                                                   is page 1 again)
``/index.php/berita/ID-SLUG``                      article
``/index.php/berita/ID-SLUG?tmpl=component&print=1``  print view (same article again)
``/index.php?option=com_content&view=article&id=ID``  301 to the article
``/index.php/berita?filter_order=&filter_order_Dir=``  sort permutations (bounded trap)
``/index.php/berita?format=feed&type=rss``         RSS
``/index.php/cari?searchword=W[&start=N]``         search, always one more page (infinite)
``/index.php/agenda[/month.calendar/Y/M]``         JEvents calendar, forever (infinite)
``/index.php/component/tags/tag/T``                tag pages
``/index.php/galeri[/ALBUM]``, ``/index.php/dokumen[?start=N]``  gallery, PDF repository
``/index.php/profil``, ``/index.php/layanan``      plain pages
=================================================  ===================================

Articles: headline ``h2[itemprop=headline]`` inside ``.item-page`` (the page's
``h1`` is the site name), ``Ditulis oleh X``, ``Diterbitkan: Kamis, 03 Maret
2022 10:15`` (no zone; WIB), ``Diperbarui: ...`` (the modification date, not
the publication), ``Dilihat: 1.234``; listings show ``Hits: 1234`` per item.
No editor; no sitemap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape
from typing import Any
from urllib.parse import quote_plus

from arsip.demosite.flavors import common as c
from arsip.demosite.flavors.base import Post, tag_slug
from arsip.demosite.flavors.portal import Portal, trap
from arsip.demosite.site import Resource

SECTION = "/index.php/berita"
_ARTICLE = re.compile(r"^/index\.php/berita/(\d+)-([a-z0-9-]+)$")
_CALENDAR = re.compile(r"^/index\.php/agenda/month\.calendar/(\d{4})/(\d{1,2})$")
#: Joomla's admin and code folders, all closed to robots.
_CLOSED = "administrator bin cache cli components includes installation language layouts"
_CLOSED += " libraries logs modules plugins tmp"


def _start(params: dict[str, str], per_page: int) -> int | None:
    """The page a ``start`` offset asks for (1-based), or None when it is not a multiple."""
    return c.offset_page(params, "start", per_page)


class Joomla(Portal):
    name = "joomla"
    summary = "Joomla 3 of a kabupaten (WIB): /index.php/berita/ID-slug, ?start=10"
    site_name = "Pemerintah Kabupaten Gunung Sewu"
    section = SECTION
    zone = "WIB"
    per_page = 10
    media_prefix = "/images/"
    shows_editor = False
    number_base = 240
    number_step = 1
    photo_prefix = "/images/galeri/"
    document_prefix = "/images/dokumen/"
    plain_pages = (
        ("/index.php/profil", "Profil", c.PROFILE_TEXT),
        ("/index.php/layanan", "Layanan", c.SERVICES_TEXT),
    )
    robots_rules = tuple(f"Disallow: /{d}/" for d in _CLOSED.split())
    sitemap_path = None

    def article_path(self, post: Post) -> str:
        return f"{SECTION}/{post.number}-{post.article.slug[:60].rstrip('-')}"

    def listing_path(self, page: int) -> str:
        return SECTION if page == 1 else f"{SECTION}?start={(page - 1) * self.per_page}"

    def listing_number(self, path: str, query: str) -> int | None:
        if path != SECTION:
            return None
        params = c.single_params(query)
        if params is None or set(params) - {"start"}:
            return None
        return _start(params, self.per_page)

    # --- layout ----------------------------------------------------------------

    def layout(self, title: str, main: str, *, head: Sequence[str] = ()) -> str:
        head_lines = "".join(f"  {line}\n" for line in head)
        visitors = "<br>".join(c.visitor_lines(self.visitors))
        return f"""<!DOCTYPE html>
<html lang="id-id" dir="ltr">
<head>
  <meta charset="utf-8">
  <meta name="generator" content="Joomla! - Open Source Content Management">
  <title>{c.title_suffix(title, self.site_name)}</title>
{head_lines}  <link href="/assets/css/style.css" rel="stylesheet">
  <script src="/assets/js/main.js"></script>
  <link href="/assets/img/favicon.png" rel="shortcut icon" type="image/vnd.microsoft.icon">
</head>
<body class="site com_content">
  <div class="body">
    <div class="container">
      <header class="header" role="banner">
        <div class="header-inner clearfix">
          <a class="brand pull-left" href="/"><h1 class="site-title">{self.site_name}</h1></a>
          <div class="header-search pull-right"><form action="/index.php/cari" method="post">
            <input name="searchword" type="search"></form></div>
        </div>
      </header>
      <nav class="navigation" role="navigation">
        <ul class="nav menu nav-pills mod-list">
          <li class="item-101 default"><a href="/">Beranda</a></li>
          <li class="item-102"><a href="/index.php/profil">Profil</a></li>
          <li class="item-103"><a href="{SECTION}">Berita</a></li>
          <li class="item-104"><a href="/index.php/layanan">Layanan</a></li>
          <li class="item-105"><a href="/index.php/agenda">Agenda</a></li>
          <li class="item-106"><a href="/index.php/galeri">Galeri</a></li>
          <li class="item-107"><a href="/index.php/dokumen">Dokumen</a></li>
        </ul>
      </nav>
      <div class="row-fluid">
        <main id="content" role="main" class="span9">
          <div id="system-message-container"></div>
{main}
        </main>
        <div id="aside" class="span3">
{self.sidebar()}
        </div>
      </div>
    </div>
  </div>
  <footer class="footer" role="contentinfo">
    <div class="container">
      <div class="moduletable counter"><h3>Statistik</h3><p>{visitors}</p></div>
      <p class="pull-right">&copy; 2024 {self.site_name}</p>
    </div>
  </footer>
</body>
</html>
"""

    def sidebar(self) -> str:
        latest = "\n".join(
            f'            <li><a href="{p.path}">{escape(p.title)}</a> '
            f"<small>{c.long_date(p.local, weekday=False, pad=True)} &middot; "
            f"Hits: {p.article.views}</small></li>"
            for p in self.popular()
        )
        cloud = c.tag_cloud(
            self.all_tags(), lambda t: f"/index.php/component/tags/tag/{tag_slug(t)}"
        )
        searches = c.search_links(lambda t: f"/index.php/cari?searchword={t}&amp;searchphrase=all")
        return f"""          <div class="well mostread"><h3 class="page-header">Terpopuler</h3>
            <ul class="mostread mod-list">
{latest}
            </ul></div>
          <div class="well tagspopular"><h3 class="page-header">Tag Populer</h3>{cloud}</div>
          <div class="well"><h3 class="page-header">Pencarian</h3><p>{searches}</p></div>"""

    def page(self, title: str, main: str) -> str:
        return self.layout(title, main)

    # --- pages -----------------------------------------------------------------

    def article_page(self, post: Post, *, printing: bool = False) -> str:
        a = post.article
        title = escape(a.title)
        modified = a.modified.astimezone(self.tz)
        shown = f"{c.long_date(post.local, pad=True)} {c.clock(post.local)}"
        changed = f"{c.long_date(modified, pad=True)} {c.clock(modified)}"
        image = ""
        lead = self.lead_image(post)
        if lead:
            image = (
                '            <div class="pull-left item-image">'
                f'<img src="{lead}" alt="" itemprop="image"></div>\n'
            )
        tags = "".join(
            f'<li><a href="/index.php/component/tags/tag/{tag_slug(t)}" '
            f'class="label label-info">{escape(t)}</a></li>'
            for t in post.tags
        )
        print_link = f"{post.path}?tmpl=component&amp;print=1"
        index = self.position[post.number]
        pager = []
        if index > 0:
            pager.append(
                f'<li class="previous"><a href="{self.posts[index - 1].path}" rel="prev">'
                "&lsaquo; Sebelumnya</a></li>"
            )
        if index + 1 < len(self.posts):
            pager.append(
                f'<li class="next"><a href="{self.posts[index + 1].path}" rel="next">'
                "Selanjutnya &rsaquo;</a></li>"
            )
        main = f"""          <div class="item-page" itemscope itemtype="https://schema.org/Article">
            <meta itemprop="inLanguage" content="id-ID">
            <div class="page-header">
              <h2 itemprop="headline">{title}</h2>
            </div>
            <div class="icons"><a href="{print_link}" rel="nofollow">Cetak</a></div>
            <dl class="article-info muted">
              <dt class="article-info-term">Rincian</dt>
              <dd class="createdby" itemprop="author" itemscope
                itemtype="https://schema.org/Person">Ditulis oleh <span
                itemprop="name">{escape(a.author)}</span></dd>
              <dd class="category-name">Kategori: <a href="{SECTION}" itemprop="genre">Berita</a>
                </dd>
              <dd class="published"><span class="icon-calendar" aria-hidden="true"></span>
                <time datetime="{post.local.isoformat()}"
                  itemprop="datePublished">Diterbitkan: {shown}</time></dd>
              <dd class="hits"><span class="icon-eye-open" aria-hidden="true"></span>
                <meta itemprop="interactionCount"
                  content="UserPageVisits:{a.views}">Dilihat: {c.dotted(a.views)}</dd>
            </dl>
{image}            <div itemprop="articleBody">
{self.content_html(post, "              ")}
            </div>
            <dl class="article-info muted"><dd class="modified"><span class="icon-calendar"></span>
              <time datetime="{modified.isoformat()}"
                itemprop="dateModified">Diperbarui: {changed}</time></dd></dl>
            <ul class="tags inline">{tags}</ul>
            <ul class="pager pagenav">{"".join(pager)}</ul>
          </div>"""
        head = [
            f'<meta name="author" content="{escape(a.author)}">',
            f'<link href="{post.path}" rel="canonical">',
        ]
        if printing:
            head.append('<meta name="robots" content="noindex, nofollow">')
        return self.layout(a.title, main, head=head)

    def items(self, posts: Sequence[Post]) -> str:
        out = []
        for p in posts:
            image = ""
            lead = self.lead_image(p)
            if lead:
                image = (
                    f'<div class="pull-left item-image"><a href="{p.path}">'
                    f'<img src="{lead}" alt=""></a></div>'
                )
            out.append(
                f"""            <div class="items-row"><div class="item" itemprop="blogPost"
              itemscope itemtype="https://schema.org/BlogPosting">
              <div class="page-header"><h2 itemprop="name">
                <a href="{p.path}" itemprop="url">{escape(p.title)}</a></h2></div>
              <dl class="article-info muted">
                <dd class="createdby">Ditulis oleh {escape(p.article.author)}</dd>
              <dd class="published">Diterbitkan: {c.long_date(p.local, pad=True)}</dd>
                <dd class="hits">Hits: {p.article.views}</dd></dl>
              {image}<p>{escape(c.teaser(p))}</p>
              <p class="readmore">
                <a class="btn" href="{p.path}">Selengkapnya: {escape(p.title)}</a></p>
            </div></div>"""
            )
        return "\n".join(out)

    def pagination(self, page: int, pages: int, href: Callable[[int], str]) -> str:
        def li(label: str, target: int | None) -> str:
            if target is None:
                return f'<li class="disabled"><span>{label}</span></li>'
            link = c.attr(href(target))
            return f'<li><a title="{label}" href="{link}" class="pagenav">{label}</a></li>'

        links = [
            li("Awal", 1 if page > 1 else None),
            li("Sebelumnya", page - 1 if page > 1 else None),
        ]
        for n in range(max(1, page - 4), min(pages, page + 4) + 1):
            links.append(
                f'<li class="active"><span>{n}</span></li>' if n == page else li(str(n), n)
            )
        links += [
            li("Berikutnya", page + 1 if page < pages else None),
            li("Akhir", pages if page < pages else None),
        ]
        return f"""            <div class="pagination">
              <p class="counter pull-right">Halaman {page} dari {pages}</p>
              <ul>{"".join(links)}</ul>
            </div>"""

    def blog(
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
        main = f"""          <div class="blog" itemscope itemtype="https://schema.org/Blog">
            <div class="page-header"><h2>{escape(heading)}</h2></div>
{extra}{self.items(chunk)}
{self.pagination(page, pages, href)}
          </div>"""
        head = [
            f'<link href="{SECTION}?format=feed&amp;type=rss" rel="alternate" '
            'type="application/rss+xml" title="RSS 2.0">'
        ]
        return self.layout(heading if page == 1 else f"{heading} - Halaman {page}", main, head=head)

    def listing_page(self, page: int) -> str:
        sorts = c.sort_links(lambda s, o: f"{SECTION}?filter_order={s}&filter_order_Dir={o}")
        html = self.blog("Berita", self.posts, page, self.listing_path, f"            {sorts}\n")
        assert html is not None
        return html

    def home_page(self) -> str:
        main = f"""          <div class="moduletable"><h2>Berita Terbaru</h2>
{self.items(self.posts[:4])}
          <p><a href="{SECTION}">Indeks Berita</a></p></div>"""
        return self.layout("Beranda", main)

    # --- everything else -------------------------------------------------------

    def extra(self, path: str, query: str) -> Resource | str | None:
        params = c.single_params(query)
        if params is None:
            return None
        match = _ARTICLE.match(path)
        if match:
            post = self.by_path.get(path)
            if post is not None and params == {"tmpl": "component", "print": "1"}:
                return self.article_page(post, printing=True)
            return None
        if (
            path == "/index.php"
            and params.get("option") == "com_content"
            and params.get("view") == "article"
        ):
            number = params.get("id", "")
            post = self.by_number.get(int(number)) if number.isdigit() else None
            if post is None:
                return None
            return c.redirect(post.path)
        if path == SECTION:
            return self._section_query(params)
        if path == "/index.php/cari" and set(params) <= {"searchword", "searchphrase", "start"}:
            page = _start(params, 10)
            if page is None or "searchword" not in params:
                return None
            term = quote_plus(params["searchword"])
            return self.search_page(
                params["searchword"],
                page,
                lambda n: (
                    f"/index.php/cari?searchword={term}&searchphrase=all&start={(n - 1) * 10}"
                ),
            )
        if path == "/index.php/dokumen" and set(params) <= {"start"}:
            page = _start(params, 5)
            if page is None:
                return None
            return self.documents_page(
                page,
                5,
                lambda n: (
                    "/index.php/dokumen" if n == 1 else f"/index.php/dokumen?start={(n - 1) * 5}"
                ),
            )
        if params:
            return None
        return self._plain(path)

    def _section_query(self, params: dict[str, str]) -> Resource | str | None:
        if params == {"format": "feed", "type": "rss"}:
            return self.feed(SECTION)
        if (
            {"filter_order", "filter_order_Dir"}
            <= set(params)
            <= {"filter_order", "filter_order_Dir", "start"}
        ):
            posts = c.sorted_posts(self.posts, params["filter_order"], params["filter_order_Dir"])
            page = _start(params, self.per_page)
            if posts is None or page is None:
                return None
            base = (
                f"{SECTION}?filter_order={params['filter_order']}"
                f"&filter_order_Dir={params['filter_order_Dir']}"
            )
            sorts = c.sort_links(lambda s, o: f"{SECTION}?filter_order={s}&filter_order_Dir={o}")
            return self.blog(
                "Berita",
                posts,
                page,
                lambda n: base if n == 1 else f"{base}&start={(n - 1) * self.per_page}",
                f"            {sorts}\n",
            )
        return None

    def _plain(self, path: str) -> Resource | str | None:
        if path == "/index.php/agenda":
            return self._calendar(*c.CALENDAR_START)
        match = _CALENDAR.match(path)
        if match and 1 <= int(match[2]) <= 12 and int(match[1]) >= 1:
            return self._calendar(int(match[1]), int(match[2]))
        if path.startswith("/index.php/component/tags/tag/"):
            tag = self.tag_named(path.rsplit("/", 1)[-1])
            if tag is None:
                return None
            return self.page(
                f"Tag: {tag}",
                f'          <div class="tag-category"><h2>Tag: {escape(tag)}</h2>\n'
                f"{self.items(self.tagged(tag)[:20])}\n          </div>",
            )
        if path == "/index.php/galeri":
            return self.gallery_page(lambda s: f"/index.php/galeri/{s}")
        if path.startswith("/index.php/galeri/"):
            return self.album_page(path.rsplit("/", 1)[-1])
        return self.files(path) or self.plain_page(path)

    def _calendar(self, year: int, month: int) -> str:
        return self.calendar_page(
            year, month, lambda y, m: f"/index.php/agenda/month.calendar/{y}/{m:02d}"
        )

    def other_pages(self) -> list[str]:
        tags = self.tag_slugs()
        return [
            "/",
            "/index.php/profil",
            "/index.php/layanan",
            "/index.php/galeri",
            *(f"/index.php/galeri/{slug}" for slug, _, _ in c.ALBUMS),
            "/index.php/dokumen",
            *(f"/index.php/component/tags/tag/{t}" for t in tags),
            f"{SECTION}?format=feed&type=rss",
        ]

    def traps(self) -> list[dict[str, Any]]:
        return [
            trap(
                "calendar",
                r"^/index\.php/agenda",
                "/index.php/agenda/month.calendar/2024/02",
                infinite=True,
            ),
            trap(
                "search",
                r"^/index\.php/cari\?",
                "/index.php/cari?searchword=arsip&searchphrase=all",
                infinite=True,
            ),
            trap(
                "sort",
                r"^/index\.php/berita\?filter_order=",
                f"{SECTION}?filter_order=judul&filter_order_Dir=asc",
                count=self.sort_count(),
            ),
            trap(
                "print",
                r"^/index\.php/berita/\d+-[a-z0-9-]+\?tmpl=component",
                f"{self.posts[0].path}?tmpl=component&print=1",
            ),
            trap(
                "tags", r"^/index\.php/component/tags/", "/index.php/component/tags/tag/kearsipan"
            ),
            trap("gallery", r"^/index\.php/galeri", "/index.php/galeri"),
            trap("documents", r"^/(index\.php/dokumen|images/dokumen/)", "/index.php/dokumen"),
        ]
