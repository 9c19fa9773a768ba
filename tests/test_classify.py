"""Page classification (crawler.classify) and scope rules (crawler.section) on small pages.

Each page is a few lines of HTML written the way the CMSs Indonesian
institutions run write them (WordPress, Joomla, CodeIgniter / Laravel
portals); the classifier must take it for what a reader would.
"""

from __future__ import annotations

import pytest

from crawler.classify import ARTICLE, LISTING, OTHER, classify_html
from crawler.section import Section, origin, origins_of, url_trap

BASE = "https://dinas.example.go.id"

PARAS = "".join(
    f"<p>Paragraf {n}: Pemerintah Kabupaten melaksanakan kegiatan pembinaan kearsipan "
    f"bagi perangkat daerah di aula kantor bupati dengan peserta dari {n} dinas.</p>"
    for n in range(1, 5)
)


def page(body: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head><title>Situs</title>{head}</head><body>"
        '<header><nav><a href="/">Beranda</a> <a href="/profil">Profil</a> '
        '<a href="/berita">Berita</a></nav></header>'
        f"{body}<footer><p>Pengunjung hari ini: 1.234 | Hits: 99.999</p></footer></body></html>"
    )


def teasers(n: int, more: str = "", date: bool = True) -> str:
    items = []
    for i in range(1, n + 1):
        when = f'<span class="tgl">1{i % 9} Mei 2024</span>' if date else ""
        link = f' <a href="/berita/{i}">{more}</a>' if more else ""
        items.append(
            f'<div class="post-item"><h2 class="entry-title"><a href="/berita/judul-berita-{i}">'
            f"Judul berita nomor {i} tentang kegiatan dinas</a></h2>{when}"
            f"<p>Ringkasan berita {i} yang singkat saja.</p>{link}</div>"
        )
    return "".join(items)


WORDPRESS_ARTICLE = page(
    '<main><article class="post"><h1 class="entry-title">Bupati Buka Rapat Koordinasi Kearsipan'
    '</h1><div class="entry-meta">Diposting oleh admin pada 12 Mei 2024</div>'
    f'<div class="entry-content">{PARAS}</div></article>'
    "<aside><h3>Berita Terbaru</h3><ul>"
    + "".join(
        f'<li><a href="/b/{i}">Berita terbaru nomor {i} dari dinas</a></li>' for i in range(5)
    )
    + "</ul></aside>"
    '<nav class="post-navigation"><a href="/b/prev" rel="prev">« Sebelumnya</a>'
    '<a href="/b/next" rel="next">Berikutnya »</a></nav></main>'
)

CASES = [
    pytest.param(
        page(
            '<main><h1>Berita</h1><div class="list">' + teasers(10) + "</div>"
            '<ul class="pagination"><li><a href="/berita/page/2">2</a></li>'
            '<li><a href="/berita/page/2">Berikutnya »</a></li></ul></main>'
        ),
        LISTING,
        "10 repeated link blocks + pagination",
        id="wordpress-listing-page-2-link",
    ),
    pytest.param(
        page('<div class="blog">' + teasers(6, "Selengkapnya", date=False) + "</div>"),
        LISTING,
        "6 repeated link blocks + 6 'selengkapnya' links",
        id="joomla-blog-readmore",
    ),
    pytest.param(
        page(
            '<div class="items">' + teasers(3) + '</div><div class="pagination">'
            '<a href="/index.php/berita?start=10">2</a>'
            '<a href="/index.php/berita?start=20">3</a></div>'
        ),
        LISTING,
        "pagination + 3 link block(s)",
        id="joomla-last-page-few-items",
    ),
    pytest.param(
        page(
            '<div class="row">' + teasers(8, date=False) + '</div><ul class="pagination">'
            '<li><a href="/berita/index/2">2</a></li><li><a href="/berita/index/2">»</a></li></ul>'
        ),
        LISTING,
        "8 repeated link blocks + pagination",
        id="codeigniter-index-2-and-raquo",
    ),
    pytest.param(
        page(
            '<section class="entries">' + teasers(4) + "</section>"
            '<nav><a href="/publikasi/berita?per_page=9">Berikutnya</a></nav>'
            '<div class="pager"><a href="/publikasi/berita?per_page=9">›</a></div>'
        ),
        LISTING,
        "4 repeated link blocks + pagination",
        id="spbe-per-page-offset",
    ),
    pytest.param(
        page(teasers(5), head='<link rel="next" href="/berita?page=2">'),
        LISTING,
        "5 repeated link blocks + pagination",
        id="link-rel-next",
    ),
    pytest.param(
        WORDPRESS_ARTICLE,
        ARTICLE,
        "headline + date + byline + 4 paragraphs",
        id="wordpress-article-with-post-navigation",
    ),
    pytest.param(
        page(
            f"<h1>Rapat Koordinasi</h1><div>{PARAS}</div>",
            head='<script type="application/ld+json">{"@context":"https://schema.org",'
            '"@graph":[{"@type":"WebSite"},{"@type":"NewsArticle","headline":"x"}]}</script>',
        ),
        ARTICLE,
        "JSON-LD @type NewsArticle",
        id="json-ld-graph",
    ),
    pytest.param(
        page(
            f"<h2>Rapat</h2><div>{PARAS}</div>", head='<meta property="og:type" content="article">'
        ),
        ARTICLE,
        "og:type=article",
        id="og-type",
    ),
    pytest.param(
        page(f"<h1>Profil Dinas Kearsipan dan Perpustakaan</h1><div>{PARAS}</div>"),
        OTHER,
        "no date, byline or views",
        id="profile-page-without-date",
    ),
    pytest.param(
        page(
            '<h1>Tag</h1><div class="tagcloud">'
            + "".join(f'<a href="/tag/t{i}">t{i}</a> ' for i in range(40))
            + "</div>"
        ),
        OTHER,
        "0 repeated link blocks",
        id="tag-cloud",
    ),
    pytest.param(
        page(
            "<h1>Agenda Mei 2024</h1><table>"
            + "".join(f'<td><a href="/agenda?d=2024-05-{d:02d}">{d}</a></td>' for d in range(1, 29))
            + '</table><a href="/agenda?month=2024-06">Berikutnya »</a>'
        ),
        OTHER,
        "0 repeated link blocks",
        id="agenda-calendar",
    ),
    pytest.param(
        page('<form action="/cari"><input name="q"><button>Cari</button></form>'),
        OTHER,
        "no single headline",
        id="search-form",
    ),
]


BR_BODY = "<br /><br />".join(
    f"Paragraf {n}: pemerintah desa menggelar musyawarah perencanaan pembangunan di balai desa "
    "bersama perangkat desa dan tokoh masyarakat."
    for n in range(1, 4)
)


def blog_post(n: int, *, link: bool) -> str:
    """A post as a blog engine (Blogger) writes it: the body is text between <br>s."""
    title = f"Kegiatan desa nomor {n} di balai desa Sukamaju"
    if link:
        title = f"<a href='/2023/12/kegiatan-desa-{n}.html'>{title}</a>"
    return (
        f"<div class='date-outer'><h2 class='date-header'><span>Minggu, 2{n} Desember 2023</span>"
        f"</h2><div class='post hentry'><h3 class='post-title entry-title'>{title}</h3>"
        f"<div class='post-body entry-content'>{BR_BODY}</div><div class='post-footer'>"
        "<span class='post-author vcard'>Diposting oleh <span class='fn'>Rina Marlina</span>"
        "</span></div></div></div>"
    )


CASES += [
    pytest.param(
        page(
            "<div class='main'>" + blog_post(1, link=False) + "<div class='blog-pager'>"
            "<a href='/2023/12/lama.html' title='Posting Lama'>Posting Lama</a></div></div>",
            head="<title>Desa Sukamaju: Kegiatan desa nomor 1 di balai desa Sukamaju</title>",
        ),
        ARTICLE,
        "headline + date + byline + 3 paragraphs",
        id="blog-post-body-between-br",
    ),
    pytest.param(
        page(
            "<div class='main'>"
            + "".join(blog_post(n, link=True) for n in range(1, 8))
            + "<div class='blog-pager'><a href='/search?updated-max=2023-12-20T08:00:00%2B07:00"
            "&amp;max-results=7'>Posting Lama</a></div></div>"
        ),
        LISTING,
        "7 repeated link blocks + pagination",
        id="blog-home-full-posts-older-posts-link",
    ),
    pytest.param(
        page(
            '<div class="list">'
            + "".join(
                f'<div class="item"><a href="/berita/{i}">Judul berita nomor {i} tentang dinas</a>'
                f"<div>Ringkasan berita nomor {i} yang ditulis cukup panjang untuk satu paragraf "
                "pendek.</div></div>"
                for i in range(5)
            )
            + "</div>"
        ),
        LISTING,
        "5 repeated link blocks",
        id="teasers-with-div-snippets-are-no-body",
    ),
]


@pytest.mark.parametrize(("html", "kind", "reason"), CASES)
def test_pages_are_classified_by_what_they_show(html: str, kind: str, reason: str) -> None:
    found = classify_html(html, BASE + "/berita")
    assert found.kind == kind, found
    assert reason in found.reason, found.reason


def test_a_listing_offers_its_teaser_links_and_pagination_not_its_navigation() -> None:
    html = page(
        '<main><div class="list">' + teasers(8) + "</div>"
        '<ul class="pagination"><li><a href="/berita?page=2">2</a></li></ul></main>'
        '<aside class="widget">'
        + "".join(
            f'<li><a href="/lain/{i}">Tautan lain nomor {i} di samping</a></li>' for i in range(3)
        )
        + "</aside>",
        head='<link rel="alternate" type="application/rss+xml" href="/berita/feed">',
    )
    found = classify_html(html, BASE + "/berita")
    assert found.kind == LISTING
    assert found.teaser_links == tuple(f"{BASE}/berita/judul-berita-{i}" for i in range(1, 9))
    assert found.pages == (f"{BASE}/berita?page=2",)
    assert found.feeds == (f"{BASE}/berita/feed",)


def test_broken_json_ld_and_empty_pages_are_not_errors() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle",</script>'
    assert classify_html(page("<p>x</p>", head), BASE).kind == OTHER
    assert classify_html(b"", BASE).kind == OTHER


# -- scope --------------------------------------------------------------------------


def test_origins_are_scheme_host_and_port() -> None:
    assert origin("http://127.0.0.1:8000/x") == "http://127.0.0.1:8000"
    assert origin("https://Anri.go.id/x") == "https://anri.go.id:443"
    assert origin("ftp://anri.go.id/") is None
    assert origins_of(["http://127.0.0.1:8000/berita"]) == {"http://127.0.0.1:8000"}
    # a default port also allows the usual upgrade to https, and never another port
    assert origins_of(["http://anri.go.id/berita"]) == {
        "http://anri.go.id:80",
        "https://anri.go.id:443",
    }
    assert origins_of([], ["anri.go.id:8443"]) == {
        "http://anri.go.id:8443",
        "https://anri.go.id:8443",
    }


@pytest.mark.parametrize(
    ("start", "inside", "outside"),
    [
        ("http://h/berita", ["/berita", "/berita/", "/berita/slug", "/berita?page=2"],
         ["/", "/beritaku", "/profil", "/agenda/berita"]),
        ("http://h/publikasi/berita/", ["/publikasi/berita/x"], ["/publikasi/galeri"]),
        ("http://h/index.php/berita", ["/index.php/berita/12-slug"], ["/index.php/agenda"]),
        ("http://h/berita.html", ["/berita.html", "/berita/12-slug.html", "/berita/page/2"],
         ["/profil.html"]),
        ("http://h/category/berita/page/3/", ["/category/berita/", "/category/berita/page/2/"],
         ["/category/pengumuman/"]),
        ("http://h/", ["/anything"], []),
    ],
)  # fmt: skip
def test_the_section_is_the_path_the_start_url_names(
    start: str, inside: list[str], outside: list[str]
) -> None:
    section = Section.of(start)
    assert all(section.contains("http://h" + p) for p in inside), section
    assert not any(section.contains("http://h" + p) for p in outside), section


@pytest.mark.parametrize(
    ("url", "trap"),
    [
        ("http://h/berita/tag/kearsipan", "tag"),
        ("http://h/berita?sort=terpopuler", "sort"),
        ("http://h/berita?page=2&orderby=title", "sort"),
        ("http://h/cari?q=arsip", "search"),
        ("http://h/berita/search?keyword=x", "search"),
        ("http://h/agenda?month=2024-05", "calendar"),
        ("http://h/berita/galeri/foto-1", "gallery"),
        ("http://h/unduhan/perda-1.html", "documents"),
        ("http://h/berita/cetak/123", "print_view"),
        ("http://h/2024/05/", "date_archive"),
        ("http://h/berita/slug?replytocom=5", "print_view"),
        ("http://h/id/berita?kategori=kearsipan", "category"),
        ("http://h/berita?page=2", None),
        ("http://h/berita?start=10", None),
        ("http://h/2024/05/12/bupati-buka-rapat/", None),
        ("http://h/index.php?option=com_content&view=article&id=5", None),
        ("http://h/search?updated-max=2023-12-20T08:00:00%2B07:00&max-results=7", None),
        ("http://h/search?updated-max=2023-12-20T08:00:00%2B07:00&q=arsip", "search"),
        ("http://h/search", "search"),
        ("http://h/search?x=", "search"),  # a blank parameter is no blog pager
        ("http://h/search/label/Berita", "search"),
    ],
)
def test_urls_that_lead_into_traps(url: str, trap: str | None) -> None:
    assert url_trap(url) == trap


def test_a_section_the_user_named_is_not_a_trap_to_itself() -> None:
    assert url_trap("http://h/agenda/kegiatan-1", within="/agenda") is None
    assert url_trap("http://h/agenda/tag/x", within="/agenda") == "tag"
