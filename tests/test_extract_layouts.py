"""Credits, dates and views in the layouts Indonesian outlets and institution sites use.

Each page is written here, by the project (no copied page): one article frame
(site header and menu, the headline, a meta block, four paragraphs, a related-news
block, a footer) with the meta block in one of the forms these sites print: the
credit labels (``Pewarta: X; Editor: Y``, ``Rep: X/ Red: Y``, ``Jurnalis - X``,
``Redaktur & Reporter : X``, ``Penulis : X`` in a run of fields), a byline with
its outlet (``X - detikNews``, ``X - Bisnis.com``), the separators between date
and time (``,`` ``|`` ``-`` ``–`` ``/``), views (``Dibaca 2.345 kali``, ``3.210
Hits``, ``Dilihat: 77``), ``Posted on DATE by NAME``, tables and ``<dl>`` of
fields; and prose that only looks like a credit. The names are invented.
"""

from __future__ import annotations

import pytest

from crawler.extract import extract

TITLE = "Pemerintah Resmikan Gedung Arsip Daerah Baru di Kota Malang"
PARAS = [
    "Pemerintah Kota Malang meresmikan gedung arsip daerah yang baru pada Senin pagi. Gedung "
    "tiga lantai itu dibangun untuk menyimpan dokumen penting milik pemerintah daerah dan "
    "masyarakat.",
    "Wali Kota Malang mengatakan gedung tersebut dilengkapi ruang penyimpanan dengan suhu dan "
    "kelembapan yang terjaga. Menurutnya, arsip yang tersimpan dengan baik akan menjadi memori "
    "kolektif bangsa.",
    "Kepala Dinas Perpustakaan dan Kearsipan menambahkan bahwa proses pemindahan arsip dari "
    "gedung lama akan dilakukan secara bertahap selama tiga bulan ke depan dengan pendampingan "
    "petugas.",
    "Selain ruang penyimpanan, gedung itu juga memiliki ruang baca yang terbuka untuk umum. "
    "Pelajar dan peneliti dapat mengakses arsip statis setelah mendaftar secara daring melalui "
    "laman resmi dinas.",
]
#: Prose that holds a label, a count and "oleh" after a date: none of it is a credit.
TRAPS = [
    "Menurut penulis: buku panduan itu penting bagi generasi muda, kata Sutarno.",
    "Buku itu sudah dibaca 3 kali oleh tim juri.",
    "Pada 12 Juli 2021 acara itu dibuka oleh Wali Kota Malang.",
]
RELATED = (
    '<div class="related"><h3>Berita Terkait</h3><ul>'
    '<li><a href="/a/1">Arsip Nasional Gelar Pameran Foto Kemerdekaan di Jakarta</a></li>'
    '<li><a href="/a/2">Lomba Kearsipan Tingkat Provinsi Dibuka Hari Ini</a></li></ul></div>'
)
NAV = (
    '<nav><ul><li><a href="/">Beranda</a></li><li><a href="/berita">Berita</a></li>'
    '<li><a href="/nasional">Nasional</a></li><li><a href="/daerah">Daerah</a></li></ul></nav>'
)
FOOTER = (
    "<footer><p>Copyright © 2021 Redaksi. All rights reserved.</p>"
    '<a href="/tentang">Tentang Kami</a></footer>'
)
WIB, WITA, WIT = "+07:00", "+08:00", "+09:00"


def page(top: str, bottom: str = "", paragraphs: list[str] = PARAS) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>{TITLE} - '
        f'Portal</title></head><body><header><a href="/" class="logo">Portal Berita</a>{NAV}'
        f'</header><main><article><h1>{TITLE}</h1>{top}<div class="content">{body}</div>'
        f"{bottom}</article>{RELATED}</main>{FOOTER}</body></html>"
    ).encode()


def at(day: str, time: str | None = None, zone: str = WIB) -> str:
    return f"2021-07-{day}T{time}:00{zone}" if time else f"2021-07-{day}"


# (name, host, meta above the text, meta below it, expected fields)
LAYOUTS: list[tuple[str, str, str, str, dict[str, object]]] = [
    ("name - desk", "news.example.com",
     '<div class="detail__author">Andi Prasetyo - detikNews</div>'
     '<div class="detail__date">Senin, 12 Jul 2021 10:15 WIB</div>', "",
     {"published": at("12", "10:15"), "author": "Andi Prasetyo", "editor": None}),
    ("outlet - date, Penulis | Editor", "money.example.com",
     '<div class="read__time">Kompas.com - 12/07/2021, 10:15 WIB</div>'
     '<div class="read__credit">Penulis <a href="/p">Nur Aini Lestari</a> | Editor '
     '<a href="/e">Bambang Wicaksono</a></div>', "",
     {"published": at("12", "10:15"), "author": "Nur Aini Lestari",
      "editor": "Bambang Wicaksono"}),
    ("outlet | date", "www.cnnindonesia.com",
     '<div class="date">CNN Indonesia | Senin, 12 Jul 2021 10:15 WIB</div>', "",
     {"published": at("12", "10:15"), "author": None}),
    ("Pewarta / Editor lines", "www.example.com",
     '<span class="article-date">Senin, 12 Juli 2021 10:15 WIB</span>',
     '<p class="text-muted">Pewarta: Budi Santosa<br>Editor: Citra Kirana<br>'
     "COPYRIGHT © ANTARA 2021</p>",
     {"published": at("12", "10:15"), "author": "Budi Santosa", "editor": "Citra Kirana"}),
    ("Pewarta; Editor", "www.example.com",
     '<span class="article-date">Senin, 12 Juli 2021 10:15 WIB</span>',
     "<p>Pewarta: Budi Santosa; Editor: Citra Kirana</p>",
     {"published": at("12", "10:15"), "author": "Budi Santosa", "editor": "Citra Kirana"}),
    ("Penulis, Editor", "www.example.com",
     '<div class="date">13 Juli 2021</div>'
     '<div class="credit">Penulis: Rina Marlina, Editor: Joko Susilo</div>', "",
     {"published": at("13"), "author": "Rina Marlina", "editor": "Joko Susilo"}),
    ("Penulis Editor without a separator", "www.example.com",
     '<div class="date">13 Juli 2021</div>'
     '<div class="credit">Penulis: Rina Marlina Editor: Joko Susilo</div>', "",
     {"published": at("13"), "author": "Rina Marlina", "editor": "Joko Susilo"}),
    ("Reporter and Editor in classes", "www.example.com",
     '<p class="date">Senin, 12 Juli 2021 10:15 WIB</p><div class="reporter">Reporter: '
     '<a href="/r">Dewi Anggraini</a></div><div class="editor">Editor: <a href="/e">'
     "Amir Hakim</a></div>", "",
     {"published": at("12", "10:15"), "author": "Dewi Anggraini", "editor": "Amir Hakim"}),
    ("Rep / Red", "www.example.com",
     '<div class="date_detail"><p>Senin 12 Jul 2021 10:15 WIB</p></div>'
     '<div class="by">Rep: Fauzia Rahma/ Red: Agus Setiawan</div>', "",
     {"published": at("12", "10:15"), "author": "Fauzia Rahma", "editor": "Agus Setiawan"}),
    ("(ant/Red: X) at the end", "www.example.com",
     '<div class="date">13 Juli 2021</div>', "<p>(ant/Red: Joko Susilo)</p>",
     {"published": at("13"), "editor": "Joko Susilo"}),
    ("Jurnalis - X", "news.example.com",
     '<div class="namerep">Jurnalis - <a href="/j">Erfan Mahendra</a></div>'
     '<div class="namerep"><b>Senin 12 Juli 2021 10:15 WIB</b></div>', "",
     {"published": at("12", "10:15"), "author": "Erfan Mahendra"}),
    ("Jurnalis: X", "news.example.com",
     "<div>Jurnalis: Putri Ainun Safitri</div><div>Selasa, 13 Juli 2021 - 07:00 WIB</div>", "",
     {"published": at("13", "07:00"), "author": "Putri Ainun Safitri"}),
    ("Penulis | Editor, date - time", "www.example.com",
     '<div class="credit">Penulis: Reza Danuarta | Editor: Johan Simatupang</div>'
     "<time>Senin, 12 Juli 2021 - 10:15 WIB</time>", "",
     {"published": at("12", "10:15"), "author": "Reza Danuarta",
      "editor": "Johan Simatupang"}),
    ("date / time", "www.example.com",
     '<div class="fs14">Reporter: Yudi Wirawan | Editor: Novi Lestari</div>'
     '<div class="date">Senin, 12 Juli 2021 / 10:15 WIB</div>', "",
     {"published": at("12", "10:15"), "author": "Yudi Wirawan", "editor": "Novi Lestari"}),
    ("name - Outlet.com, date | time", "ekonomi.example.com",
     '<div class="author">Hadiah Alaydrus - Bisnis.com</div>'
     '<div class="date">12 Juli 2021 | 10:15 WIB</div>', "",
     {"published": at("12", "10:15"), "author": "Hadiah Alaydrus"}),
    ("Oleh : X, date – time", "www.example.com",
     '<div class="date">Senin, 12 Juli 2021 – 10:15 WIB</div>'
     '<div class="by">Oleh : Syaiful Anwar</div>', "",
     {"published": at("12", "10:15"), "author": "Syaiful Anwar"}),
    ("Redaktur & Reporter : X", "www.example.com",
     '<div class="date">Senin, 12 Juli 2021 – 10:15 WIB</div>',
     '<div class="credits">Redaktur & Reporter : Boyke Hutapea</div>',
     {"published": at("12", "10:15"), "author": "Boyke Hutapea", "editor": "Boyke Hutapea"}),
    ("Reporter : X | Editor : Y, time without zone", "www.example.com",
     '<div class="reporter">Reporter : Ronald Siregar | Editor : Endang Susanti</div>'
     '<span class="date">Senin, 12 Juli 2021 10:15</span>', "",
     # (no zone shown, none known for the site: the time stays without an offset)
     {"published": "2021-07-12T10:15:00", "author": "Ronald Siregar",
      "editor": "Endang Susanti"}),
    ("fields in one run, an office as author", "www.example.go.id",
     '<div class="meta">Dipublikasikan pada : Senin, 12 Juli 2021 10:15 &nbsp; Penulis : '
     "Humas Setda &nbsp; Dilihat 1.234 kali</div>", "",
     {"published": at("12", "10:15"), "author": None, "views": 1234}),
    ("Views: N beside the date", "www.example.go.id",
     '<div class="info"><span>12 Juli 2021</span> <span>Views: 2.899</span></div>',
     "<p>Penulis : Sri Wahyuningsih<br>Editor : Rahmat Hidayat</p>",
     {"published": at("12"), "author": "Sri Wahyuningsih", "editor": "Rahmat Hidayat",
      "views": 2899}),
    ("WITA | Oleh | Dibaca: N", "www.example.go.id",
     '<div class="meta">Rabu, 14 Juli 2021 09:30 WITA | Oleh: Tim Humas | Dibaca: 512</div>',
     "", {"published": at("14", "09:30", WITA), "author": None, "views": 512}),
    ("WIT, Posted on ... by", "www.example.ac.id",
     '<div class="meta">Posted on 14 July 2021, 09:30 WIT by <a href="/u">admin</a></div>',
     "", {"published": at("14", "09:30", WIT), "author": None}),
    ("date Dibaca N kali", "www.example.go.id",
     '<div class="meta"><span>Kamis, 15/07/2021 13:45 WIB</span> <span>Dibaca 2.345 kali'
     "</span></div>", "<p>Sumber: Diskominfo</p>",
     {"published": at("15", "13:45"), "views": 2345}),
    ("date | time | N Hits", "www.example.go.id",
     '<div class="meta">15 Juli 2021 | 13:45 | 3.210 Hits</div>', "",
     {"published": at("15", "13:45"), "views": 3210}),
    ("Dilihat: Nx", "www.example.go.id",
     '<div class="meta">Diterbitkan 15 Juli 2021 &middot; Dilihat: 1.024x</div>', "",
     {"published": at("15"), "views": 1024}),
    ("Ditulis oleh | date | Dibaca", "www.example.go.id",
     '<div class="meta">Ditulis oleh Budi Hartanto | 12 Juli 2021 | Dibaca 321 kali</div>', "",
     {"published": at("12"), "author": "Budi Hartanto", "views": 321}),
    ("Oleh X, weekday date time", "www.example.go.id",
     '<div class="submitted">Oleh Budi Hartanto, Senin 12 Juli 2021 14:00 WIB</div>', "",
     {"published": at("12", "14:00"), "author": "Budi Hartanto"}),
    ("Diposting oleh an account", "www.example.go.id",
     '<div class="meta">Diposting oleh Admin pada 12 Juli 2021</div>', "",
     {"published": at("12"), "author": None}),
    ("Kategori | Tanggal | Penulis | Dilihat", "www.example.go.id",
     '<div class="meta">Kategori: Berita | Tanggal: 12-07-2021 | Penulis: Rina Marlina | '
     "Dilihat: 77</div>", "",
     {"published": at("12"), "author": "Rina Marlina", "views": 77}),
    ("a table of fields", "www.example.go.id",
     '<table class="info"><tr><td>Tanggal</td><td>: 12 Juli 2021</td></tr><tr><td>Penulis'
     "</td><td>: Rina Marlina</td></tr><tr><td>Dilihat</td><td>: 77 kali</td></tr></table>",
     "", {"published": at("12"), "author": "Rina Marlina", "views": 77}),
    ("a <dl> of credits", "www.example.go.id",
     '<p class="date">12 Juli 2021</p><dl><dt>Penulis</dt><dd>Rina Marlina</dd>'
     "<dt>Editor</dt><dd>Joko Susilo</dd></dl>", "",
     {"published": at("12"), "author": "Rina Marlina", "editor": "Joko Susilo"}),
    ("icons", "www.example.go.id",
     '<ul class="meta"><li><i class="fa fa-calendar"></i> 12 Juli 2021</li><li><i '
     'class="fa fa-user"></i> Rina Marlina</li><li><i class="fa fa-eye"></i> 1.205</li></ul>',
     "", {"published": at("12"), "views": 1205}),
    ("pukul", "www.example.go.id",
     '<div class="date">Selasa, 13 Juli 2021 pukul 07.00 WIB</div>', "",
     {"published": at("13", "07:00")}),
    ("Posted on <time> by", "www.example.ac.id",
     '<div class="entry-meta">Posted on <time>13 Juli 2021</time> by <a>Rina Marlina</a>'
     "</div>", "", {"published": at("13"), "author": "Rina Marlina"}),
    ("Diterbitkan | Diperbarui", "www.example.go.id",
     '<div class="meta">Diterbitkan: 13 Juli 2021 07:00 WIB | Diperbarui: 14 Juli 2021 08:00 '
     "WIB</div>", "", {"published": at("13", "07:00")}),
    ("date (Diperbarui date) in the text", "www.example.go.id",
     "", "", {"published": at("13", "07:00")}),
    ("Diperbarui above Diterbitkan", "www.example.go.id",
     '<div class="meta">Diperbarui: 14 Juli 2021 08:00 WIB<br>Diterbitkan: 13 Juli 2021 07:00 '
     "WIB</div>", "", {"published": at("13", "07:00")}),
    ("Hijri date / date", "www.example.go.id",
     '<div class="meta">Selasa, 3 Dzulhijjah 1442 H / 13 Juli 2021</div>', "",
     {"published": at("13")}),
    # the value as the page writes it (as tests/corpus reads a "Kontributor Lhokseumawe, X")
    ("Penulis: X (role)", "www.example.go.id",
     '<div class="date">13 Juli 2021</div><div class="meta">Penulis: Sri Wahyuningsih '
     "(Arsiparis Ahli Muda)</div>", "",
     {"author": "Sri Wahyuningsih (Arsiparis Ahli Muda)"}),
    ("Penulis Kontributor City, X | Editor Y", "regional.example.com",
     '<div class="date">13 Juli 2021</div><div class="read__credit">Penulis Kontributor '
     "Malang, Andi Hartanto | Editor Rendra Wijaya</div>", "",
     {"author": "Kontributor Malang, Andi Hartanto", "editor": "Rendra Wijaya"}),
    ("Reporter | Foto | Editor", "www.example.go.id",
     '<div class="date">13 Juli 2021</div><div class="meta">Reporter: Ani Susanti | Foto: '
     "Budi Prakoso | Editor: Citra Kirana</div>", "",
     {"author": "Ani Susanti", "editor": "Citra Kirana"}),
    ("titles kept", "www.example.go.id",
     '<div class="date">13 Juli 2021</div><div class="meta">Oleh: Dra. Sri Wahyuningsih, '
     "M.Si.</div>", "", {"author": "Dra. Sri Wahyuningsih, M.Si."}),
    ("name, outlet", "www.cnnindonesia.com",
     '<div class="date">13 Juli 2021</div><div class="author">Ani Susanti, CNN Indonesia'
     "</div>", "", {"author": "Ani Susanti"}),
    ("name • date • reading time", "www.example.com",
     '<div class="meta">Rina Marlina • 13 Juli 2021 • 4 menit baca</div>', "",
     {"published": at("13")}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("host", "top", "bottom", "expected"),
    [case[1:] for case in LAYOUTS],
    ids=[case[0] for case in LAYOUTS],
)
def test_layout(host: str, top: str, bottom: str, expected: dict[str, object]) -> None:
    html = page(top, bottom)
    if not top:  # the date block as the first line of the article's text
        html = html.replace(
            b'<div class="content">',
            b'<div class="content"><p>13 Juli 2021 | 07:00 WIB (Diperbarui 14 Juli 2021 | '
            b"08:00 WIB)</p>",
        )
    article = extract(html, f"https://{host}/berita/2021/07/gedung-arsip").as_dict()
    assert article["title"] == TITLE
    assert {k: article[k] for k in expected} == expected
    assert article["body"] == "\n\n".join(PARAS)


def test_prose_that_looks_like_credits_is_body() -> None:
    paragraphs = [*PARAS[:2], *TRAPS, *PARAS[2:]]
    top = '<div class="date">13 Juli 2021</div>'
    article = extract(page(top, paragraphs=paragraphs), "https://www.example.go.id/berita/x")
    fields = article.as_dict()
    assert (fields["author"], fields["editor"], fields["views"]) == (None, None, None)
    assert fields["body"] == "\n\n".join(paragraphs)


#: What outlets put between the paragraphs of an article (before paragraph *index*).
INSERTS: list[tuple[str, int, str]] = [
    ("Baca Juga paragraph", 2,
     '<p><strong>Baca Juga:</strong> <a href="/x">Arsip Nasional Gelar Pameran Foto</a></p>'),
    ("Baca juga block", 2,
     '<div class="baca-juga"><span>BACA JUGA</span><ul><li><a href="/x">Lomba Kearsipan '
     "Dibuka Hari Ini di Balai Kota</a></li></ul></div>"),
    ("ad markers", 2,
     '<div class="ads"><p>ADVERTISEMENT</p></div><p>SCROLL TO CONTINUE WITH CONTENT</p>'),
    ("figure caption", 1,
     '<figure><img src="/a.jpg"><figcaption>Gedung arsip daerah yang baru diresmikan di Kota '
     "Malang. (Foto: Dok. Humas)</figcaption></figure>"),
    ("caption paragraph", 1,
     '<div class="pic"><img src="/a.jpg"><p class="caption">Gedung arsip daerah yang baru '
     "diresmikan. Foto: Humas Pemkot</p></div>"),
    ("video title", 2,
     '<div class="video"><p>Video: Peresmian Gedung Arsip Kota Malang</p>'
     '<iframe src="https://www.youtube.com/embed/x"></iframe></div>'),
    ("related list", 3,
     '<ul class="related"><li><a href="/1">Pameran Arsip Foto Digelar di Surabaya Pekan Depan'
     '</a></li><li><a href="/2">Dinas Kearsipan Buka Layanan Konsultasi Daring Gratis</a></li>'
     "</ul>"),
    ("share bar", 4,
     '<div class="share"><span>Bagikan:</span> <a href="#">Facebook</a> <a href="#">Twitter'
     '</a> <a href="#">WhatsApp</a></div>'),
    ("tags", 4,
     '<div class="tags">Tags: <a href="/t/arsip">arsip</a> <a href="/t/malang">malang</a></div>'),
    ("Google News call", 4,
     '<p>Simak berita dan artikel lainnya di <a href="https://news.google.com">Google News</a>'
     "</p>"),
    ("WhatsApp channel call", 4,
     "<p><strong>Ikuti saluran WhatsApp kami untuk mendapatkan berita terbaru setiap hari."
     "</strong></p>"),
    ("Editor line", 4, "<p>Editor: Joko Susilo</p>"),
    ("pagination", 4,
     '<div class="pagination">Halaman <a href="?p=1">1</a> <a href="?p=2">2</a> '
     '<a href="?p=2">Selanjutnya</a></div>'),
    ("copyright", 4,
     "<p>Copyright © 2021 Portal Berita. Dilarang mengambil sebagian atau seluruh isi tanpa "
     "izin.</p>"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("index", "insert"), [case[1:] for case in INSERTS], ids=[case[0] for case in INSERTS]
)
def test_furniture_between_paragraphs_is_not_body(index: int, insert: str) -> None:
    html = page('<div class="date">13 Juli 2021</div>').decode()
    paragraphs = [f"<p>{p}</p>" for p in PARAS]
    text = "".join(paragraphs[:index]) + insert + "".join(paragraphs[index:])
    html = html.replace("".join(paragraphs), text)
    article = extract(html.encode(), "https://www.example.go.id/berita/2021/07/gedung-arsip")
    assert article.body == "\n\n".join(PARAS)


def test_a_section_label_inside_the_headline_is_not_title() -> None:
    html = page('<div class="date">13 Juli 2021</div>').replace(
        f"<h1>{TITLE}</h1>".encode(),
        f'<h1><span class="kategori">Nasional</span> {TITLE}</h1>'.encode(),
    )
    article = extract(html, "https://www.example.go.id/berita/2021/07/gedung-arsip")
    assert (article.title, article.body) == (TITLE, "\n\n".join(PARAS))
