"""``kampus``: a university's news portal in Papua (WIT), a held-out flavor.

Held out: the zero-config rules were not tuned on it (tests/test_zero_config_heldout.py
only measures them). Modelled on the portals of state universities in eastern
Indonesia, built on an in-house PHP framework:

======================================  ==============================================
``/news`` and ``/news/page/N``          listing, 9 a page, path-segment pagination
                                        (``‹ Sebelumnya`` / numbers / ``Selanjutnya ›``)
``/news/read/ID/SLUG``                  article (a numeric id before the slug)
``/news/tag/TAG[/page/N]``              tag listing inside the section (bounded)
``/news/kategori/K``                    category listing inside the section (bounded)
``/news/arsip/YYYY/MM``                 monthly archive, previous month forever (infinite)
``/news/search?keyword=W&page=N``       search, always one more page (infinite)
``/news?sort=S&order=O``                sort permutations of the listing
``/news/feed``                          RSS; ``/agenda/YYYY-MM`` calendar (infinite)
``/pengumuman``, ``/profil``            other sections and pages
======================================  ==============================================

Articles: the headline is ``h2.judul`` (``h1`` is the university's name in the
header), ``Diposting oleh X``, ``Selasa, 12 Maret 2024 - 10:15 WIT``, ``Dibaca
123 kali``, the editor last as ``Editor : Y``, then ``Berita Terkait`` with
dates and view counts of other articles.
"""

# ruff: noqa: E501  (HTML templates: a markup line is kept whole, as the CMS writes it)
from __future__ import annotations

import re
from html import escape
from typing import Any
from urllib.parse import parse_qs, quote_plus

from arsip.demosite.flavors import common as c
from arsip.demosite.flavors.base import Flavor, Post, tag_slug
from arsip.demosite.site import Resource, ok

SECTION = "/news"
_PAGE = re.compile(r"^/news/page/(\d+)$")
_TAG = re.compile(r"^/news/tag/([a-z0-9-]+)(?:/page/(\d+))?$")
_ARCHIVE = re.compile(r"^/news/arsip/(\d{4})/(\d{2})$")
_AGENDA = re.compile(r"^/agenda/(\d{4}-\d{2})$")
KATEGORI = ("akademik", "kemahasiswaan", "penelitian", "kerja-sama")


def _params(query: str) -> dict[str, str] | None:
    values = parse_qs(query, keep_blank_values=True)
    if any(len(v) != 1 for v in values.values()):
        return None
    return {k: v[0] for k, v in values.items()}


class Kampus(Flavor):
    name = "kampus"
    summary = "a university portal in Papua (WIT): /news/read/ID/slug, /news/page/N (held out)"
    site_name = "Universitas Negeri Teluk Cenderawasih"
    section = SECTION
    zone = "WIT"
    per_page = 9
    media_prefix = "/assets/upload/berita/"
    number_base = 411

    def article_path(self, post: Post) -> str:
        return f"{SECTION}/read/{post.number}/{post.article.slug}"

    def listing_path(self, page: int) -> str:
        return SECTION if page == 1 else f"{SECTION}/page/{page}"

    def listing_number(self, path: str, query: str) -> int | None:
        if query:
            return None
        if path == SECTION:
            return 1
        match = _PAGE.match(path)
        return int(match[1]) if match else None

    # --- layout ----------------------------------------------------------------

    def layout(self, title: str, main: str, head: str = "") -> str:
        today, total, online = self.visitors
        menu = " ".join(
            f'<li><a href="{href}">{label}</a></li>'
            for href, label in (
                ("/", "Beranda"), ("/profil", "Profil"), (SECTION, "Berita"),
                ("/pengumuman", "Pengumuman"), ("/agenda/2024-01", "Agenda"),
                ("/fakultas", "Fakultas"),
            )
        )  # fmt: skip
        return f"""<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>{escape(title)} | {escape(self.site_name)}</title>
<link href="/assets/css/style.css" rel="stylesheet" type="text/css">
<link rel="alternate" type="application/rss+xml" href="/news/feed" title="Berita">
{head}</head>
<body>
<div id="header"><h1 class="logo"><a href="/"><img src="/assets/img/logo-anri.png" alt="">
 {escape(self.site_name)}</a></h1><p>Kampus Ilmiah, Religius dan Berbudaya</p></div>
<div id="menu"><ul>{menu}</ul></div>
<div id="wrapper">
<div id="content">
{main}
</div>
<div id="sidebar">
{self.sidebar()}
</div>
</div>
<div id="footer"><p>Statistik: Hari ini {c.dotted(today)} | Total {c.dotted(total)} |
 Online {online}</p><p>Copyright &copy; 2024 UPT TIK {escape(self.site_name)}. Jayapura.</p>
</div>
<script type="text/javascript" src="/assets/js/main.js"></script>
</body>
</html>
"""

    def sidebar(self) -> str:
        popular = "\n".join(
            f'<li><a href="{p.path}">{escape(p.title)}</a><br><small>'
            f"{c.short_date(p.local)} | {c.dotted(p.article.views)} views</small></li>"
            for p in self.popular()
        )
        tags = c.tag_cloud(
            sorted({t for p in self.posts for t in p.tags}), lambda t: f"/news/tag/{tag_slug(t)}"
        )
        kategori = "".join(
            f'<li><a href="/news/kategori/{k}">{k.replace("-", " ").title()}</a></li>'
            for k in KATEGORI
        )
        months = sorted({(p.local.year, p.local.month) for p in self.posts}, reverse=True)[:6]
        arsip = "".join(
            f'<li><a href="/news/arsip/{y}/{m:02d}">{c.MONTHS[m - 1]} {y}</a></li>'
            for y, m in months
        )
        return f"""<div class="box"><form action="/news/search" method="get">
<input type="text" name="keyword" placeholder="Cari berita..."><button>Cari</button></form>
<p>Pencarian populer: <a href="/news/search?keyword=wisuda">wisuda</a>
 <a href="/news/search?keyword=arsip">arsip</a></p></div>
<div class="box"><h3>Berita Populer</h3><ul>
{popular}
</ul></div>
<div class="box"><h3>Kategori</h3><ul>{kategori}</ul></div>
<div class="box"><h3>Arsip Berita</h3><ul>{arsip}</ul></div>
<div class="box"><h3>Tag</h3>{tags}</div>"""

    def page(self, title: str, main: str) -> str:
        return self.layout(title, f'<div class="halaman">\n{main}\n</div>')

    def items(self, posts: list[Post]) -> str:
        rows = []
        for p in posts:
            image = self.lead_image(p)
            thumb = f'<img src="{image}" alt="" width="120">' if image else ""
            rows.append(
                f'<div class="list-berita">{thumb}\n'
                f'<h3><a href="{p.path}">{escape(p.title)}</a></h3>\n'
                f'<span class="tgl">{c.long_date(p.local)}</span> | '
                f'<span class="hits">{c.dotted(p.article.views)} kali dibaca</span>\n'
                f'<p>{escape(c.teaser(p))} <a href="{p.path}">Selengkapnya</a></p></div>'
            )
        return "\n".join(rows)

    def pager(self, page: int, pages: int, href: Any) -> str:
        parts = []
        if page > 1:
            parts.append(f'<a href="{href(page - 1)}">&lsaquo; Sebelumnya</a>')
        for n in range(1, pages + 1):
            parts.append(f"<b>{n}</b>" if n == page else f'<a href="{href(n)}">{n}</a>')
        if page < pages:
            parts.append(f'<a href="{href(page + 1)}">Selanjutnya &rsaquo;</a>')
        return f'<div class="halaman-nav">{" ".join(parts)}</div>'

    def listing_page(self, page: int) -> str:
        sorts = c.sort_links(lambda s, o: f"{SECTION}?sort={s}&order={o}")
        main = f"""<h2 class="judul-halaman">Berita Kampus</h2>
{sorts}
{self.items(self.chunk(page))}
{self.pager(page, self.pages, self.listing_path)}"""
        return self.layout("Berita", main)

    def home_page(self) -> str:
        main = f"""<h2>Berita Terbaru</h2>
{self.items(self.posts[:4])}
<p><a href="{SECTION}">Indeks Berita</a></p>"""
        return self.layout("Beranda", main)

    def article_page(self, post: Post) -> str:
        a = post.article
        image = self.lead_image(post)
        figure = (
            f'<div class="foto"><img src="{image}" alt="{escape(a.title)}"></div>' if image else ""
        )
        editor = f'<p class="editor">Editor : {escape(a.editor)}</p>' if a.editor else ""
        related = "\n".join(
            f'<li><a href="{p.path}">{escape(p.title)}</a> <span>{c.long_date(p.local)}'
            f" - Dibaca {c.dotted(p.article.views)} kali</span></li>"
            for p in self.neighbours(post, 3)
        )
        tags = ", ".join(f'<a href="/news/tag/{tag_slug(t)}">{escape(t)}</a>' for t in post.tags)
        files = "".join(
            f'<li><a href="{self.media_path(x.path)}">{escape(x.label)}</a></li>'
            for x in a.attachments
        )
        lampiran = f'<div class="lampiran"><b>Lampiran:</b><ul>{files}</ul></div>' if files else ""
        main = f"""<div class="breadcrumb"><a href="/">Beranda</a> &raquo; <a href="{SECTION}">Berita</a></div>
<div class="detail-berita">
<h2 class="judul">{escape(a.title)}</h2>
<div class="info">Diposting oleh <b>{escape(a.author)}</b> &bull;
 {c.long_date(post.local)} - {c.clock(post.local)} WIT &bull; Dibaca {a.views} kali</div>
{figure}
<div class="isi">
{self.content_html(post, "")}
</div>
{lampiran}
{editor}
<div class="tag">Tag: {tags}</div>
<div class="share">Bagikan: <a href="https://www.facebook.com/sharer.php?u={post.path}">Facebook</a>
 <a href="https://wa.me/?text={quote_plus(a.title)}">WhatsApp</a></div>
</div>
<div class="berita-terkait"><h3>Berita Terkait</h3><ul>
{related}
</ul></div>"""
        return self.layout(a.title, main)

    # --- everything else ---------------------------------------------------------

    def extra(self, path: str, query: str) -> Resource | str | None:
        params = _params(query)
        if params is None:
            return None
        page_value = params.get("page", "1")
        page = int(page_value) if page_value.isdigit() and int(page_value) >= 1 else 0
        if path == SECTION and set(params) == {"sort", "order"}:
            found = c.sorted_posts(self.posts, params["sort"], params["order"])
            if found is None:
                return None
            return self.layout("Berita", self.items(found[: self.per_page]))
        if path == "/news/search" and "keyword" in params and set(params) <= {"keyword", "page"}:
            term = params["keyword"]
            if not page:
                return None
            href = lambda n: f"/news/search?keyword={quote_plus(term)}&page={n}"  # noqa: E731
            return self.page(
                "Pencarian", c.search_main(term, page, c.search_hits(self.posts, term), href)
            )
        if params:
            return None
        return self._plain(path)

    def _plain(self, path: str) -> Resource | str | None:
        match = _TAG.match(path)
        if match:
            tags = {tag_slug(t): t for p in self.posts for t in p.tags}
            if match[1] not in tags:
                return None
            found = self.tagged(tags[match[1]])
            pages = max(1, -(-len(found) // self.per_page))
            page = int(match[2] or 1)
            if not 1 <= page <= pages:
                return None
            chunk = found[(page - 1) * self.per_page : page * self.per_page]
            href = lambda n: f"/news/tag/{match[1]}" + ("" if n == 1 else f"/page/{n}")  # noqa: E731
            main = f"<h2>Tag: {escape(tags[match[1]])}</h2>\n{self.items(chunk)}\n{self.pager(page, pages, href)}"
            return self.layout(tags[match[1]], main)
        if path.startswith("/news/kategori/") and path.rsplit("/", 1)[1] in KATEGORI:
            index = KATEGORI.index(path.rsplit("/", 1)[1])
            found = [p for p in self.posts if p.number % len(KATEGORI) == index][: self.per_page]
            return self.layout("Kategori", self.items(found))
        match = _ARCHIVE.match(path)
        if match and 1 <= int(match[2]) <= 12:
            year, month = int(match[1]), int(match[2])
            py, pm = c.month_step(year, month, -1)
            ny, nm = c.month_step(year, month, 1)
            found = [p for p in self.posts if (p.local.year, p.local.month) == (year, month)]
            main = f"""<h2>Arsip {c.MONTHS[month - 1]} {year}</h2>
{self.items(found) or "<p>Tidak ada berita.</p>"}
<p><a href="/news/arsip/{py}/{pm:02d}">&laquo; Bulan sebelumnya</a>
 <a href="/news/arsip/{ny}/{nm:02d}">Bulan berikutnya &raquo;</a></p>"""
            return self.layout("Arsip Berita", main)
        match = _AGENDA.match(path)
        if match:
            asked = c.parse_month(match[1])
            if asked is None:
                return None
            main = c.calendar_main(
                *asked, lambda y, m: f"/agenda/{y}-{m:02d}", c.month_posts(self.posts, *asked)
            )
            return self.page("Agenda", main)
        if path == "/news/feed":
            xml = c.rss(
                self.site_name, self.base_url.rstrip("/"), SECTION, self.posts[:10], "+0900"
            )
            return ok("application/rss+xml; charset=utf-8", xml, self.content.last_changed)
        plain = {
            "/profil": ("Profil Universitas", c.PROFILE_TEXT),
            "/pengumuman": ("Pengumuman", ("Jadwal registrasi ulang mahasiswa baru.",)),
            "/fakultas": ("Fakultas", ("Fakultas Teknik, Fakultas Hukum, Fakultas Kedokteran.",)),
        }
        if path in plain:
            title, text = plain[path]
            return self.page(title, c.plain_main(title, text))
        return None

    def robots_txt(self, base_url: str) -> str:
        return "User-agent: *\nDisallow: /admin/\nDisallow: /news/search\n"

    def other_pages(self) -> list[str]:
        tags = sorted({tag_slug(t) for p in self.posts for t in p.tags})
        return [
            "/", "/profil", "/pengumuman", "/fakultas", "/news/feed",
            *(f"/news/kategori/{k}" for k in KATEGORI),
            *(f"/news/tag/{t}" for t in tags),
        ]  # fmt: skip

    def traps(self) -> list[dict[str, Any]]:
        return [
            {"name": "archive", "pattern": r"^/news/arsip/", "infinite": True,
             "example": "/news/arsip/2024/03"},
            {"name": "calendar", "pattern": r"^/agenda/", "infinite": True,
             "example": "/agenda/2024-02"},
            {"name": "search", "pattern": r"^/news/search", "infinite": True,
             "example": "/news/search?keyword=arsip"},
            {"name": "sort", "pattern": r"^/news\?sort=", "infinite": False,
             "example": "/news?sort=judul&order=asc", "count": len(c.SORTS) * len(c.ORDERS)},
        ]  # fmt: skip
