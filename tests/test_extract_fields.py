"""Fields read from what a reader sees: labels in every layout, never from furniture."""

from __future__ import annotations

import json

import pytest

from crawler.extract import extract
from crawler.extract.numbers import parse_count
from crawler.extract.site import Site
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
        ("\U0001f441\ufe0f 1.234", 1234),
        ('<i class="fas fa-eye"></i><span>1,2K</span>', 1200),
        ('<i class="fa fa-eye"></i> <b>87</b>', 87),
    ],
)
def test_views_as_written(shown: str, views: int) -> None:
    article = extract(page(article_with(f'<div class="counter">{shown}</div>')), URL)
    assert article.views == views


def test_a_pinned_views_element_holding_the_date_and_byline_gives_the_labelled_count() -> None:
    info = (
        '<div class="info">Diposting oleh <b>AS</b> &bull; Minggu, 24 Desember 2023 - 13:48 WIT'
        " &bull; Dibaca 1620 kali</div>"
    )
    html = page(f'<h1>{TITLE}</h1>{info}<div class="isi">{TEXT}</div>')
    article = extract(html, URL, site=Site(selectors={"views": "div.info"}))
    assert article.views == 1620
    assert "views" not in article.debug.get("fallback", [])


@pytest.mark.parametrize(
    "credits",
    [
        # Drupal's "Submitted by X on date", in Indonesian
        '<div class="node__submitted">Dikirim oleh <span>Budi Santoso</span> pada '
        "<span>Sen, 18/12/2023 - 10:15</span></div>",
        # Blogger's post footer: "Posted by X at time"
        "<div class='post-footer'><span class='post-author vcard'>Diposting oleh <span "
        "class='fn'>Budi Santoso</span></span> <span class='post-timestamp'>di <a "
        "href='/2021/12/x.html'>08.30</a></span></div>",
    ],
    ids=["drupal-dikirim-oleh-pada", "blogger-diposting-oleh-di"],
)
def test_a_byline_ends_where_its_date_or_time_begins(credits: str) -> None:
    article = extract(page(article_with(credits)), URL)
    assert article.author == "Budi Santoso"


def test_a_container_whose_class_names_a_view_mode_is_no_view_counter() -> None:
    # Drupal's article element (class "node--view-mode-full") and Views rows hold the text.
    html = page(
        f'<div class="node node--view-mode-full"><h1>{TITLE}</h1><div class="meta">Sen, '
        f'18/12/2023 - 10:15</div><div class="views-row">{TEXT}</div></div>'
    )
    assert extract(html, URL).views is None


def test_a_hatom_published_abbr_gives_the_date_and_time() -> None:
    # Blogger and older themes: the moment is in the <abbr>'s title, the text is a clock only.
    stamp = "<abbr class='published' title='2021-12-09T08:30:00+07:00'>08.30</abbr>"
    html = page(f"<h1>{TITLE}</h1><div class='isi'>{TEXT}</div><div class='foot'>{stamp}</div>")
    assert extract(html, URL).published == "2021-12-09T08:30:00+07:00"


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
    # A naive time; the page writes WIB next to its other times (its header).
    assert article.published == "2017-02-17T13:30:08+07:00"
    assert article.debug["published_source"] == "jsonld"
    assert article.debug["published_zone_source"] == "page"
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
    anri = extract(html, URL, site=site_for("anri"))
    assert anri.published == "2021-12-09T14:05:00+07:00"
    assert anri.debug["published_zone_source"] == "profile"
    generic = extract(html, URL, site=site_for("generic"))
    assert generic.published == "2021-12-09T14:05:00+07:00"  # the header's "08.00 WIB"
    assert generic.debug["published_zone_source"] == "page"
    unzoned = html.replace(b" WIB", b"")
    assert extract(unzoned, URL, site=site_for("generic")).debug["published_zone_source"] == (
        "country"
    )
    foreign = extract(unzoned, "https://news.example.com/a", site=site_for("generic"))
    assert foreign.published == "2021-12-09T14:05:00"  # nothing says the zone
    assert foreign.debug["published_zone_source"] is None


def test_headline_is_the_heading_that_matches_the_page_title_not_the_section_name() -> None:
    head = f'<meta property="og:title" content="{TITLE} - Situs Berita Regional">'
    html = page(f"<h1>Regional</h1><h2>{TITLE}</h2><div>{TEXT}</div>", head=head)
    assert extract(html, URL).title == TITLE


def test_a_title_shown_outside_a_heading_keeps_the_punctuation_the_title_tag_drops() -> None:
    shown = "Apa Itu Arsip Statis? Ini Penjelasan Lengkapnya: Dari Definisi hingga Contoh"
    claimed = shown.replace("?", "").replace(":", "") + " - Situs"
    html = (
        f"<html lang='id'><head><title>{claimed}</title></head><body><main><p><strong>{shown}"
        f"</strong></p><p><small>9 Desember 2021</small></p><div>{TEXT}</div></main></body></html>"
    ).encode()
    article = extract(html, URL)
    assert article.title == shown
    assert article.body is not None and shown not in article.body


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


# --------------------------------------------------------------------------
# Issue 14 classes (real-page misses) and issue 13 item 4 (label vocabulary)
# --------------------------------------------------------------------------

DATE_LINE = "Kamis, 3 Maret 2022 10:15"
COM_URL = "https://berita.example.com/2022/03/03/rapat-koordinasi"


def zone_page(head: str = "", date_line: str = DATE_LINE, credits: str = "") -> bytes:
    """An article on a .com host whose page writes no zone anywhere."""
    return page(article_with(credits, date_line=date_line), head=head).replace(b" WIB", b"")


@pytest.mark.parametrize(
    ("head", "published", "source"),
    [
        (
            '<meta property="article:published_time" content="2022-03-03T10:15:00+08:00">',
            "2022-03-03T10:15:00+08:00",
            "meta",
        ),
        (
            '<meta property="article:published_time" content="2022-03-03T01:15:00Z">',
            "2022-03-03T10:15:00+09:00",
            "meta",
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2022-03-03T10:15:00+07:00"}</script>',
            "2022-03-03T10:15:00+07:00",
            "jsonld",
        ),
        ('<meta name="timestamp" content="1646277300">', "2022-03-03T10:15:00+07:00", "meta"),
        (
            '<meta property="article:published_time" content="2022-03-03T10:15:00-07:00">',
            "2022-03-03T10:15:00+07:00",
            "meta",
        ),
        (
            '<meta property="article:published_time" content="2022-03-03T10:15:00Z">',
            "2022-03-03T10:15:00",
            None,
        ),
    ],
    ids=["meta-offset", "meta-utc-instant", "jsonld", "unix-time", "flipped-sign", "false-z"],
)
def test_a_time_without_zone_takes_it_from_the_pages_own_metadata(
    head: str, published: str, source: str | None
) -> None:
    article = extract(zone_page(head), COM_URL, site=site_for("generic"))
    assert article.published == published
    assert article.debug["published_source"] == "visible"
    assert article.debug["published_zone_source"] == source


def test_relative_date_counts_from_the_capture_time_in_the_sites_zone() -> None:
    html = page(article_with("", date_line="Diposting 2 jam yang lalu"))
    article = extract(html, URL, captured="2021-12-09T03:15:00Z")
    assert article.published == "2021-12-09T08:15:00+07:00"  # 01:15 UTC, on a WIB site
    assert article.debug["published_source"] == "relative"
    foreign = extract(html.replace(b" WIB", b""), COM_URL, captured="2021-12-09T03:15:00Z")
    assert foreign.published == "2021-12-09T01:15:00+00:00"  # the capture's own zone
    assert extract(html, URL, captured="2021-12-09T03:15:00Z").published == article.published
    # No capture time: nothing to count from; the body's dateline ("9/12/2021") is the date.
    assert extract(html, URL).debug["published_source"] == "dateline"


@pytest.mark.parametrize(
    ("credits", "author", "editor"),
    [
        ("<p>Budi Santoso - Kanal Regional</p>", None, None),
        ('<p class="author">Budi Santoso - Kanal Regional</p>', "Budi Santoso", None),
        ("<p>Penulis: Budi Santoso / ABS</p><p>Editor: Ani Wijaya</p>", "Budi Santoso",
         "Ani Wijaya"),
        ("<p>Penulis: ANTARA</p><p>Editor: Ani Wijaya</p>", None, "Ani Wijaya"),
        ("<p>Oleh Redaksi</p>", None, None),
        ("<p>Penulis: Tim Humas</p>", None, None),
        ("<p>Penulis: Tim Cook</p>", "Tim Cook", None),
        ("<p>Penulis: Admin</p>", None, None),
        ("<p>Oleh Situs.com</p>", None, None),
        ("<p>Ditulis oleh Budi Santoso</p>", "Budi Santoso", None),
        ("<p>Diposting oleh Budi Santoso</p>", "Budi Santoso", None),
        ("<p>Posted by Budi Santoso</p>", "Budi Santoso", None),
        ("<p>Penyunting: Ani Wijaya</p>", None, "Ani Wijaya"),
        ('<div class="article-credits"><span>Budi Santoso</span><span>Penulis</span>'
         "<br><span>Ani Wijaya</span><span>Editor</span></div>", "Budi Santoso", "Ani Wijaya"),
        ("<div><div>Budi Santoso</div><div>Penulis</div><div>Ani Wijaya</div>"
         "<div>Editor</div><div>Lihat Foto</div></div>", "Budi Santoso", "Ani Wijaya"),
        ("<p>KOTA | 3 Maret 2022 10:15 Reporter : Budi Santoso</p>", "Budi Santoso", None),
        ("<p>Rep: Budi Santoso/ Red: Ani Wijaya</p>", "Budi Santoso", "Ani Wijaya"),
        ("<p><strong>Laporan Wartawan Berita.com, Budi Santoso</strong></p>", "Budi Santoso",
         None),
        ('<p class="author">Budi Santoso, Berita.com</p>', "Budi Santoso", None),
        ('<p class="author">Budi Santoso, Jurnalis</p>', "Budi Santoso", None),
        ('<p class="author">Budi Santoso, S.Sos.</p>', "Budi Santoso, S.Sos.", None),
        ("<p>Rep sepak bola itu menang 3-1.</p>", None, None),
    ],
    ids=["dash-no-label", "desk-after-dash", "initials-after-slash", "agency", "redaksi",
         "tim-humas", "tim-a-name",
         "admin", "outlet-domain", "ditulis-oleh", "diposting-oleh", "posted-by", "penyunting",
         "glued-roles", "name-above-label", "label-after-date", "rep-slash-red",
         "laporan-wartawan-outlet-comma-name", "outlet-after-comma", "role-after-comma",
         "title-after-comma-stays", "rep-without-colon-is-a-word"],
)  # fmt: skip
def test_bylines_name_people_not_desks_outlets_or_agencies(
    credits: str, author: str | None, editor: str | None
) -> None:
    article = extract(page(article_with(credits)), URL)
    assert (article.author, article.editor) == (author, editor)


def test_byline_date_and_time_on_one_line_below_the_headline() -> None:
    html = page(article_with("", date_line="Budi Santoso | Kamis, 3 Maret 2022 | 10:15 WIB"))
    article = extract(html, URL)
    assert (article.author, article.published) == ("Budi Santoso", "2022-03-03T10:15:00+07:00")


def ld(author: dict[str, str]) -> str:
    obj = {"@type": "NewsArticle", "author": author}
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_jsonld_author_naming_the_editor_or_the_outlet_is_not_the_author() -> None:
    editor_as_author = ld({"@type": "Person", "name": "Ani Wijaya"})
    article = extract(page(article_with("<p>Editor: Ani Wijaya</p>"), head=editor_as_author), URL)
    assert (article.author, article.editor) == (None, "Ani Wijaya")
    outlet = ld({"@type": "Person", "name": "Situs Berita"})
    head = outlet + '<meta property="og:site_name" content="Situs Berita">'
    assert extract(page(article_with(""), head=head), URL).author is None
    byline = article_with("<p>Penulis: Budi Santoso</p>")
    visible = extract(page(byline, head=editor_as_author), URL)
    assert visible.author == "Budi Santoso"  # the visible byline wins
    person = ld({"@type": "Person", "name": "Budi Santoso"})
    alone = extract(page(article_with(""), head=person), URL)
    assert alone.author == "Budi Santoso"  # no visible byline: the metadata person


def test_visible_headline_wins_over_title_and_og_title() -> None:
    head = f'<meta property="og:title" content="Foto : {TITLE} | Situs Berita">'
    assert extract(page(article_with(""), head=head), URL).title == TITLE
    listed = (
        f'<div class="whats-new"><h3>{TITLE}</h3><span>3 Maret 2022, 09:00 WIB</span></div>'
        + article_with("", date_line="Kamis, 3 Maret 2022 10:15 WIB")
    )
    article = extract(page(listed), URL)
    assert (article.title, article.published) == (TITLE, "2022-03-03T10:15:00+07:00")


def test_headline_with_a_date_and_update_lines_are_not_the_publication_date() -> None:
    title = "Update 23 Januari 2021: Kasus Baru di Daerah"
    body = (
        f"<h1>{title}</h1><p>Oleh Budi Santoso pada 23 Jan 2021, 13:30 WIB</p>"
        f"<p>Diperbarui 24 Jan 2021, 08:00 WIB</p><div class='isi'>{TEXT}</div>"
    )
    head = f'<meta property="og:title" content="{title}">'
    article = extract(page(body, head=head), URL)
    assert (article.title, article.published) == (title, "2021-01-23T13:30:00+07:00")


def test_a_date_only_lead_gives_way_to_the_date_block_with_its_time() -> None:
    body = (
        f"<h1>{TITLE}</h1><p class='lead'>Rapat digelar Senin (4/5/2020).</p>"
        f"<div class='date'>Senin, 4 Mei 2020 04:25 WIB</div><div class='isi'>{TEXT}</div>"
    )
    assert extract(page(body), URL).published == "2020-05-04T04:25:00+07:00"


def test_site_hit_counters_are_not_the_articles_views() -> None:
    footer = "<div class='statistik'><p>Pengunjung hari ini: 120</p><p>Total Hits: 5.000</p></div>"
    assert extract(page(article_with(footer)), URL).views is None
    counted = extract(page(article_with("<p>Dibaca 250 kali</p>" + footer)), URL)
    assert counted.views == 250


@pytest.mark.parametrize(
    "label", ["Diterbitkan", "Dipublikasikan", "Diposting", "Tanggal", "Published"]
)
def test_date_labels_of_institution_sites(label: str) -> None:
    html = page(article_with("", date_line=f"{label}: Kamis, 3 Maret 2022 10:15 WIB"))
    assert extract(html, URL).published == "2022-03-03T10:15:00+07:00"


def test_headline_keeps_the_punctuation_its_title_tag_drops() -> None:
    title = "Apa Kabar Arsip Daerah: Siapkah Kita?"
    head = '<meta property="og:title" content="Apa Kabar Arsip Daerah Siapkah Kita - Situs Berita">'
    assert extract(
        page(f"<h1>{title}</h1><div class='isi'>{TEXT}</div>", head=head), URL
    ).title == (title)


def test_a_tag_or_person_heading_is_not_the_headline() -> None:
    head = f'<meta property="og:title" content="{TITLE} | Situs Berita">'
    html = page(
        f"<h1>Tag: Arsip Nasional</h1><h2>{TITLE}</h2><div class='isi'>{TEXT}</div>", head=head
    )
    assert extract(html, URL).title == TITLE


@pytest.mark.parametrize(
    "credits",
    ["<p>Sumber: Antara</p>", "<p>Sumber: The Telegraph</p>", "<p>Sumber: Liputan6.com</p>"],
)
def test_sumber_credits_a_source_not_the_author(credits: str) -> None:
    # "Sumber" names where a story came from (an outlet, an agency, an office):
    # reading it as a byline would make "The Telegraph" an author.
    article = extract(page(article_with(credits)), URL)
    assert (article.author, article.editor) == (None, None)


def test_event_times_without_zone_take_the_sites_zone() -> None:
    text = TEXT.replace("setiap triwulan.", "setiap triwulan, mulai pukul 10.00.")
    html = page(f"<h1>{TITLE}</h1><div class='isi'>{text}</div>")
    starts = [e.start for e in extract(html, URL, site=site_for("generic")).event_times]
    assert "2021-12-09T10:00:00+07:00" in starts  # the page writes WIB
    unzoned = html.replace(b" WIB", b"")
    foreign = [e.start for e in extract(unzoned, COM_URL, site=site_for("generic")).event_times]
    assert "2021-12-09T10:00:00" in foreign  # nothing says the zone: naive


def test_when_the_title_names_only_the_site_the_heading_above_the_date_is_the_headline() -> None:
    headline = "Bupati Resmikan Jembatan Gantung di Desa Sukamaju"
    html = page(
        f"<h1>{headline}</h1><div class='tanggal'>Senin, 13 Desember 2021</div>"
        f"<div class='isi'>{TEXT}</div>"
    ).replace(f"<title>{TITLE} | Situs Berita</title>".encode(), b"<title>Situs Berita</title>")
    article = extract(html, URL)
    assert (article.title, article.published) == (headline, "2021-12-13")
    index = html.replace(headline.encode(), b"Tag: Jembatan Gantung di Desa Sukamaju")
    assert extract(index, URL).title == "Situs Berita"  # a tag heading is no headline
