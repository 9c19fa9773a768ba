"""``codeigniter``: a city's CodeIgniter news portal (WIT).

=========================================  ===========================================
``/berita``, ``/berita/index/N``           listing, 8 a page (``/berita/index/1`` is page 1
                                           again)
``/berita/detail/ID/SLUG``                 article
``/berita/detail/ID``                      the same article again (200, canonical link)
``/berita/kategori/T[/N]``                 category listings inside the section
``/berita/cari?q=W[&page=N]``              search inside the section, always one more page
``/berita[/index/N]?sort=&order=``         sort permutations (bounded trap)
``/agenda?bulan=M&tahun=Y``                calendar, next month forever (infinite trap)
``/galeri/foto``, ``/galeri/album/A``      gallery
``/dokumen[/index/N]``, ``/dokumen/download/D``  document repository (PDFs without .pdf)
``/profil/visi-misi``, ``/layanan``        plain pages; ``/sitemap.xml``
=========================================  ===========================================

Articles: headline ``h3.judul-berita`` (the page's ``h1`` is the site name),
``03/03/2022 10:15 WIT``, ``Pewarta: X``, ``Redaktur: Y``, ``Dibaca 2.899
kali``; ``<title>`` is ``TITLE | SITE``. Sidebars show other articles' dates
and ``Dibaca N kali``.
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

SECTION = "/berita"
_INDEX = re.compile(r"^/berita/index/(\d+)$")
_DETAIL = re.compile(r"^/berita/detail/(\d+)$")
_KATEGORI = re.compile(r"^/berita/kategori/([a-z0-9-]+)(?:/(\d+))?$")
_DOCS = re.compile(r"^/dokumen(?:/index/(\d+))?$")


class CodeIgniter(Portal):
    name = "codeigniter"
    summary = "CodeIgniter portal of a city (WIT): /berita/detail/ID/slug, /berita/index/N"
    site_name = "Pemerintah Kota Teluk Biru"
    section = SECTION
    zone = "WIT"
    per_page = 8
    media_prefix = "/assets/uploads/"
    shows_editor = True
    number_base = 512
    number_step = 1
    photo_prefix = "/assets/uploads/galeri/"
    document_prefix = "/dokumen/download/"
    document_suffix = ""
    plain_pages = (
        ("/profil/visi-misi", "Visi dan Misi", c.PROFILE_TEXT),
        ("/layanan", "Layanan", c.SERVICES_TEXT),
    )
    robots_rules = ("Disallow: /admin/",)

    def article_path(self, post: Post) -> str:
        return f"{SECTION}/detail/{post.number}/{post.article.slug}"

    def listing_path(self, page: int) -> str:
        return SECTION if page == 1 else f"{SECTION}/index/{page}"

    def listing_number(self, path: str, query: str) -> int | None:
        if query:
            return None
        if path == SECTION:
            return 1
        match = _INDEX.match(path)
        return int(match[1]) if match else None

    # --- layout ----------------------------------------------------------------

    def layout(self, title: str, main: str, *, head: Sequence[str] = ()) -> str:
        head_lines = "".join(f"  {line}\n" for line in head)
        today, total, online = self.visitors
        return f"""<!doctype html>
<html lang="id">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
  <title>{c.title_suffix(title, self.site_name, " | ")}</title>
{head_lines}  <link rel="stylesheet" href="/assets/css/style.css">
  <link rel="shortcut icon" href="/assets/img/favicon.png">
</head>
<body>
  <div class="topbar">
    <div class="container">Waktu Indonesia Timur (WIT) &middot; Layanan 08.00 - 15.00 WIT</div>
    </div>
  <nav class="navbar navbar-expand-lg">
    <div class="container">
      <a class="navbar-brand" href="/"><h1 class="logo-text">{self.site_name}</h1></a>
      <ul class="navbar-nav">
        <li class="nav-item"><a class="nav-link" href="/">Beranda</a></li>
        <li class="nav-item"><a class="nav-link" href="/profil/visi-misi">Profil</a></li>
        <li class="nav-item"><a class="nav-link" href="{SECTION}">Berita</a></li>
        <li class="nav-item"><a class="nav-link" href="/agenda">Agenda</a></li>
        <li class="nav-item"><a class="nav-link" href="/galeri/foto">Galeri</a></li>
        <li class="nav-item"><a class="nav-link" href="/dokumen">Dokumen</a></li>
        <li class="nav-item"><a class="nav-link" href="/layanan">Layanan</a></li>
      </ul>
    </div>
  </nav>
  <div class="container content">
    <div class="row">
      <div class="col-lg-8">
{main}
      </div>
      <div class="col-lg-4">
{self.sidebar()}
      </div>
    </div>
  </div>
  <footer class="footer">
    <div class="container">
      <div class="statistik">
        <p>Pengunjung Hari Ini : {c.dotted(today)}</p>
        <p>Total Pengunjung : {c.dotted(total)}</p>
        <p>Sedang Online : {online}</p>
      </div>
      <p class="copyright">Copyright &copy; 2024 {self.site_name}.
        Dinas Komunikasi dan Informatika.</p>
    </div>
  </footer>
  <script src="/assets/js/main.js"></script>
</body>
</html>
"""

    def sidebar(self) -> str:
        popular = "\n".join(
            f'          <div class="media"><div class="media-body">'
            f'<a href="{p.path}">{escape(p.title)}</a>'
            f'<p class="small"><i class="fa fa-calendar"></i> {c.numeric_date(p.local)} '
            f'<i class="fa fa-eye"></i> Dibaca {c.dotted(p.article.views)} kali</p></div></div>'
            for p in self.popular()
        )
        kategori = "\n".join(
            f'          <li><a href="{SECTION}/kategori/{tag_slug(t)}">{escape(t.title())}</a></li>'
            for t in self.all_tags()
        )
        searches = c.search_links(lambda t: f"{SECTION}/cari?q={t}")
        return f"""        <div class="widget"><h4 class="widget-title">Berita Populer</h4>
{popular}
        </div>
        <div class="widget"><h4 class="widget-title">Kategori</h4><ul>
{kategori}
        </ul></div>
        <div class="widget"><h4 class="widget-title">Cari Berita</h4><p>{searches}</p></div>"""

    def page(self, title: str, main: str) -> str:
        return self.layout(title, main)

    # --- pages -----------------------------------------------------------------

    def article_page(self, post: Post) -> str:
        a = post.article
        title = escape(a.title)
        image = ""
        lead = self.lead_image(post)
        if lead:
            image = f'          <img class="img-fluid gambar-berita" src="{lead}" alt="{title}">\n'
        editor = ""
        if a.editor:
            editor = (
                '\n            <li class="list-inline-item"><i class="fa fa-pencil"></i> '
                f"Redaktur: {escape(a.editor)}</li>"
            )
        others = "\n".join(
            f'            <div class="col-md-6"><a href="{p.path}">{escape(p.title)}</a>'
            f'<span class="tgl">{c.numeric_date(p.local)}</span></div>'
            for p in self.neighbours(post)
        )
        main = f"""        <div class="detail-berita card">
          <div class="card-body">
          <h3 class="judul-berita">{title}</h3>
          <ul class="list-inline meta-berita">
            <li class="list-inline-item"><i class="fa fa-calendar">
              </i> {c.numeric_date(post.local)} {c.clock(post.local)} WIT</li>
            <li class="list-inline-item"><i class="fa fa-user">
              </i> Pewarta: {escape(a.author)}</li>{editor}
            <li class="list-inline-item"><i class="fa fa-eye">
              </i> Dibaca {c.dotted(a.views)} kali</li>
          </ul>
{image}          <div class="isi-berita">
{self.content_html(post, "            ")}
          </div>
          <div class="share">Bagikan: <a
            href="https://www.facebook.com/sharer/sharer.php?u={quote_plus(post.path)}">Facebook</a>
            <a href="{SECTION}/detail/{post.number}">Salin tautan</a></div>
          </div>
        </div>
        <div class="berita-lainnya"><h4>Berita Lainnya</h4><div class="row">
{others}
        </div></div>"""
        head = [
            f'<meta property="og:title" content="{title}">',
            '<meta property="og:type" content="article">',
            f'<link rel="canonical" href="{post.path}">',
        ]
        return self.layout(a.title, main, head=head)

    def cards(self, posts: Sequence[Post]) -> str:
        out = []
        for p in posts:
            lead = self.lead_image(p)
            image = f'<img class="card-img-top" src="{lead}" alt="">' if lead else ""
            out.append(
                f"""          <div class="col-md-6"><div class="card card-berita">{image}
            <div class="card-body">
              <p class="small text-muted">{c.numeric_date(p.local)} |
                Dibaca {c.dotted(p.article.views)} kali</p>
            <h5 class="card-title"><a href="{p.path}">{escape(p.title)}</a></h5>
            <p class="card-text">{escape(c.teaser(p, 120))}</p>
            <a class="btn btn-sm" href="{p.path}">Baca selengkapnya</a></div></div></div>"""
            )
        return "\n".join(out)

    def pagination(self, page: int, pages: int, href: Callable[[int], str]) -> str:
        items = []
        if page > 1:
            items.append(
                f'<li class="page-item"><a class="page-link" href="{c.attr(href(1))}">'
                "&laquo;</a></li>"
            )
        for n in range(max(1, page - 2), min(pages, page + 2) + 1):
            if n == page:
                items.append(
                    f'<li class="page-item active"><span class="page-link">{n}</span></li>'
                )
            else:
                items.append(
                    '<li class="page-item">'
                    f'<a class="page-link" href="{c.attr(href(n))}">{n}</a></li>'
                )
        if page < pages:
            items.append(
                f'<li class="page-item"><a class="page-link" href="{c.attr(href(page + 1))}" '
                'rel="next">&raquo;</a></li>'
            )
        return f'        <ul class="pagination">{"".join(items)}</ul>'

    def grid(
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
        main = f"""        <h2 class="judul-halaman">{escape(heading)}</h2>
{extra}        <div class="row">
{self.cards(chunk)}
        </div>
{self.pagination(page, pages, href)}"""
        return self.layout(heading, main)

    def listing_page(self, page: int) -> str:
        sorts = c.sort_links(lambda s, o: f"{self.listing_path(page)}?sort={s}&order={o}")
        html = self.grid("Berita", self.posts, page, self.listing_path, f"        {sorts}\n")
        assert html is not None
        return html

    def home_page(self) -> str:
        main = f"""        <h2 class="judul-halaman">Berita Terkini</h2>
        <div class="row">
{self.cards(self.posts[:4])}
        </div>
        <p><a href="{SECTION}">Indeks berita</a></p>"""
        return self.layout("Beranda", main)

    # --- everything else -------------------------------------------------------

    def extra(self, path: str, query: str) -> Resource | str | None:
        params = c.single_params(query)
        if params is None:
            return None
        number = self.listing_number(path, "")
        if number is not None and {"sort", "order"} == set(params):
            posts = c.sorted_posts(self.posts, params["sort"], params["order"])
            if posts is None:
                return None
            suffix = f"?sort={params['sort']}&order={params['order']}"
            sorts = c.sort_links(lambda s, o: f"{self.listing_path(number)}?sort={s}&order={o}")
            return self.grid(
                "Berita",
                posts,
                number,
                lambda n: self.listing_path(n) + suffix,
                f"        {sorts}\n",
            )
        if path == f"{SECTION}/cari" and "q" in params and set(params) <= {"q", "page"}:
            page = params.get("page", "1")
            if not page.isdigit() or int(page) < 1:
                return None
            term = quote_plus(params["q"])
            return self.search_page(
                params["q"], int(page), lambda n: f"{SECTION}/cari?q={term}&page={n}"
            )
        if path == "/agenda" and set(params) <= {"bulan", "tahun"}:
            year, month = c.CALENDAR_START
            if params:
                if not (params.get("bulan", "").isdigit() and params.get("tahun", "").isdigit()):
                    return None
                year, month = int(params["tahun"]), int(params["bulan"])
                if not 1 <= month <= 12 or year < 1:
                    return None
            return self.calendar_page(year, month, lambda y, m: f"/agenda?bulan={m}&tahun={y}")
        if params:
            return None
        return self._plain(path)

    def _plain(self, path: str) -> Resource | str | None:
        match = _DETAIL.match(path)
        if match:
            post = self.by_number.get(int(match[1]))
            return self.article_page(post) if post else None
        match = _KATEGORI.match(path)
        if match:
            tag = self.tag_named(match[1])
            if tag is None:
                return None
            base = f"{SECTION}/kategori/{match[1]}"
            return self.grid(
                f"Kategori: {tag.title()}",
                self.tagged(tag),
                int(match[2] or 1),
                lambda n: base if n == 1 else f"{base}/{n}",
            )
        if path == "/galeri/foto":
            return self.gallery_page(lambda s: f"/galeri/album/{s}")
        if path.startswith("/galeri/album/"):
            return self.album_page(path.rsplit("/", 1)[-1])
        match = _DOCS.match(path)
        if match:
            return self.documents_page(
                int(match[1] or 1), 6, lambda n: "/dokumen" if n == 1 else f"/dokumen/index/{n}"
            )
        if path == "/sitemap.xml":
            return self.sitemap()
        return self.files(path) or self.plain_page(path)

    def other_pages(self) -> list[str]:
        tags = self.tag_slugs()
        return [
            "/",
            "/profil/visi-misi",
            "/layanan",
            "/galeri/foto",
            *(f"/galeri/album/{slug}" for slug, _, _ in c.ALBUMS),
            "/dokumen",
            *(f"{SECTION}/kategori/{t}" for t in tags),
        ]

    def traps(self) -> list[dict[str, Any]]:
        return [
            trap("calendar", r"^/agenda", "/agenda?bulan=2&tahun=2024", infinite=True),
            trap("search", r"^/berita/cari\?", "/berita/cari?q=arsip", infinite=True),
            trap(
                "sort",
                r"^/berita(/index/\d+)?\?sort=",
                "/berita?sort=judul&order=asc",
                count=self.sort_count(),
            ),
            trap("duplicate", r"^/berita/detail/\d+$", f"{SECTION}/detail/{self.posts[0].number}"),
            trap("categories", r"^/berita/kategori/", "/berita/kategori/kearsipan"),
            trap("gallery", r"^/galeri/", "/galeri/foto"),
            trap("documents", r"^/dokumen", "/dokumen"),
        ]
