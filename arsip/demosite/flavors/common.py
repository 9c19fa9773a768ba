"""Pieces the flavors share: Indonesian dates and numbers, teasers, and the trap pages.

The traps are the parts of a real institution site that a zero-config
crawler must bound: an agenda calendar whose "next month" never ends, search
result pages that always offer one more page, tag clouds, sort permutations
of a listing, photo galleries and a repository of PDF documents outside the
news section. Each flavor links them with its own URLs and wraps them in its
own layout; their HTML content is built here.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape
from urllib.parse import parse_qs

from arsip.demosite.flavors.base import Post
from arsip.demosite.model import Media
from arsip.demosite.render import moved_page
from arsip.demosite.site import TYPES, Resource, draw, ok

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
#: The calendar's first month when a request names none.
CALENDAR_START = (2024, 1)
#: Sort orders a listing offers (value, label), and directions.
SORTS = (("terbaru", "Terbaru"), ("terlama", "Terlama"), ("judul", "Judul"), ("populer", "Populer"))
ORDERS = ("asc", "desc")
SEARCH_TERMS = ("arsip", "pelatihan", "kearsipan", "digitalisasi", "pelayanan")


def attr(value: str) -> str:
    """*value* escaped for an HTML attribute (``&`` in a query becomes ``&amp;``)."""
    return escape(value, quote=True)


def single_params(query: str) -> dict[str, str] | None:
    """The query's parameters, or None when one is repeated (no site answers those)."""
    values = parse_qs(query, keep_blank_values=True)
    if any(len(v) != 1 for v in values.values()):
        return None
    return {k: v[0] for k, v in values.items()}


def offset_page(params: dict[str, str], key: str, per_page: int) -> int | None:
    """The page (1-based) an offset parameter (``?start=20``, ``?per_page=18``) asks for.

    No parameter is page 1; None when the offset is no multiple of *per_page*.
    """
    value = params.get(key, "0")
    if not value.isdigit() or int(value) % per_page:
        return None
    return int(value) // per_page + 1


def redirect(location: str, content_type: str = "text/html; charset=utf-8") -> Resource:
    """A 301 to *location* with the small HTML page servers send with it."""
    body = moved_page(location).encode("utf-8")
    return Resource(301, content_type, body, headers=(("Location", location),))


def search_links(href: Callable[[str], str]) -> str:
    """Links to the first popular search terms (a sidebar's way into the search trap)."""
    return " ".join(f'<a href="{href(t)}">{t}</a>' for t in SEARCH_TERMS[:3])


def dotted(number: int) -> str:
    """``2899`` -> ``2.899`` (Indonesian thousands separator)."""
    return f"{number:,}".replace(",", ".")


def long_date(moment: datetime, *, weekday: bool = True, pad: bool = False) -> str:
    """``Kamis, 3 Maret 2022`` (``03`` with *pad*; no weekday without *weekday*)."""
    day = f"{moment.day:02d}" if pad else str(moment.day)
    text = f"{day} {MONTHS[moment.month - 1]} {moment.year}"
    return f"{DAYS[moment.weekday()]}, {text}" if weekday else text


def clock(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def short_date(moment: datetime) -> str:
    """``3 Mar 2022``."""
    return f"{moment.day} {MONTHS_SHORT[moment.month - 1]} {moment.year}"


def numeric_date(moment: datetime) -> str:
    """``03/03/2022``."""
    return f"{moment.day:02d}/{moment.month:02d}/{moment.year}"


def teaser(post: Post, limit: int = 160) -> str:
    text = post.article.paras[0].text.split(", ", 1)[-1]
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text


def title_suffix(title: str, site_name: str, sep: str = " - ") -> str:
    """The ``<title>``: the page's title with the site name after it."""
    return f"{escape(title)}{sep}{escape(site_name)}"


def visitor_lines(counts: tuple[int, int, int]) -> list[str]:
    """The footer's site-wide counter (not any article's views)."""
    today, total, online = counts
    return [
        f"Pengunjung hari ini: {dotted(today)}",
        f"Total pengunjung: {dotted(total)}",
        f"Sedang online: {online}",
    ]


def month_step(year: int, month: int, step: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + step
    return index // 12, index % 12 + 1


def calendar_main(
    year: int, month: int, href: Callable[[int, int], str], events: Sequence[Post]
) -> str:
    """An agenda month: a grid of days, the month's posts, and links to the months around it.

    Every month has a previous and a next one, so following "Bulan berikutnya"
    never ends.
    """
    py, pm = month_step(year, month, -1)
    ny, nm = month_step(year, month, 1)
    items = (
        "\n".join(
            f'        <li><span class="tgl">{p.local.day}</span> {escape(p.title)} (Agenda)</li>'
            for p in events
        )
        or "        <li>Belum ada agenda pada bulan ini.</li>"
    )
    days = " ".join(f"<td>{d}</td>" for d in range(1, 29))
    return f"""    <div class="agenda-kalender">
      <h1 class="agenda-title">Agenda {MONTHS[month - 1]} {year}</h1>
      <table class="calendar"><tr>{days}</tr></table>
      <ul class="agenda-list">
{items}
      </ul>
      <p class="agenda-nav">
        <a class="prev-month" href="{attr(href(py, pm))}">&laquo; Bulan sebelumnya</a>
      <a class="next-month" href="{attr(href(ny, nm))}">Bulan berikutnya &raquo;</a></p>
    </div>"""


def parse_month(text: str) -> tuple[int, int] | None:
    """``2024-03`` -> (2024, 3); None when it is not a month of years 1..9999."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        return None
    return int(match[1]), int(match[2])


def month_posts(posts: Sequence[Post], year: int, month: int) -> list[Post]:
    return [p for p in posts if (p.local.year, p.local.month) == (year, month)][:5]


def search_main(term: str, page: int, found: Sequence[Post], href: Callable[[int], str]) -> str:
    """Search results: ten a page, and always a link to one more page (the trap)."""
    chunk = found[(page - 1) * 10 : page * 10]
    items = (
        "\n".join(
            f'        <li><a href="{p.path}">{escape(p.title)}</a> '
            f'<span class="tgl">{short_date(p.local)}</span></li>'
            for p in chunk
        )
        or "        <li>Tidak ada hasil lagi.</li>"
    )
    return f"""    <div class="hasil-pencarian">
      <h1>Hasil pencarian: {escape(term)}</h1>
      <p>Ditemukan {len(found)} hasil.</p>
      <ul>
{items}
      </ul>
      <p class="search-nav"><a href="{attr(href(page + 1))}">Berikutnya &raquo;</a></p>
    </div>"""


def search_hits(posts: Sequence[Post], term: str) -> list[Post]:
    words = [w for w in term.lower().split() if w]
    return [p for p in posts if words and all(w in p.title.lower() for w in words)]


def tag_cloud(tags: Sequence[str], href: Callable[[str], str]) -> str:
    links = " ".join(
        f'<a class="tag-cloud-link tag-size-{1 + zlib.crc32(t.encode()) % 5}" '
        f'href="{attr(href(t))}">{escape(t)}</a>'
        for t in tags
    )
    return f'<div class="tagcloud">{links}</div>'


def sort_links(href: Callable[[str, str], str]) -> str:
    """Links to every sort order of a listing (each page has them: permutations)."""
    links = " ".join(
        f'<a href="{attr(href(value, order))}">{label} {"↑" if order == "asc" else "↓"}</a>'
        for value, label in SORTS
        for order in ORDERS
    )
    return f'<div class="urutkan">Urutkan: {links}</div>'


def sorted_posts(posts: Sequence[Post], sort: str, order: str) -> list[Post] | None:
    """*posts* in a sort order, or None when *sort* / *order* is not one the site offers."""
    keys: dict[str, Callable[[Post], tuple[object, ...]]] = {
        "terbaru": lambda p: (-p.local.timestamp(), p.number),
        "terlama": lambda p: (p.local.timestamp(), p.number),
        "judul": lambda p: (p.title.lower(), p.number),
        "populer": lambda p: (-p.article.views, p.number),
    }
    if sort not in keys or order not in ORDERS:
        return None
    found = sorted(posts, key=keys[sort])
    return list(reversed(found)) if order == "asc" else found


#: The photo albums of a gallery: (slug, title, photo count).
ALBUMS: tuple[tuple[str, str, int], ...] = (
    ("upacara-hari-jadi", "Upacara Hari Jadi Daerah", 6),
    ("kunjungan-kerja-bupati", "Kunjungan Kerja Kepala Daerah", 4),
    ("pameran-arsip", "Pameran Arsip dan Dokumentasi", 5),
)

#: The document repository (PPID / produk hukum): (slug, title).
DOCUMENTS: tuple[tuple[str, str], ...] = tuple(
    (f"{kind.lower().replace(' ', '-')}-nomor-{n}-tahun-{year}", f"{kind} Nomor {n} Tahun {year}")
    for kind, n, year in (
        ("Peraturan Daerah", 3, 2021),
        ("Peraturan Daerah", 7, 2022),
        ("Peraturan Bupati", 12, 2022),
        ("Peraturan Bupati", 4, 2023),
        ("Keputusan Kepala Dinas", 21, 2023),
        ("Laporan Kinerja", 1, 2022),
        ("Laporan Kinerja", 1, 2023),
        ("Rencana Strategis", 1, 2021),
        ("Daftar Informasi Publik", 1, 2023),
        ("Standar Pelayanan", 2, 2023),
        ("Rencana Kerja", 1, 2024),
        ("Laporan Keuangan", 1, 2023),
    )
)


def gallery_main(albums_href: Callable[[str], str], photo_src: Callable[[str, int], str]) -> str:
    """The gallery index: every album with its first photo."""
    items = "\n".join(
        f'      <div class="album"><a href="{albums_href(slug)}">'
        f'<img src="{photo_src(slug, 1)}" alt="{escape(title)}"></a>'
        f"<h3>{escape(title)}</h3><span>{count} foto</span></div>"
        for slug, title, count in ALBUMS
    )
    return f'    <div class="galeri">\n      <h1>Galeri Foto</h1>\n{items}\n    </div>'


def album_main(slug: str, photo_src: Callable[[str, int], str]) -> str | None:
    found = [a for a in ALBUMS if a[0] == slug]
    if not found:
        return None
    _, title, count = found[0]
    photos = "\n".join(
        f'      <figure><img src="{photo_src(slug, n)}" alt="{escape(title)} {n}"></figure>'
        for n in range(1, count + 1)
    )
    return f'    <div class="album-detail">\n      <h1>{escape(title)}</h1>\n{photos}\n    </div>'


def photo(key: str) -> Resource:
    """A gallery photo (a deterministic JPEG)."""
    return ok(TYPES["jpeg"], draw(Media("jpeg", key, 160, 96)), _GALLERY_MODIFIED)


def documents_main(
    page: int, per_page: int, href: Callable[[int], str], file_href: Callable[[str], str]
) -> str:
    """One page of the document repository: PDF links and numbered pagination."""
    pages = -(-len(DOCUMENTS) // per_page)
    chunk = DOCUMENTS[(page - 1) * per_page : page * per_page]
    rows = "\n".join(
        f"        <tr><td>{escape(title)}</td>"
        f'<td><a href="{file_href(slug)}">Unduh (PDF)</a></td></tr>'
        for slug, title in chunk
    )
    numbers = " ".join(
        f'<a href="{attr(href(n))}">{n}</a>' if n != page else f"<span>{n}</span>"
        for n in range(1, pages + 1)
    )
    return f"""    <div class="dokumen">
      <h1>Dokumen Publik</h1>
      <table class="table">
{rows}
      </table>
      <div class="dokumen-pages">{numbers}</div>
    </div>"""


def document_pdf(slug: str, site_name: str) -> Resource | None:
    found = [d for d in DOCUMENTS if d[0] == slug]
    if not found:
        return None
    title = found[0][1]
    spec = Media("pdf", slug, title=title, lines=(title, site_name))
    return ok(TYPES["pdf"], draw(spec), _GALLERY_MODIFIED)


def document_pages(per_page: int) -> int:
    return -(-len(DOCUMENTS) // per_page)


def plain_main(title: str, paragraphs: Sequence[str]) -> str:
    body = "\n".join(f"      <p>{escape(p)}</p>" for p in paragraphs)
    return f'    <div class="halaman">\n      <h1>{escape(title)}</h1>\n{body}\n    </div>'


def rss(site_name: str, base: str, link: str, posts: Sequence[Post], zone_offset: str) -> str:
    """An RSS 2.0 feed of *posts* (absolute links on *base*)."""
    items = "\n".join(
        f"  <item><title>{escape(p.title)}</title><link>{base}{p.path}</link>"
        f"<guid>{base}{p.path}</guid>"
        f"<pubDate>{p.local.strftime('%a, %d %b %Y %H:%M:%S')} {zone_offset}</pubDate>"
        f"<description>{escape(teaser(p))}</description></item>"
        for p in posts
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>{escape(site_name)}</title>
  <link>{base}{link}</link>
  <description>Berita {escape(site_name)}</description>
  <language>id-ID</language>
{items}
</channel>
</rss>
"""


PROFILE_TEXT = (
    "Pemerintah daerah menyelenggarakan urusan pemerintahan sesuai asas otonomi daerah.",
    "Visi: terwujudnya tata kelola pemerintahan yang bersih, melayani, dan berbasis elektronik.",
)
SERVICES_TEXT = (
    "Layanan perizinan, kependudukan, dan pengaduan masyarakat tersedia secara daring.",
    "Jam layanan: Senin - Jumat, pukul 08.00 - 16.00.",
)

_GALLERY_MODIFIED = datetime.fromisoformat("2023-06-01T02:00:00+00:00")
