"""``pemprov``: a provincial government's Drupal site in Sulawesi (WITA), a held-out flavor.

Held out: the zero-config rules were not tuned on it (tests/test_zero_config_heldout.py
only measures them). Modelled on provincial and ministry sites built on Drupal
views:

======================================  ==============================================
``/berita`` and ``/berita?page=N``      listing (a view), 10 a page, ZERO-based pager:
                                        ``?page=1`` is the second page
``/berita/SLUG``                        article (path alias); ``/node/NID`` is the
                                        same node under its system path
``/taxonomy/term/TID``                  tag pages (bounded)
``/berita?field_kategori_tid=T``        exposed filter of the view (bounded)
``/berita?order=O&sort=D``              table-sort permutations of the view
``/search/node?keys=W&page=N``          search, always one more page (infinite)
``/agenda/YYYY-MM``                     calendar view, next month forever (infinite)
``/rss.xml``, ``/sitemap.xml``          feed and sitemap (simple_sitemap)
======================================  ==============================================

Articles: ``h1.page-header`` inside ``div.region-content``, date as Drupal's
medium format ``Sel, 12/03/2024 - 10:15`` (no zone written), ``Oleh: X`` and
``Redaktur: Y`` in ``field--name-field-*`` divs, views as an eye icon and a
bare number (``<i class="fa fa-eye"></i> 1.234``), body in
``field--name-body``, then a ``views-block`` of other news.
"""

# ruff: noqa: E501  (HTML templates: a markup line is kept whole, as the CMS writes it)
from __future__ import annotations

import re
from html import escape
from typing import Any
from urllib.parse import parse_qs, quote_plus

from arsip.demosite.flavors import common as c
from arsip.demosite.flavors.base import Flavor, Post
from arsip.demosite.site import Resource, ok

SECTION = "/berita"
_NODE = re.compile(r"^/node/(\d+)$")
_TERM = re.compile(r"^/taxonomy/term/(\d+)$")
_AGENDA = re.compile(r"^/agenda/(\d{4}-\d{2})$")
DAYS_SHORT = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")


def _params(query: str) -> dict[str, str] | None:
    values = parse_qs(query, keep_blank_values=True)
    if any(len(v) != 1 for v in values.values()):
        return None
    return {k: v[0] for k, v in values.items()}


def medium_date(post: Post) -> str:
    m = post.local
    return f"{DAYS_SHORT[m.weekday()]}, {c.numeric_date(m)} - {c.clock(m)}"


class Drupal(Flavor):
    name = "pemprov"
    summary = "Drupal of a province (WITA): /berita/slug, zero-based ?page=N, /node/N (held out)"
    site_name = "Pemerintah Provinsi Sulawesi Tenggara Raya"
    section = SECTION
    zone = "WITA"
    per_page = 10
    media_prefix = "/sites/default/files/"
    number_base = 1204
    number_step = 3

    def article_path(self, post: Post) -> str:
        return f"{SECTION}/{post.article.slug}"

    def listing_path(self, page: int) -> str:
        return SECTION if page == 1 else f"{SECTION}?page={page - 1}"

    def listing_number(self, path: str, query: str) -> int | None:
        if path != SECTION:
            return None
        params = _params(query)
        if params is None or set(params) - {"page"}:
            return None
        value = params.get("page", "0")
        return int(value) + 1 if value.isdigit() else None

    def tids(self) -> dict[str, int]:
        return {t: 31 + n for n, t in enumerate(sorted({t for p in self.posts for t in p.tags}))}

    # --- layout ----------------------------------------------------------------

    def layout(self, title: str, main: str, head: str = "") -> str:
        today, total, online = self.visitors
        return f"""<!DOCTYPE html>
<html lang="id" dir="ltr">
  <head>
    <meta charset="utf-8" />
    <meta name="Generator" content="Drupal 9 (https://www.drupal.org)" />
    <link rel="alternate" type="application/rss+xml" title="Berita" href="/rss.xml" />
{head}    <title>{escape(title)} | {escape(self.site_name)}</title>
    <link rel="stylesheet" media="all" href="/assets/css/style.css" />
  </head>
  <body class="path-node page-node-type-berita">
    <a href="#main-content" class="visually-hidden focusable skip-link">Langsung ke konten utama</a>
    <div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>
    <header class="navbar navbar-default" role="banner">
      <a class="logo navbar-btn" href="/" rel="home"><img src="/assets/img/logo-anri.png" alt="Beranda" /></a>
      <a class="name navbar-brand" href="/">{escape(self.site_name)}</a>
      <ul class="menu nav navbar-nav">
        <li><a href="/">Beranda</a></li><li><a href="/profil">Profil Daerah</a></li>
        <li><a href="{SECTION}">Berita</a></li><li><a href="/agenda/2024-01">Agenda</a></li>
        <li><a href="/ppid">PPID</a></li><li><a href="/kontak">Kontak</a></li>
      </ul>
    </header>
    <div role="main" class="main-container container js-quickedit-main-content">
      <section class="col-sm-9">
        <div class="region region-content">
          <a id="main-content"></a>
{main}
        </div>
      </section>
      <aside class="col-sm-3" role="complementary">
{self.sidebar()}
      </aside>
    </div>
    <footer class="footer container" role="contentinfo">
      <div class="block-statistik">Pengunjung: {c.dotted(today)} hari ini &middot;
        {c.dotted(total)} total &middot; {online} online</div>
      <p>Dinas Komunikasi dan Informatika &copy; 2024</p>
    </footer>
    </div>
    <script src="/assets/js/main.js"></script>
  </body>
</html>
"""

    def sidebar(self) -> str:
        popular = "\n".join(
            f'          <div class="views-row"><a href="{p.path}">{escape(p.title)}</a>'
            f' <span class="views-field-totalcount"><i class="fa fa-eye"></i> '
            f"{c.dotted(p.article.views)}</span></div>"
            for p in self.popular()
        )
        terms = " ".join(
            f'<a href="/taxonomy/term/{tid}" hreflang="id">{escape(t)}</a>'
            for t, tid in self.tids().items()
        )
        return f"""        <section class="block block-search"><form action="/search/node" method="get">
          <input type="search" name="keys" /><input type="submit" value="Cari" /></form>
          <a href="/search/node?keys=sulawesi">sulawesi</a></section>
        <section class="block block-views-blockpopuler"><h2 class="block-title">Terpopuler</h2>
{popular}
        </section>
        <section class="block block-tags"><h2 class="block-title">Tag</h2>{terms}</section>"""

    def page(self, title: str, main: str) -> str:
        return self.layout(title, f'<h1 class="page-header">{escape(title)}</h1>\n{main}')

    def rows(self, posts: list[Post]) -> str:
        out = []
        for p in posts:
            image = self.lead_image(p)
            thumb = (
                f'<div class="views-field views-field-field-image"><a href="{p.path}">'
                f'<img src="{image}" width="220" height="140" alt="" loading="lazy" /></a></div>'
                if image
                else ""
            )
            out.append(
                f'  <div class="views-row">{thumb}\n'
                f'    <div class="views-field views-field-title"><span class="field-content">'
                f'<a href="{p.path}" hreflang="id">{escape(p.title)}</a></span></div>\n'
                f'    <div class="views-field views-field-created">{medium_date(p)}</div>\n'
                f'    <div class="views-field views-field-body">{escape(c.teaser(p, 200))}</div>\n'
                "  </div>"
            )
        return "\n".join(out)

    def pager(self, page: int) -> str:
        """Drupal's full pager: ``?page=`` counts from zero."""
        items = []
        if page > 1:
            items.append(f'<li class="pager__item--first"><a href="{SECTION}">« Pertama</a></li>')
            prev = self.listing_path(page - 1)
            items.append(
                f'<li class="pager__item--previous"><a href="{prev}" rel="prev">‹</a></li>'
            )
        for n in range(1, self.pages + 1):
            href = f"?page={n - 1}"
            items.append(
                f'<li class="pager__item is-active"><a href="{href}">{n}</a></li>'
                if n == page
                else f'<li class="pager__item"><a href="{href}">{n}</a></li>'
            )
        if page < self.pages:
            items.append(
                f'<li class="pager__item--next"><a href="?page={page}" rel="next">›</a></li>'
            )
            items.append(
                f'<li class="pager__item--last"><a href="?page={self.pages - 1}">Terakhir »</a></li>'
            )
        return f'<nav class="pager" role="navigation"><ul class="pagination js-pager__items">{"".join(items)}</ul></nav>'

    def view(self, posts: list[Post], page: int) -> str:
        sorts = " ".join(
            f'<a href="{SECTION}?order={o}&amp;sort={d}">{label} {d}</a>'
            for o, label in (("created", "Tanggal"), ("title", "Judul"), ("totalcount", "Dilihat"))
            for d in ("asc", "desc")
        )
        kategori = " ".join(
            f'<a href="{SECTION}?field_kategori_tid={tid}">{escape(t)}</a>'
            for t, tid in list(self.tids().items())[:4]
        )
        return f"""<div class="view view-berita view-id-berita view-display-id-page_1">
  <div class="view-filters">Kategori: {kategori}</div>
  <div class="view-header">Urutkan: {sorts}</div>
  <div class="view-content">
{self.rows(posts)}
  </div>
  {self.pager(page) if page else ""}
</div>"""

    def listing_page(self, page: int) -> str:
        return self.page("Berita", self.view(self.chunk(page), page))

    def home_page(self) -> str:
        return self.page(
            "Selamat Datang", f'<div class="view-content">\n{self.rows(self.posts[:5])}\n</div>'
        )

    def article_page(self, post: Post, canonical: bool = True) -> str:
        a = post.article
        image = self.lead_image(post)
        figure = (
            f'<div class="field field--name-field-image field--type-image"><img src="{image}" '
            f'alt="{escape(a.title)}" typeof="foaf:Image" /></div>'
            if image
            else ""
        )
        editor = (
            '<div class="field field--name-field-redaktur field--label-inline">'
            f'<div class="field--label">Redaktur:</div><div class="field--item">{escape(a.editor)}</div></div>'
            if a.editor
            else ""
        )
        files = "".join(
            f'<span class="file file--mime-application-pdf"><a href="{self.media_path(x.path)}">'
            f"{escape(x.label)}</a></span>"
            for x in a.attachments
        )
        tags = "".join(
            f'<div class="field--item"><a href="/taxonomy/term/{self.tids()[t]}">{escape(t)}</a></div>'
            for t in post.tags
        )
        others = "\n".join(
            f'<div class="views-row"><a href="{p.path}">{escape(p.title)}</a> '
            f'<span class="date">{medium_date(p)}</span></div>'
            for p in self.neighbours(post, 4)
        )
        head = f'    <link rel="canonical" href="{post.path}" />\n    <link rel="shortlink" href="/node/{post.number}" />\n'
        main = f"""<h1 class="page-header"><span>{escape(a.title)}</span></h1>
<article role="article" about="{post.path}" class="berita full clearfix">
  <div class="content">
    <div class="field field--name-field-tanggal"><span class="fa fa-calendar"></span> {medium_date(post)}</div>
    <div class="field field--name-field-penulis field--label-inline"><div class="field--label">Oleh:</div><div class="field--item">{escape(a.author)}</div></div>
    <div class="statistics-counter"><i class="fa fa-eye" aria-hidden="true"></i> {c.dotted(a.views)}</div>
    {figure}
    <div class="clearfix text-formatted field field--name-body field--type-text-with-summary field--label-hidden field--item">
{self.content_html(post, "      ")}
    </div>
    {f'<div class="field field--name-field-lampiran">{files}</div>' if files else ""}
    {editor}
    <div class="field field--name-field-tags field--label-above"><div class="field--label">Tag</div>{tags}</div>
  </div>
</article>
<section class="block block-views-blockberita-lainnya"><h2 class="block-title">Berita Lainnya</h2>
{others}
</section>"""
        return self.layout(a.title, main, head)

    # --- everything else ---------------------------------------------------------

    def extra(self, path: str, query: str) -> Resource | str | None:
        params = _params(query)
        if params is None:
            return None
        tids = {tid: t for t, tid in self.tids().items()}
        if path == SECTION and set(params) == {"order", "sort"}:
            keys = {"created": "terbaru", "title": "judul", "totalcount": "populer"}
            if params["order"] not in keys:
                return None
            found = c.sorted_posts(self.posts, keys[params["order"]], params["sort"])
            return None if found is None else self.page("Berita", self.view(found[:10], 0))
        if path == SECTION and set(params) == {"field_kategori_tid"}:
            value = params["field_kategori_tid"]
            if not value.isdigit() or int(value) not in tids:
                return None
            return self.page("Berita", self.view(self.tagged(tids[int(value)])[:10], 0))
        if path == "/search/node" and "keys" in params and set(params) <= {"keys", "page"}:
            value = params.get("page", "0")
            if not value.isdigit():
                return None
            term = params["keys"]
            href = lambda n: f"/search/node?keys={quote_plus(term)}&page={n - 1}"  # noqa: E731
            found = c.search_hits(self.posts, term)
            return self.page("Cari", c.search_main(term, int(value) + 1, found, href))
        if params:
            return None
        match = _NODE.match(path)
        if match and int(match[1]) in self.by_number:
            return self.article_page(self.by_number[int(match[1])])
        match = _TERM.match(path)
        if match and int(match[1]) in tids:
            return self.page(
                tids[int(match[1])], self.view(self.tagged(tids[int(match[1])])[:10], 0)
            )
        match = _AGENDA.match(path)
        if match:
            month = c.parse_month(match[1])
            if month is None:
                return None
            main = c.calendar_main(
                *month, lambda y, m: f"/agenda/{y}-{m:02d}", c.month_posts(self.posts, *month)
            )
            return self.layout("Agenda", main)
        base = self.base_url.rstrip("/")
        if path == "/rss.xml":
            xml = c.rss(self.site_name, base, SECTION, self.posts[:10], "+0800")
            return ok("application/rss+xml; charset=utf-8", xml, self.content.last_changed)
        if path == "/sitemap.xml":
            return ok(
                "application/xml; charset=utf-8", self.sitemap_xml(base), self.content.last_changed
            )
        pages = {
            "/profil": ("Profil Daerah", c.PROFILE_TEXT),
            "/ppid": ("PPID", c.SERVICES_TEXT),
            "/kontak": ("Kontak", ("Jl. Bunggasi No. 1, Kendari.",)),
        }
        if path in pages:
            title, text = pages[path]
            return self.page(title, c.plain_main(title, text))
        return None

    def robots_txt(self, base_url: str) -> str:
        base = base_url.rstrip("/")
        return (
            "# robots.txt (Drupal)\nUser-agent: *\nDisallow: /admin/\nDisallow: /user/\n"
            "Disallow: /search/\nDisallow: /node/add/\nDisallow: /*?sort=\n\n"
            f"Sitemap: {base}/sitemap.xml\n"
        )

    def other_pages(self) -> list[str]:
        return [
            "/", "/profil", "/ppid", "/kontak", "/rss.xml", "/sitemap.xml",
            *(f"/taxonomy/term/{tid}" for tid in self.tids().values()),
            *(f"/node/{p.number}" for p in self.posts),
        ]  # fmt: skip

    def traps(self) -> list[dict[str, Any]]:
        return [
            {"name": "calendar", "pattern": r"^/agenda/", "infinite": True,
             "example": "/agenda/2024-02"},
            {"name": "search", "pattern": r"^/search/", "infinite": True,
             "example": "/search/node?keys=arsip"},
            {"name": "sort", "pattern": r"^/berita\?order=", "infinite": False,
             "example": "/berita?order=title&sort=asc", "count": 6},
            {"name": "filter", "pattern": r"^/berita\?field_kategori_tid=", "infinite": False,
             "example": "/berita?field_kategori_tid=31"},
        ]  # fmt: skip
