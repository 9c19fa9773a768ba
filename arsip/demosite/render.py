"""HTML of the replica's pages, in the layout of tests/fixtures/anri-seed-article.html.

All links are root-relative (``/publikasi/berita/...``), so a page's bytes do
not depend on the host or port it is served from. Only the sitemap and
robots.txt (see `arsip.demosite.textfiles`) carry absolute URLs.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from html import escape
from urllib.parse import quote

from arsip.demosite.model import NEWS_PATH, NewsArticle, SiteContent

SITE_NAME = "Arsip Nasional Republik Indonesia"
PER_PAGE = 10
DEAD_LINK_TITLE = "Pengumuman Seleksi Arsiparis Teladan Tingkat Nasional"
#: Where the real site lives: only used inside share links to social networks.
PUBLIC_ORIGIN = "https://anri.go.id"
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")

#: page number -> href of that listing page (live: ``?page=N``; static export: ``/page/N/``).
PageHref = Callable[[int], str]


def live_page_href(page: int) -> str:
    return NEWS_PATH if page == 1 else f"{NEWS_PATH}?page={page}"


def static_page_href(page: int) -> str:
    return f"{NEWS_PATH}/" if page == 1 else f"{NEWS_PATH}/page/{page}/"


def page_count(site: SiteContent) -> int:
    return max(1, -(-len(site.articles) // PER_PAGE))


def short_date(article: NewsArticle) -> str:
    """``09 Des 2021``: how listings and the sidebar date an article."""
    day = article.published
    return f"{day.day:02d} {MONTHS_ID[day.month - 1]} {day.year}"


def views_text(article: NewsArticle) -> str:
    if article.views_dotted:
        return f"{article.views:,}".replace(",", ".")
    return str(article.views)


def layout(
    title: str,
    main: str,
    *,
    banner: str,
    crumbs: Sequence[tuple[str | None, str]],
    head: Sequence[str] = (),
) -> str:
    """A whole page: head, top bar, header, banner with breadcrumb, *main*, footer."""
    crumb_items = "\n".join(
        f'      <li><a href="{href}">{escape(label)}</a></li>'
        if href
        else f'      <li class="active">{escape(label)}</li>'
        for href, label in crumbs
    )
    head_lines = "".join(f"{line}\n" for line in head)
    return f"""<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} | {SITE_NAME}</title>
{head_lines}<link rel="stylesheet" href="/assets/css/style.css">
<link rel="icon" href="/assets/img/favicon.png">
<script src="/assets/js/main.js" defer></script>
</head>
<body>
<div class="topbar">
  <div class="container">
    <span class="jam-layanan"><i class="icon-clock"></i> 08.00 WIB - 15.00 WIB</span>
    <span class="alamat"><i class="icon-map"></i> Jl. Ampera Raya No. 7 Jakarta</span>
  </div>
</div>
<header class="header">
  <div class="container">
    <a class="logo" href="/"><img src="/assets/img/logo-anri.png" alt="Logo ANRI"></a>
    <nav class="main-nav">
      <ul>
        <li><a href="/">Beranda</a></li>
        <li><a href="/profil">Profil</a></li>
        <li><a href="{NEWS_PATH}">Berita</a></li>
        <li><a href="/layanan">Layanan</a></li>
        <li><a href="/admin/login">Masuk</a></li>
      </ul>
    </nav>
  </div>
</header>
<div class="page-banner">
  <div class="container">
    <h2 class="banner-title">{escape(banner)}</h2>
    <ol class="breadcrumb">
{crumb_items}
    </ol>
  </div>
</div>
<main class="container">
  <div class="row">
{main}
  </div>
</main>
<footer class="footer">
  <div class="container">
    <div class="footer-about">
      <img src="/assets/img/logo-anri-white.png" alt="Logo ANRI">
      <p>{SITE_NAME}</p>
      <p>Jl. Ampera Raya No. 7 Jakarta Selatan 12560</p>
      <p>Telp. (021) 7805851 &middot; Jam Layanan: Senin - Jumat, 08.00 WIB - 15.00 WIB</p>
    </div>
    <p class="copyright">&copy; 2021 {SITE_NAME}</p>
  </div>
</footer>
</body>
</html>
"""


def sidebar(items: Sequence[NewsArticle], title: str = "Berita Terbaru") -> str:
    lines = "\n".join(
        f'          <li><a href="{a.path}">{escape(a.title)}</a>'
        f'<span class="date">{short_date(a)}</span></li>'
        for a in items
    )
    return f"""    <aside class="col-side sidebar">
      <div class="widget widget-latest">
        <h3 class="widget-title">{escape(title)}</h3>
        <ul>
{lines}
        </ul>
      </div>
    </aside>"""


def neighbours(site: SiteContent, article: NewsArticle) -> list[NewsArticle]:
    """3-5 other articles for the sidebar: the ones just older, then just newer."""
    index = site.position[article.slug]
    want = 3 + zlib.crc32(article.slug.encode("utf-8")) % 3
    found = site.articles[index + 1 : index + 1 + want]
    newer = index - 1
    while len(found) < want and newer >= 0:
        found.append(site.articles[newer])
        newer -= 1
    return found


def related(site: SiteContent, article: NewsArticle) -> list[tuple[str, str]]:
    """(href, label) of the article's "Baca juga" links."""
    links = [(site.by_slug[s].path, site.by_slug[s].title) for s in article.related]
    if article.slug == site.link_host:
        links.append((site.moved_from, site.by_slug[site.moved_to].title))
        links.append((site.dead_link, DEAD_LINK_TITLE))
    return links


def referenced(site: SiteContent, article: NewsArticle) -> list[NewsArticle]:
    """Every article whose data shows on *article*'s page (for Last-Modified)."""
    found = [article, *neighbours(site, article), *(site.by_slug[s] for s in article.related)]
    if article.slug == site.link_host:
        found.append(site.by_slug[site.moved_to])
    return found


def article_page(site: SiteContent, article: NewsArticle) -> str:
    title = escape(article.title)
    day = article.published
    months = MONTHS_EN if article.month_lang == "en" else MONTHS_ID
    figure = ""
    if article.lead_image:
        figure = f"""      <figure class="news-image">
        <img src="{article.lead_image}" alt="{title}">
      </figure>
"""
    content = "\n".join(f"        <p>{p.html}</p>" for p in article.paras)
    byline = f"Penulis : {escape(article.author)}"
    if article.editor:
        byline += f"<br>Editor : {escape(article.editor)}"
    shared = quote(PUBLIC_ORIGIN + article.path, safe="")
    extra = ""
    links = related(site, article)
    if links:
        items = "\n".join(f'          <li><a href="{h}">{escape(t)}</a></li>' for h, t in links)
        extra = f"""
      <div class="related">
        <h4>Baca juga</h4>
        <ul>
{items}
        </ul>
      </div>"""
    description = escape(article.paras[0].text.split(", ", 1)[-1][:150].rsplit(" ", 1)[0])
    main = f"""    <article class="col-main news-detail">
      <div class="news-head">
        <div class="date-block">
          <span class="day">{day.day:02d}</span>
          <span class="month-year">{months[day.month - 1]} {day.year % 100:02d}</span>
        </div>
        <h1 class="news-title">{title}</h1>
      </div>
{figure}      <div class="news-content">
{content}
      </div>
      <div class="news-meta">
        <p>{byline}</p>
      </div>
      <div class="share">
        <span>Bagikan</span>
        <a class="share-fb" href="https://www.facebook.com/sharer/sharer.php?u={shared}">Facebook</a>
        <a class="share-tw" href="https://twitter.com/intent/tweet?url={shared}">Twitter</a>
        <a class="share-wa" href="https://wa.me/?text={shared}">WhatsApp</a>
      </div>
      <div class="views"><i class="icon-eye"></i> Views: {views_text(article)}</div>{extra}
    </article>
{sidebar(neighbours(site, article))}"""
    head = [
        f'<meta name="description" content="{description}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{title}">',
        f'<meta property="og:url" content="{article.path}">',
    ]
    if article.lead_image:
        head.append(f'<meta property="og:image" content="{article.lead_image}">')
    head.append(f'<link rel="canonical" href="{article.path}">')
    crumbs = [("/", "Beranda"), (NEWS_PATH, "Berita"), (None, article.title)]
    return layout(article.title, main, banner=article.title, crumbs=crumbs, head=head)


def news_items(articles: Sequence[NewsArticle]) -> str:
    """The list of article teasers used by the listing and the home page."""
    out = []
    for a in articles:
        thumb = ""
        if a.lead_image:
            thumb = (
                f'\n        <a class="thumb" href="{a.path}">'
                f'<img src="{a.lead_image}" alt="{escape(a.title)}"></a>'
            )
        teaser = a.paras[0].text.split(", ", 1)[-1]
        if len(teaser) > 160:
            teaser = teaser[:160].rsplit(" ", 1)[0] + " …"
        out.append(
            f"""      <div class="news-item">{thumb}
        <div class="news-item-body">
          <span class="date">{short_date(a)}</span>
          <h3 class="news-item-title"><a href="{a.path}">{escape(a.title)}</a></h3>
          <p class="excerpt">{escape(teaser)}</p>
        </div>
      </div>"""
        )
    return "\n".join(out)


def pagination(page: int, pages: int, href: PageHref) -> str:
    """Previous / numbers (first, last and a window around *page*) / next."""
    items = []
    if page > 1:
        items.append(
            f'<li class="prev"><a href="{href(page - 1)}" rel="prev">&laquo; Sebelumnya</a></li>'
        )
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    last = 0
    for number in shown:
        if number - last > 1:
            items.append('<li class="gap"><span>&hellip;</span></li>')
        if number == page:
            items.append(f'<li class="active"><span>{number}</span></li>')
        else:
            items.append(f'<li><a href="{href(number)}">{number}</a></li>')
        last = number
    if page < pages:
        items.append(
            f'<li class="next"><a href="{href(page + 1)}" rel="next">Berikutnya &raquo;</a></li>'
        )
    lines = "\n".join(f"        {item}" for item in items)
    return f"""      <nav class="pagination-nav" aria-label="Halaman">
      <ul class="pagination">
{lines}
      </ul>
      </nav>"""


def listing_page(site: SiteContent, page: int, href: PageHref = live_page_href) -> str:
    pages = page_count(site)
    chunk = site.articles[(page - 1) * PER_PAGE : page * PER_PAGE]
    main = f"""    <section class="col-main news-list">
      <h1 class="section-title">Berita</h1>
{news_items(chunk)}
{pagination(page, pages, href)}
    </section>
{sidebar(site.articles[:5])}"""
    head = [f'<link rel="canonical" href="{href(page)}">']
    if page > 1:
        head.append(f'<link rel="prev" href="{href(page - 1)}">')
    if page < pages:
        head.append(f'<link rel="next" href="{href(page + 1)}">')
    title = "Berita" if page == 1 else f"Berita - Halaman {page}"
    crumbs = [("/", "Beranda"), (None, "Berita")]
    return layout(title, main, banner="Berita", crumbs=crumbs, head=head)


def home_page(site: SiteContent) -> str:
    moved = site.by_slug[site.moved_to]
    main = f"""    <section class="col-main home">
      <div class="welcome">
        <h1 class="section-title">Selamat Datang di Laman {SITE_NAME}</h1>
        <p>Arsip adalah memori kolektif bangsa. Temukan berita kegiatan kearsipan di sini.</p>
      </div>
      <h2 class="section-title">Berita Terkini</h2>
{news_items(site.articles[:6])}
      <p class="more"><a href="{NEWS_PATH}">Indeks Berita</a></p>
      <div class="widget widget-links">
        <h3 class="widget-title">Tautan Pilihan</h3>
        <ul>
          <li><a href="{site.moved_from}">{escape(moved.title)}</a></li>
          <li><a href="{site.dead_link}">{DEAD_LINK_TITLE}</a></li>
          <li><a href="/profil">Profil ANRI</a></li>
          <li><a href="/layanan">Layanan Publik</a></li>
        </ul>
      </div>
    </section>
{sidebar(site.articles[6:10], "Berita Lainnya")}"""
    head = ['<meta name="description" content="Laman resmi Arsip Nasional Republik Indonesia">']
    return layout("Beranda", main, banner=SITE_NAME, crumbs=[(None, "Beranda")], head=head)


def simple_page(title: str, paragraphs: Sequence[str], *, html: str = "") -> str:
    """A plain page (profile, services, login, errors): a heading and some text."""
    body = "\n".join(f"      <p>{escape(p)}</p>" for p in paragraphs)
    main = f"""    <section class="col-main page">
      <h1 class="section-title">{escape(title)}</h1>
{body}{html}
    </section>"""
    return layout(title, main, banner=title, crumbs=[("/", "Beranda"), (None, title)])


def login_page() -> str:
    form = """
      <form class="login" method="post" action="/admin/login">
        <label>Nama pengguna <input type="text" name="username"></label>
        <label>Kata sandi <input type="password" name="password"></label>
        <button type="submit">Masuk</button>
      </form>"""
    return simple_page("Masuk", ["Halaman ini khusus untuk pengelola laman."], html=form)


def not_found_page() -> str:
    return simple_page(
        "Halaman Tidak Ditemukan",
        ["Maaf, halaman yang Anda cari tidak tersedia atau telah dipindahkan."],
        html='\n      <p><a href="/">Kembali ke Beranda</a></p>',
    )


def moved_page(target: str) -> str:
    """Body of a 301 (and, in a static export, the page left at the old address)."""
    return (
        '<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        f'<link rel="canonical" href="{target}">\n<title>301 Moved Permanently</title>\n'
        "</head>\n<body>\n<h1>Moved Permanently</h1>\n"
        f'<p>Halaman ini telah dipindahkan ke <a href="{target}">{target}</a>.</p>\n'
        "</body>\n</html>\n"
    )
