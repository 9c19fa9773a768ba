"""Fields read from what a reader sees: labels in every layout, never from furniture."""

from __future__ import annotations

import json

import pytest

from crawler.extract import extract
from crawler.extract.numbers import parse_count
from crawler.profiles import site_for

URL = "https://berita.example.id/publikasi/berita/rapat-koordinasi"
TITLE = "Rapat Koordinasi Pengelolaan Arsip Daerah 2021"
TEXT = (
    "<p>Surabaya – 9/12/2021, Arsip Nasional Republik Indonesia menggelar rapat koordinasi "
    "pengelolaan arsip daerah bersama pemerintah provinsi dan kabupaten di seluruh Jawa Timur "
    "untuk menyelaraskan program kerja tahun depan.</p>"
    "<p>Rapat membahas penyusunan jadwal retensi arsip, digitalisasi arsip statis, serta "
    "peningkatan kapasitas arsiparis di lingkungan pemerintah daerah agar layanan publik "
    "semakin baik dan mudah diakses masyarakat.</p>"
    "<p>Para peserta sepakat memperkuat kerja sama antarlembaga dan melaporkan kemajuan "
    "program secara berkala kepada Arsip Nasional Republik Indonesia setiap triwulan.</p>"
)
SIDEBAR = (
    '<aside class="sidebar"><div class="widget"><h3>Berita Terbaru</h3><ul>'
    '<li><a href="/b/1">Berita lain</a><span class="date">14 Des 2021</span>'
    "<span>Dilihat 5.713 kali</span><span>Penulis: Orang Lain</span></li>"
    '<li><a href="/b/2">Berita lain lagi</a><img src="/side.jpg"></li></ul></div></aside>'
)


def page(
    article: str, *, head: str = "", lang: str = ' lang="id"', sidebar: str = SIDEBAR
) -> bytes:
    """An article page with a header, a sidebar and a footer full of traps."""
    return f"""<!DOCTYPE html>
<html{lang}><head><meta charset="utf-8"><title>{TITLE} | Situs Berita</title>{head}</head>
<body>
<header class="header"><a href="/"><img src="/logo.png" alt="Logo"></a>
<div class="jam-layanan">08.00 WIB - 15.00 WIB</div>
<nav><a href="/">Beranda</a> <a href="/berita">Berita</a></nav></header>
<main><article class="post">{article}</article>{sidebar}</main>
<footer class="footer"><img src="/logo-footer.png"><p>Telp. (021) 7805851</p>
<p>Jam Layanan: Senin - Jumat, 08.00 WIB - 15.00 WIB</p><a href="/files/sop.pdf">SOP</a>
<p>Penulis: Admin Situs</p></footer>
</body></html>""".encode()


def article_with(credits: str, *, date_line: str = "Kamis, 9 Desember 2021") -> str:
    return (
        f'<h1>{TITLE}</h1><div class="meta">{date_line}</div><div class="isi">{TEXT}</div>{credits}'
    )


@pytest.mark.parametrize(
    "credits",
    [
        "<p>Penulis: Budi Santoso</p><p>Editor: Ani Wijaya</p>",
        "<p>Penulis : Budi Santoso<br>Editor : Ani Wijaya</p>",
        "<table><tr><td>Penulis</td><td>: Budi Santoso</td></tr>"
        "<tr><td>Editor</td><td>: Ani Wijaya</td></tr></table>",
        "<ul><li>Reporter: Budi Santoso</li><li>Redaktur: Ani Wijaya</li></ul>",
        '<div class="info">Oleh Budi Santoso | Editor: Ani Wijaya</div>',
        "<dl><dt>Pewarta</dt><dd>Budi Santoso</dd><dt>Editor</dt><dd>Ani Wijaya</dd></dl>",
        "<ul><li>Author</li><li>Budi Santoso</li><li>Editor</li><li>Ani Wijaya</li></ul>",
        '<div><span class="label">Kontributor:</span> <span>Budi Santoso</span></div>'
        "<p>(Red: Ani Wijaya)</p>",
    ],
    ids=["p", "br", "table", "li", "pipes", "dt-dd", "label-then-value", "spans-red"],
)
def test_author_and_editor_labels_in_every_layout(credits: str) -> None:
    article = extract(page(article_with(credits)), URL)
    assert (article.author, article.editor) == ("Budi Santoso", "Ani Wijaya")
    assert article.body is not None
    assert "Budi" not in article.body and "Ani Wijaya" not in article.body


def test_initials_are_kept_as_the_name() -> None:
    article = extract(page(article_with("<p>Pewarta: TR</p><p>Editor: AW</p>")), URL)
    assert (article.author, article.editor) == ("TR", "AW")


def test_a_sentence_starting_with_oleh_is_not_a_byline() -> None:
    text = "<p>Oleh karena itu, rapat ditunda hingga tahun depan.</p>"
    article = extract(page(article_with(text)), URL)
    assert article.author is None


@pytest.mark.parametrize(
    ("shown", "views"),
    [
        ("Views: 12.345", 12345),
        ("Dibaca 2,5 rb kali", 2500),
        ("1,2 jt views", 1_200_000),
        ("Dilihat 12 kali", 12),
        ('<i class="fa fa-eye"></i> 3.456', 3456),
        ("Kamis, 9 Desember 2021 | 1.229 Views", 1229),
    ],
)
def test_views_as_written(shown: str, views: int) -> None:
    article = extract(page(article_with(f'<div class="counter">{shown}</div>')), URL)
    assert article.views == views


def test_counts_in_prose_are_not_views() -> None:
    text = "<p>Surat itu dibaca 3 kali oleh para peserta rapat sebelum ditandatangani bersama.</p>"
    assert extract(page(article_with(text)), URL).views is None


@pytest.mark.parametrize(
    ("text", "count"),
    [("2.899", 2899), ("12.345", 12345), ("53,203", 53203), ("2,5 rb", 2500),
     ("1,2 jt", 1_200_000), ("1.2K", 1200), ("998", 998), ("2,5", None), ("-", None)],
)  # fmt: skip
def test_parse_count(text: str, count: int | None) -> None:
    assert parse_count(text) == count


def test_nothing_is_taken_from_header_sidebar_or_footer() -> None:
    article = extract(page(f"<h1>{TITLE}</h1><div>{TEXT}</div>"), URL)
    assert (article.author, article.editor, article.views) == (None, None, None)
    # The only date the article shows is its dateline (not the sidebar's 14 Des 2021).
    assert article.published == "2021-12-09"
    assert article.debug["published_source"] == "dateline"
    assert article.images == []
    assert article.attachments == []
    assert article.event_times == []


def test_body_is_the_article_text_only() -> None:
    extra = (
        '<div class="share">Bagikan <a href="#">Facebook</a></div>'
        '<div class="baca-juga">Baca juga: <a href="/x">Berita lain</a></div>'
        "<p>&nbsp;</p><p>Baris  satu<br>baris   dua</p><p>(BS)</p>"
        "<p>Penulis: Budi Santoso</p><p>Views: 10</p>"
    )
    article = extract(page(f"<h1>{TITLE}</h1><div>{TEXT}{extra}</div>"), URL)
    assert article.body is not None
    paragraphs = article.body.split("\n\n")
    assert paragraphs[-2:] == ["Baris satu baris dua", "(BS)"]
    assert len(paragraphs) == 5
    assert article.place == "Surabaya"


def test_images_and_attachments_are_the_articles_own() -> None:
    article_html = (
        f'<h1>{TITLE}</h1><figure><img src="/img/utama.jpg"></figure><div>{TEXT}'
        '<p><img data-src="https://cdn.example.id/lazy.png"> <img src="/img/utama.jpg">'
        '<img src="/pixel.gif" width="1" height="1"></p>'
        '<p>Unduh <a href="/files/Laporan%202021.PDF">laporan</a>, '
        '<a href="docs/data.xlsx?v=2">data</a> dan <a href="/halaman">halaman</a>; '
        '<a href="/files/Laporan%202021.PDF">lagi</a>.</p></div>'
    )
    article = extract(page(article_html), URL)
    assert article.images == [
        "https://berita.example.id/img/utama.jpg",
        "https://cdn.example.id/lazy.png",
    ]
    assert article.attachments == [
        "https://berita.example.id/files/Laporan%202021.PDF",
        "https://berita.example.id/publikasi/berita/docs/data.xlsx?v=2",
    ]


def test_base_href_decides_relative_links() -> None:
    html = page(f'<h1>{TITLE}</h1><img src="a.jpg"><div>{TEXT}</div>',
                head='<base href="https://static.example.id/media/">')  # fmt: skip
    assert extract(html, URL).images == ["https://static.example.id/media/a.jpg"]


def test_visible_date_wins_over_a_false_z_in_meta() -> None:
    head = '<meta name="pubdate" content="2015-11-05 T10:08:58Z">'
    html = page(article_with("", date_line="Kamis, 05/11/2015 10:08 WIB"), head=head)
    article = extract(html, URL, site=site_for("anri"))
    assert article.published == "2015-11-05T10:08:00+07:00"
    assert article.debug["published_source"] == "visible"
    assert article.debug["published_disagrees"] == ["meta"]


def test_jsonld_in_true_utc_agrees_with_the_visible_wib_time() -> None:
    ld = {"@type": "NewsArticle", "datePublished": "2016-02-16T02:10:56Z"}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    html = page(article_with("", date_line="on 16 Feb 2016 at 09:10 WIB"), head=head)
    article = extract(html, URL)
    assert article.published == "2016-02-16T09:10:00+07:00"
    assert "published_disagrees" not in article.debug


def test_jsonld_date_and_author_when_the_page_shows_none() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Situs"},
            {"@type": "NewsArticle", "datePublished": "2017-02-17 13:30:08",
             "author": [{"@type": "Organization", "name": "Situs"},
                        {"@type": "Person", "name": "Vania Ika Aldida"}]},
        ],
    }  # fmt: skip
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    article = extract(page(f"<h1>{TITLE}</h1><div>{TEXT}</div>", head=head), URL)
    assert article.published == "2017-02-17T13:30:08"
    assert article.debug["published_source"] == "jsonld"
    assert article.author == "Vania Ika Aldida"


def test_visible_date_only_stays_a_date_and_meta_on_that_day_agrees() -> None:
    head = '<meta property="article:published_time" content="2021-12-09T08:15:00+07:00">'
    article = extract(page(article_with(""), head=head), URL)
    assert article.published == "2021-12-09"
    assert "published_disagrees" not in article.debug


def test_time_element_text_is_the_visible_date() -> None:
    line = '<time datetime="2015-11-05T14:56:43+07:00">Kamis, 5 November 2015 14:56 WIB</time>'
    article = extract(page(article_with("", date_line=line)), URL)
    assert article.published == "2015-11-05T14:56:00+07:00"


def test_profile_zone_applies_to_a_visible_time_without_zone() -> None:
    html = page(article_with("", date_line="Kamis, 9 Desember 2021 14:05"))
    assert extract(html, URL, site=site_for("anri")).published == "2021-12-09T14:05:00+07:00"
    assert extract(html, URL, site=site_for("generic")).published == "2021-12-09T14:05:00"


def test_headline_is_the_heading_that_matches_the_page_title_not_the_section_name() -> None:
    head = f'<meta property="og:title" content="{TITLE} - Situs Berita Regional">'
    html = page(f"<h1>Regional</h1><h2>{TITLE}</h2><div>{TEXT}</div>", head=head)
    assert extract(html, URL).title == TITLE


def test_title_falls_back_to_the_claimed_title_without_the_site_suffix() -> None:
    html = page(f"<h1>Regional</h1><div>{TEXT}</div>")
    assert extract(html, URL).title == TITLE


def test_closing_upper_case_signature_is_the_author_but_an_agency_is_not() -> None:
    signed = page(f"<h1>{TITLE}</h1><div>{TEXT}<p>Kata dia.<br><br>DINI TEJA</p></div>")
    agency = page(f"<h1>{TITLE}</h1><div>{TEXT}<p>ANTARA</p></div>")
    assert extract(signed, URL).author == "DINI TEJA"
    assert extract(agency, URL).author is None


@pytest.mark.parametrize(
    ("lang", "profile", "language"),
    [(' lang="id-ID"', "generic", "id"), (' lang="en"', "generic", "en"),
     ("", "anri", "id"), ("", "generic", None)],
)  # fmt: skip
def test_language_primary_subtag(lang: str, profile: str, language: str | None) -> None:
    html = page(f"<h1>{TITLE}</h1><div>{TEXT}</div>", lang=lang)
    assert extract(html, URL, site=site_for(profile)).language == language


def test_pinned_selectors_that_find_nothing_fall_back_and_say_so() -> None:
    html = page(article_with("<p>Penulis: Budi Santoso</p><p>Views: 5</p>"))
    anri = "https://anri.go.id/publikasi/berita/rapat-koordinasi"
    article = extract(html, anri, site=site_for(None, anri))
    assert sorted(article.debug["fallback"]) == [
        "author", "body", "container", "editor", "published", "title", "views",
    ]  # fmt: skip
    assert (article.title, article.author, article.views) == (TITLE, "Budi Santoso", 5)
    assert article.published == "2021-12-09"
    assert article.site == "anri"


def test_page_without_text_gives_empty_fields_not_errors() -> None:
    article = extract(b"<html><body></body></html>", URL)
    assert article.as_dict() == {
        "id": article.id, "url": URL, "site": "berita.example.id", "title": None,
        "published": None, "author": None, "editor": None, "views": None, "event_times": [],
        "place": None, "body": None, "images": [], "attachments": [], "language": None,
    }  # fmt: skip


def test_control_characters_never_reach_the_fields() -> None:
    article = extract(b"\x00\x01\x02binary", URL)
    assert (article.title, article.body) == (None, "binary")
