"""``spbe``: a province's SPBE portal (WITA), the layout many regional portals share.

==============================================  =====================================
``/publikasi/berita[?per_page=9]``              listing, 9 a page; ``per_page`` is the
                                                offset (CodeIgniter query strings)
``/publikasi/berita/baca/SLUG``                 article
``/publikasi/berita/tag/T[?per_page=N]``        tag listings inside the section
``/publikasi/berita?sort=&order=[&per_page=]``  sort permutations (bounded trap)
``/publikasi/berita-foto[/ALBUM]``              photo news: a gallery whose path begins
                                                like the section's (not in it)
``/publikasi/pengumuman``, ``/publikasi/artikel``  sibling sections
``/pencarian?q=W[&per_page=N]``                 search, always one more page (infinite)
``/agenda/kalender/Y/M``                        calendar, next month forever (infinite)
``/ppid/dokumen[?per_page=N]``                  document repository (PDFs)
``/profil``, ``/layanan``                       plain pages; ``/sitemap.xml``
==============================================  =====================================

Articles: headline ``h2.title`` in ``.post-title``, ``3 Mar 2022 | 10:15``
(no zone: WITA, said in the top bar), an eye icon with the count and no
label, ``Penulis: X`` and ``Penyunting: Y`` after the body; ``<link
rel="next">`` in listings. The footer's visitor counter has an eye icon too.
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

SECTION = "/publikasi/berita"
_ARTICLE = re.compile(r"^/publikasi/berita/baca/([a-z0-9-]+)$")
_TAG = re.compile(r"^/publikasi/berita/tag/([a-z0-9-]+)$")
_CALENDAR = re.compile(r"^/agenda/kalender/(\d{4})/(\d{1,2})$")


def _offset_page(params: dict[str, str], per_page: int) -> int | None:
    """The page a ``per_page`` offset asks for (CodeIgniter's query-string pagination)."""
    return c.offset_page(params, "per_page", per_page)


class Spbe(Portal):
    name = "spbe"
    summary = "SPBE portal of a province (WITA): /publikasi/berita/baca/slug, ?per_page=9"
    site_name = "Pemerintah Provinsi Nusa Timur Raya"
    section = SECTION
    zone = "WITA"
    per_page = 9
    media_prefix = "/storage/"
    shows_editor = True
    photo_prefix = "/storage/galeri/"
    document_prefix = "/storage/dokumen/"
    plain_pages = (
        ("/profil", "Profil", c.PROFILE_TEXT),
        ("/layanan", "Layanan", c.SERVICES_TEXT),
        ("/publikasi/pengumuman", "Pengumuman", ("Belum ada pengumuman terbaru.",)),
        ("/publikasi/artikel", "Artikel", ("Artikel opini dan kajian akan segera hadir.",)),
    )
    robots_rules = ("Disallow: /admin", "Disallow: /login")

    def article_path(self, post: Post) -> str:
        return f"{SECTION}/baca/{post.article.slug}"

    def listing_path(self, page: int) -> str:
        return SECTION if page == 1 else f"{SECTION}?per_page={(page - 1) * self.per_page}"

    def listing_number(self, path: str, query: str) -> int | None:
        if path != SECTION:
            return None
        params = c.single_params(query)
        if params is None or set(params) - {"per_page"}:
            return None
        return _offset_page(params, self.per_page)

    # --- layout ----------------------------------------------------------------

    def layout(self, title: str, main: str, *, head: Sequence[str] = ()) -> str:
        head_lines = "".join(f"  {line}\n" for line in head)
        today, total, _ = self.visitors
        return f"""<!DOCTYPE html>
<html lang="id">
<head>
  <meta charset="utf-8">
  <meta content="width=device-width, initial-scale=1.0" name="viewport">
  <title>{c.title_suffix(title, self.site_name)}</title>
{head_lines}  <link href="/assets/css/style.css" rel="stylesheet">
  <link href="/assets/img/favicon.png" rel="icon">
</head>
<body>
  <section id="topbar"><div class="container"><i class="bi bi-clock">
    </i> Senin - Jumat, 08.00 - 16.00 WITA
    <a href="https://lapor.go.id">LAPOR!</a></div></section>
  <header id="header">
    <div class="container">
      <div class="logo"><a href="/"><span>{self.site_name}</span></a></div>
      <nav id="navbar" class="navbar">
        <ul>
          <li><a href="/">Beranda</a></li>
          <li><a href="/profil">Profil</a></li>
          <li class="dropdown"><a href="#">Publikasi</a>
            <ul>
              <li><a href="{SECTION}">Berita</a></li>
              <li><a href="/publikasi/berita-foto">Berita Foto</a></li>
              <li><a href="/publikasi/pengumuman">Pengumuman</a></li>
              <li><a href="/publikasi/artikel">Artikel</a></li>
            </ul>
          </li>
          <li><a href="/agenda/kalender/2024/1">Agenda</a></li>
          <li><a href="/ppid/dokumen">PPID</a></li>
          <li><a href="/layanan">Layanan</a></li>
        </ul>
      </nav>
    </div>
  </header>
  <main id="main">
    <section class="breadcrumbs"><div class="container"><ol><li><a href="/">Beranda</a></li>
      <li>{escape(title)}</li></ol></div></section>
    <section class="blog"><div class="container"><div class="row">
      <div class="col-lg-8 entries">
{main}
      </div>
      <div class="col-lg-4"><div class="sidebar">
{self.sidebar()}
      </div></div>
    </div></div></section>
  </main>
  <footer id="footer">
    <div class="footer-top"><div class="container">
      <div class="footer-info"><h3>{self.site_name}</h3><p>Jl. Pahlawan No. 1</p></div>
      <div class="footer-counter"><i class="bi bi-eye">
        </i> Pengunjung hari ini: {c.dotted(today)}<br><i class="bi bi-people">
        </i> Total: {c.dotted(total)}</div>
    </div></div>
    <div class="copyright">&copy; Copyright
      <strong>Diskominfo {self.site_name}</strong>. SPBE.</div>
  </footer>
  <script src="/assets/js/main.js"></script>
</body>
</html>
"""

    def sidebar(self) -> str:
        recent = "\n".join(
            f'          <div class="post-item"><h4><a href="{p.path}">{escape(p.title)}</a></h4>'
            f'<time datetime="{p.local.date().isoformat()}">{c.short_date(p.local)}</time> '
            f'<span><i class="bi bi-eye"></i> {c.dotted(p.article.views)}</span></div>'
            for p in self.popular()
        )
        cloud = c.tag_cloud(self.all_tags(), lambda t: f"{SECTION}/tag/{tag_slug(t)}")
        searches = c.search_links(lambda t: f"/pencarian?q={t}")
        return f"""        <h3 class="sidebar-title">Pencarian</h3>
        <div class="sidebar-item search-form"><p>{searches}</p></div>
        <h3 class="sidebar-title">Berita Populer</h3>
        <div class="sidebar-item recent-posts">
{recent}
        </div>
        <h3 class="sidebar-title">Tag</h3><div class="sidebar-item tags">{cloud}</div>"""

    def page(self, title: str, main: str) -> str:
        return self.layout(title, main)

    # --- pages -----------------------------------------------------------------

    def article_page(self, post: Post) -> str:
        a = post.article
        title = escape(a.title)
        image = ""
        lead = self.lead_image(post)
        if lead:
            image = (
                f'          <div class="entry-img"><img src="{lead}" alt="" class="img-fluid">'
                "</div>\n"
            )
        credits = f"<p>Penulis: {escape(a.author)}</p>"
        if a.editor:
            credits += f"<p>Penyunting: {escape(a.editor)}</p>"
        tags = "".join(
            f'<li><a href="{SECTION}/tag/{tag_slug(t)}">{escape(t)}</a></li>' for t in post.tags
        )
        main = f"""        <article class="entry entry-single">
{image}          <div class="post-title"><h2 class="title">{title}</h2></div>
          <div class="entry-meta post-meta"><ul>
            <li class="d-flex align-items-center"><i class="bi bi-clock">
              </i> {c.short_date(post.local)} | {c.clock(post.local)}</li>
            <li class="d-flex align-items-center"><i class="bi bi-eye"></i> {c.dotted(a.views)}</li>
          </ul></div>
          <div class="entry-content post-content">
{self.content_html(post, "            ")}
          </div>
          <div class="entry-footer post-author">{credits}
            <i class="bi bi-tags"></i><ul class="tags">{tags}</ul></div>
        </article>"""
        head = [
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{title}">',
            f'<meta name="description" content="{escape(c.teaser(post, 150))}">',
        ]
        return self.layout(a.title, main, head=head)

    def entries(self, posts: Sequence[Post]) -> str:
        out = []
        for p in posts:
            lead = self.lead_image(p)
            image = (
                f'<div class="entry-img"><img src="{lead}" alt="" class="img-fluid"></div>'
                if lead
                else ""
            )
            out.append(
                f"""        <article class="entry">{image}
          <h2 class="entry-title"><a href="{p.path}">{escape(p.title)}</a></h2>
          <div class="entry-meta"><ul><li><i class="bi bi-clock">
            </i> {c.short_date(p.local)}</li><li><i class="bi bi-eye">
            </i> {c.dotted(p.article.views)}</li></ul></div>
          <div class="entry-content"><p>{escape(c.teaser(p))}</p>
          <div class="read-more"><a href="{p.path}">Baca Selengkapnya</a></div></div>
        </article>"""
            )
        return "\n".join(out)

    def pagination(self, page: int, pages: int, href: Callable[[int], str]) -> str:
        items = []
        if page > 1:
            items.append(f'<li><a href="{c.attr(href(page - 1))}">&laquo;</a></li>')
        for n in range(1, pages + 1):
            items.append(
                f'<li class="active"><a href="#">{n}</a></li>'
                if n == page
                else f'<li><a href="{c.attr(href(n))}">{n}</a></li>'
            )
        if page < pages:
            items.append(f'<li><a href="{c.attr(href(page + 1))}">&raquo;</a></li>')
        return (
            '        <div class="blog-pagination"><ul class="justify-content-center">'
            f"{''.join(items)}</ul></div>"
        )

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
        head = []
        if page > 1:
            head.append(f'<link rel="prev" href="{c.attr(href(page - 1))}">')
        if page < pages:
            head.append(f'<link rel="next" href="{c.attr(href(page + 1))}">')
        main = f"""        <h1 class="page-heading">{escape(heading)}</h1>
{extra}{self.entries(chunk)}
{self.pagination(page, pages, href)}"""
        return self.layout(heading, main, head=head)

    def listing_page(self, page: int) -> str:
        sorts = c.sort_links(lambda s, o: f"{SECTION}?sort={s}&order={o}")
        html = self.listing("Berita", self.posts, page, self.listing_path, f"        {sorts}\n")
        assert html is not None
        return html

    def home_page(self) -> str:
        main = f"""        <h1 class="page-heading">Selamat Datang</h1>
{self.entries(self.posts[:3])}
        <p><a href="{SECTION}">Berita lainnya</a></p>"""
        return self.layout("Beranda", main)

    # --- everything else -------------------------------------------------------

    def _offset_href(self, base: str, joiner: str = "?") -> Callable[[int], str]:
        per_page = self.per_page
        return lambda n: base if n == 1 else f"{base}{joiner}per_page={(n - 1) * per_page}"

    def extra(self, path: str, query: str) -> Resource | str | None:
        params = c.single_params(query)
        if params is None:
            return None
        if path == SECTION and {"sort", "order"} <= set(params) <= {"sort", "order", "per_page"}:
            posts = c.sorted_posts(self.posts, params["sort"], params["order"])
            page = _offset_page(params, self.per_page)
            if posts is None or page is None:
                return None
            base = f"{SECTION}?sort={params['sort']}&order={params['order']}"
            sorts = c.sort_links(lambda s, o: f"{SECTION}?sort={s}&order={o}")
            return self.listing(
                "Berita", posts, page, self._offset_href(base, "&"), f"        {sorts}\n"
            )
        match = _TAG.match(path)
        if match and set(params) <= {"per_page"}:
            tag = self.tag_named(match[1])
            page = _offset_page(params, self.per_page)
            if tag is None or page is None:
                return None
            return self.listing(f"Tag: {tag}", self.tagged(tag), page, self._offset_href(path))
        if path == "/pencarian" and "q" in params and set(params) <= {"q", "per_page"}:
            page = _offset_page(params, 10)
            if page is None:
                return None
            term = quote_plus(params["q"])
            return self.search_page(
                params["q"], page, lambda n: f"/pencarian?q={term}&per_page={(n - 1) * 10}"
            )
        if path == "/ppid/dokumen" and set(params) <= {"per_page"}:
            page = _offset_page(params, 4)
            if page is None:
                return None
            return self.documents_page(
                page,
                4,
                lambda n: "/ppid/dokumen" if n == 1 else f"/ppid/dokumen?per_page={(n - 1) * 4}",
                "Dokumen PPID",
            )
        if params:
            return None
        return self._plain(path)

    def _plain(self, path: str) -> Resource | str | None:
        match = _CALENDAR.match(path)
        if match and 1 <= int(match[2]) <= 12 and int(match[1]) >= 1:
            year, month = int(match[1]), int(match[2])
            return self.calendar_page(year, month, lambda y, m: f"/agenda/kalender/{y}/{m}")
        if path == "/publikasi/berita-foto":
            return self.gallery_page(lambda s: f"/publikasi/berita-foto/{s}", "Berita Foto")
        if path.startswith("/publikasi/berita-foto/"):
            return self.album_page(path.rsplit("/", 1)[-1], "Berita Foto")
        if path == "/sitemap.xml":
            return self.sitemap()
        return self.files(path) or self.plain_page(path)

    def other_pages(self) -> list[str]:
        tags = self.tag_slugs()
        return [
            "/",
            "/profil",
            "/layanan",
            "/publikasi/pengumuman",
            "/publikasi/artikel",
            "/publikasi/berita-foto",
            *(f"/publikasi/berita-foto/{slug}" for slug, _, _ in c.ALBUMS),
            "/ppid/dokumen",
            *(f"{SECTION}/tag/{t}" for t in tags),
        ]

    def traps(self) -> list[dict[str, Any]]:
        return [
            trap("calendar", r"^/agenda/kalender/", "/agenda/kalender/2024/2", infinite=True),
            trap("search", r"^/pencarian\?", "/pencarian?q=arsip", infinite=True),
            trap(
                "sort",
                r"^/publikasi/berita\?sort=",
                f"{SECTION}?sort=judul&order=asc",
                count=self.sort_count(),
            ),
            trap("tags", r"^/publikasi/berita/tag/", f"{SECTION}/tag/kearsipan"),
            trap("prefix-sibling", r"^/publikasi/berita-foto", "/publikasi/berita-foto"),
            trap("documents", r"^/(ppid/dokumen|storage/dokumen/)", "/ppid/dokumen"),
        ]
