"""Profile inference (crawler.profiles.infer) on URLs and small pages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
import pytest

from crawler.extract.extractor import shown_zone
from crawler.profiles.infer import (
    css_for,
    generalise,
    listing_patterns,
    pinned_selectors,
    profile_name,
    time_zone,
)


@pytest.mark.parametrize(
    ("urls", "patterns"),
    [
        (
            ["http://h/publikasi/berita/rapat-a", "http://h/publikasi/berita/pelatihan-b"],
            [r"^/publikasi/berita/[^/?#&]+$"],
        ),
        (
            ["http://h/berita/2024/05/judul-a/", "http://h/berita/2023/11/judul-b/"],
            [r"^/berita/\d+/\d+/[^/?#&]+/$"],
        ),
        (
            ["http://h/index.php/berita/12-rapat", "http://h/index.php/berita/7-pelatihan"],
            [r"^/index\.php/berita/[^/?#&]+$"],
        ),
        (
            ["http://h/index.php?option=com_content&view=article&id=12",
             "http://h/index.php?option=com_content&view=article&id=7"],
            [r"^/index\.php\?option=com_content\&view=article\&id=\d+$"],
        ),
    ],
)  # fmt: skip
def test_urls_are_generalised_token_by_token(urls: list[str], patterns: list[str]) -> None:
    assert generalise(urls) == patterns
    targets = [
        urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else "") for u in urls
    ]
    assert all(any(re.search(p, t) for p in patterns) for t in targets)


def test_the_listing_pattern_is_the_start_url_and_its_pagination() -> None:
    pages = ["http://h/berita?page=2", "http://h/berita?page=3", "http://h/berita?page=12"]
    assert listing_patterns("http://h/berita/", pages) == [r"^/berita/?$", r"^/berita\?page=\d+$"]


def test_the_time_zone_is_what_most_articles_show() -> None:
    assert time_zone([("+08:00", "page"), ("+08:00", "page"), ("+07:00", "body")]) == (
        "WITA",
        "the pages write WITA beside their other times (2 of 3 articles)",
    )
    assert time_zone([("+09:00", "site-name")])[0] == "WIT"
    # The country rule is no evidence of the site's own clock.
    assert time_zone([("+07:00", "country"), (None, None)]) == (
        "WIB",
        "no zone or province written: WIB, the zone of most institutions",
    )


def test_an_article_shows_its_sites_clock_in_its_frame_before_its_text() -> None:
    def article(frame: str, text: str, site: str = "Dinas Kearsipan") -> bytes:
        return (
            f"<html lang='id'><head><title>Judul Berita | {site}</title></head><body>"
            f"<div class='top'>{frame}</div><article><h1>Judul Berita</h1>"
            f"<p>Kamis, 3 Maret 2022 10:15</p><div class='isi'>"
            f"<p>Kegiatan ini dilaksanakan di Jayapura mulai pukul {text} dan diikuti oleh "
            "seluruh arsiparis dari instansi pemerintah daerah di wilayah itu.</p>"
            "<p>Dalam sambutannya, kepala dinas menyampaikan bahwa kegiatan ini merupakan "
            "bagian dari upaya menyelamatkan arsip sebagai bukti pertanggungjawaban.</p>"
            "</div></article></body></html>"
        ).encode()

    url = "https://arsip.example.go.id/berita/judul"
    assert shown_zone(article("Layanan 08.00 - 16.00 WITA", "09.00 WIT, 10.00 WIT"), url) == (
        "+08:00",
        "page",
    )
    sulawesi = "Pemerintah Provinsi Sulawesi Tenggara"
    assert shown_zone(article("", "09.00 WIT", sulawesi), url) == ("+08:00", "site-name")
    assert shown_zone(article("", "09.00 WIT"), url) == ("+09:00", "body")
    assert shown_zone(article("", "09.00"), url) == ("+07:00", "country")


def test_profile_names_are_safe_file_and_collection_names() -> None:
    assert profile_name("https://www.dinas.example.go.id/berita") == "dinas.example.go.id"
    assert profile_name("http://127.0.0.1:8000/berita") == "127.0.0.1-8000"


ARTICLE = """<html><head><title>{title} | Pemkab</title></head><body>
<header><h1 class="site">Pemerintah Kabupaten</h1></header>
<div class="detail"><h3 class="judul">{title}</h3>
<ul class="meta"><li>12/09/2023 14:47 WIT</li><li>Pewarta: {author}</li><li>Dibaca 12 kali</li></ul>
<div class="isi"><p>{p}</p><p>{p}</p><p>{p}</p></div></div>
<footer><p>Pengunjung hari ini: 837</p></footer></body></html>"""

PARA = "Pemerintah kabupaten melaksanakan pembinaan kearsipan bagi perangkat daerah setempat."


def test_selectors_find_the_same_elements_on_every_sampled_article() -> None:
    roots = [
        lxml.html.document_fromstring(
            ARTICLE.format(title=f"Judul berita nomor {n} hari ini", author=f"Penulis {n}", p=PARA)
        )
        for n in range(3)
    ]
    selectors, notes = pinned_selectors(roots)
    assert selectors["title"] == "h3.judul"  # not the site name in the header's h1
    assert selectors["body"] == "div.isi"
    assert selectors["container"] == "div.detail"
    assert selectors["date"] == "ul.meta > li:nth-of-type(1)"
    assert selectors["views"] == "ul.meta > li:nth-of-type(3)"
    assert notes["title"] == "found on 3 of 3 sampled articles"
    root = roots[0]
    para = next(el for el in root.iter("div") if el.get("class") == "isi")[1]
    assert css_for(para, root) == "div.isi > p:nth-of-type(2)"
