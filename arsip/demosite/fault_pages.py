"""The replica's fault pages (``--faults`` PAGE items), linked from listing page 1.

Each page set, when turned on, adds resources and links (see
`arsip.demosite.faults` for the SPEC). Paths are chosen so that the anri
profile's article pattern matches the pages a crawler should be tempted by:

====================  ==========================================================
``malformed``         ``/publikasi/berita/halaman-rusak``: unclosed and stray tags,
                      an unterminated comment and attribute, NUL and control bytes
``charset``           ``/publikasi/berita/kabar-charset-keliru``: declares UTF-8
                      (header and ``<meta>``) but is encoded in windows-1252
``huge-page``         ``/publikasi/berita/laporan-tahunan-lengkap``: HTML of
                      ``huge-size`` bytes (random text, compresses poorly)
``huge-file``         ``/uploads/lampiran/arsip-raksasa.pdf``: ``huge-size`` bytes
``gzip-bomb``         ``/publikasi/berita/bom-gzip``: ``Content-Encoding: gzip``
                      that inflates to ``bomb-size`` bytes
``redirect-loop``     ``/publikasi/berita/putar-balik-a`` <-> ``-b`` (302), and
                      ``/publikasi/berita/berputar-N`` -> ``berputar-N+1`` forever
``calendar``          ``/agenda?month=YYYY-MM``: links to the previous and next
                      month, forever
``offsite``           links to ``http://OTHER-HOST:PORT/...`` (a page and an image);
                      ``/publikasi/berita/pindah-keluar`` (301) and
                      ``/uploads/berita/gambar-pindah.jpg`` (302) redirect there;
                      ``/publikasi/berita/pindah-keluar-nanti`` answers 503 once,
                      then 302 there (a retried request is ``dont_filter``)
``disallowed``        robots.txt also disallows ``/publikasi/berita/draf-``;
                      links to ``/publikasi/berita/draf-rahasia`` and ``/admin/arsip``
``xml-bombs``         ``/sitemap.xml`` becomes a sitemap index of
                      ``/sitemap-berita.xml`` (the real one), ``/sitemap-lol.xml``
                      (billion laughs) and ``/sitemap-xxe.xml`` (external entities:
                      ``file:///etc/passwd`` and ``/xxe-probe`` on this server)
====================  ==========================================================
"""

from __future__ import annotations

import base64
import random
import re
import threading
import zlib
from collections import Counter
from urllib.parse import parse_qs, urlsplit

from arsip.demosite.content import ASSETS_MODIFIED
from arsip.demosite.faults import FaultSpec
from arsip.demosite.model import NEWS_PATH
from arsip.demosite.site import HTML, TYPES, Resource, SiteApp, ok
from arsip.demosite.textfiles import robots_txt, sitemap_xml

MALFORMED = f"{NEWS_PATH}/halaman-rusak"
CHARSET = f"{NEWS_PATH}/kabar-charset-keliru"
HUGE_PAGE = f"{NEWS_PATH}/laporan-tahunan-lengkap"
HUGE_FILE = "/uploads/lampiran/arsip-raksasa.pdf"
GZIP_BOMB = f"{NEWS_PATH}/bom-gzip"
LOOP_A, LOOP_B = f"{NEWS_PATH}/putar-balik-a", f"{NEWS_PATH}/putar-balik-b"
CHAIN_PREFIX = f"{NEWS_PATH}/berputar-"
CALENDAR = "/agenda"
OFFSITE_REDIRECT = f"{NEWS_PATH}/pindah-keluar"
OFFSITE_REDIRECT_LATER = f"{NEWS_PATH}/pindah-keluar-nanti"
OFFSITE_IMAGE_REDIRECT = "/uploads/berita/gambar-pindah.jpg"
DISALLOWED_PREFIX = f"{NEWS_PATH}/draf-"
DISALLOWED = (f"{NEWS_PATH}/draf-rahasia", "/admin/arsip")
SITEMAP_REAL, SITEMAP_LOL, SITEMAP_XXE = (
    "/sitemap-berita.xml",
    "/sitemap-lol.xml",
    "/sitemap-xxe.xml",
)
XXE_PROBE = "/xxe-probe"
_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_CHAIN_RE = re.compile(rf"^{re.escape(CHAIN_PREFIX)}(\d{{1,9}})$")


class FaultPages:
    """Resolves fault pages and adds their links to listing page 1 (thread-safe, cached)."""

    def __init__(self, spec: FaultSpec, app: SiteApp, seed: int) -> None:
        self.spec = spec
        self.app = app
        self.seed = seed
        parts = urlsplit(app.base_url)
        self.other_base = f"{parts.scheme}://{spec.other_host}:{parts.port or 80}"
        self._cache: dict[str, tuple[str | None, Resource]] = {}
        self._lock = threading.Lock()
        self._hits: Counter[str] = Counter()

    def on(self, page: str) -> bool:
        return page in self.spec.pages

    def resolve(self, target: str) -> tuple[str | None, Resource] | None:
        """(fault page name, resource) for *target*, or None when the normal site answers.

        The name is None for a page of the normal site that only gained links
        (listing page 1), lines (robots.txt) or a new name (the real sitemap).
        """
        if not self.spec.pages:
            return None
        parts = urlsplit(target)
        path, query = parts.path or "/", parts.query
        if path == OFFSITE_REDIRECT_LATER and self.on("offsite"):
            with self._lock:
                self._hits[path] += 1
                first = self._hits[path] == 1
            if first:
                return "offsite", Resource(503, HTML, b"<h1>503 Service Unavailable</h1>\n")
            later = f"{self.other_base}{NEWS_PATH}/tujuan-luar-nanti"
            return "offsite", self._redirect(302, later)
        key = f"{path}?{query}" if path in (NEWS_PATH, CALENDAR) else path
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        found = self._route(path, query)
        if found is not None:
            with self._lock:
                self._cache[key] = found
        return found

    # -- routes ------------------------------------------------------------

    def _route(self, path: str, query: str) -> tuple[str | None, Resource] | None:
        if path == NEWS_PATH and query in ("", "page=1"):
            return None, self._with_links(self.app.resolve(f"{path}?{query}" if query else path))
        if path == "/robots.txt" and self.on("disallowed"):
            text = robots_txt(self.app.base_url).replace(
                "Disallow: /admin/\n", f"Disallow: /admin/\nDisallow: {DISALLOWED_PREFIX}\n"
            )
            return None, ok(TYPES["txt"], text, ASSETS_MODIFIED)
        if self.on("xml-bombs"):
            xml = self._sitemaps(path)
            if xml is not None:
                name = "xml-bombs" if path in (SITEMAP_LOL, SITEMAP_XXE) else None
                return name, ok(TYPES["xml"], xml, ASSETS_MODIFIED)
        return self._content_page(path) or self._moving_page(path, query)

    def _content_page(self, path: str) -> tuple[str, Resource] | None:
        """Pages whose content is the fault."""
        if path == MALFORMED and self.on("malformed"):
            return "malformed", ok(HTML, malformed_html(), ASSETS_MODIFIED)
        if path == CHARSET and self.on("charset"):
            return "charset", ok(HTML, lying_charset_html(), ASSETS_MODIFIED)
        if path == HUGE_PAGE and self.on("huge-page"):
            body = huge_html(self.spec.huge_size, self.seed)
            return "huge-page", ok(HTML, body, ASSETS_MODIFIED)
        if path == HUGE_FILE and self.on("huge-file"):
            body = huge_pdf(self.spec.huge_size, self.seed)
            return "huge-file", ok(TYPES["pdf"], body, ASSETS_MODIFIED)
        if path == GZIP_BOMB and self.on("gzip-bomb"):
            coded = (("Content-Encoding", "gzip"),)
            bomb = gzip_bomb(self.spec.bomb_size)
            return "gzip-bomb", ok(HTML, bomb, ASSETS_MODIFIED, headers=coded)
        return None

    def _moving_page(self, path: str, query: str) -> tuple[str, Resource] | None:
        """Pages that lead somewhere they should not: loops, calendars, other hosts."""
        if self.on("redirect-loop"):
            if path in (LOOP_A, LOOP_B):
                target = LOOP_B if path == LOOP_A else LOOP_A
                return "redirect-loop", self._redirect(302, self.app.base_url + target)
            chain = _CHAIN_RE.match(path)
            if chain:
                target = f"{CHAIN_PREFIX}{int(chain[1]) + 1}"
                return "redirect-loop", self._redirect(302, self.app.base_url + target)
        if path == CALENDAR and self.on("calendar"):
            return "calendar", self._calendar(query)
        if self.on("offsite"):
            if path == OFFSITE_REDIRECT:
                return "offsite", self._redirect(301, f"{self.other_base}{NEWS_PATH}/tujuan-luar")
            if path == OFFSITE_IMAGE_REDIRECT:
                return "offsite", self._redirect(302, f"{self.other_base}/uploads/berita/luar.jpg")
        return None

    def _redirect(self, status: int, location: str) -> Resource:
        body = f'<a href="{location}">Dipindahkan</a>\n'.encode()
        return Resource(status, HTML, body, headers=(("Location", location),))

    def links(self) -> list[tuple[str, str]]:
        """(href, label) of every fault page turned on, for listing page 1."""
        found: list[tuple[str, str]] = []
        if self.on("malformed"):
            found.append((MALFORMED, "Halaman rusak"))
        if self.on("charset"):
            found.append((CHARSET, "Kabar dengan charset keliru"))
        if self.on("huge-page"):
            found.append((HUGE_PAGE, "Laporan tahunan lengkap"))
        if self.on("huge-file"):
            found.append((HUGE_FILE, "Arsip raksasa (PDF)"))
        if self.on("gzip-bomb"):
            found.append((GZIP_BOMB, "Berita terkompresi"))
        if self.on("redirect-loop"):
            found += [(LOOP_A, "Putar balik"), (f"{CHAIN_PREFIX}1", "Berputar")]
        if self.on("calendar"):
            found.append((f"{CALENDAR}?month=2022-01", "Agenda"))
        if self.on("offsite"):
            found += [
                (f"{self.other_base}{NEWS_PATH}/kabar-dari-luar", "Kabar dari luar"),
                (OFFSITE_REDIRECT, "Pindah keluar"),
                (OFFSITE_REDIRECT_LATER, "Pindah keluar nanti"),
            ]
        if self.on("disallowed"):
            found += [(href, "Terbatas") for href in DISALLOWED]
        return found

    def _with_links(self, page: Resource) -> Resource:
        if page.status != 200:
            return page
        items = "\n".join(
            f'      <li><a href="{href}">{label}</a></li>' for href, label in self.links()
        )
        images = ""
        if self.on("offsite"):
            images = (
                f'    <img src="{self.other_base}/uploads/berita/luar.jpg" alt="luar">\n'
                f'    <img src="{OFFSITE_IMAGE_REDIRECT}" alt="pindah">\n'
            )
        section = (
            f'  <section class="tautan-lain">\n    <ul>\n{items}\n    </ul>\n{images}  </section>\n'
        )
        body = page.body.replace(b"</main>", section.encode() + b"</main>", 1)
        assert page.last_modified is not None
        return ok(
            page.content_type, body, page.last_modified, chunked=page.chunked, headers=page.headers
        )

    def _calendar(self, query: str) -> Resource:
        values = parse_qs(query).get("month", ["2022-01"])
        match = _MONTH_RE.match(values[0]) if len(values) == 1 else None
        if match is None:
            return self.app.not_found()
        year, month = int(match[1]), int(match[2])
        prev_y, prev_m = (year, month - 1) if month > 1 else (year - 1, 12)
        next_y, next_m = (year, month + 1) if month < 12 else (year + 1, 1)
        html = (
            f'<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8">'
            f"<title>Agenda {year}-{month:02d}</title></head><body>\n"
            f"<h1>Agenda {year}-{month:02d}</h1><p>Tidak ada agenda bulan ini.</p>\n"
            f'<a href="{CALENDAR}?month={prev_y:04d}-{prev_m:02d}">Bulan sebelumnya</a>\n'
            f'<a href="{CALENDAR}?month={next_y:04d}-{next_m:02d}">Bulan berikutnya</a>\n'
            "</body></html>\n"
        )
        return ok(HTML, html, ASSETS_MODIFIED)

    def _sitemaps(self, path: str) -> str | None:
        base = self.app.base_url
        if path == "/sitemap.xml":
            entries = "".join(
                f"  <sitemap><loc>{base}{p}</loc></sitemap>\n"
                for p in (SITEMAP_REAL, SITEMAP_LOL, SITEMAP_XXE)
            )
            return (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                f"{entries}</sitemapindex>\n"
            )
        if path == SITEMAP_REAL:
            return sitemap_xml(self.app.content, base)
        if path == SITEMAP_LOL:
            return billion_laughs(f"{base}{NEWS_PATH}/")
        if path == SITEMAP_XXE:
            return xxe_sitemap(base)
        return None


def malformed_html() -> bytes:
    """An article page a browser would still show, broken in every usual way."""
    return (
        b'<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8">\n'
        b"<title>Halaman Rusak | ANRI</title>\n"
        b"<body><div class=container><article class=news-detail>"
        b'<h1 class="news-title">Berita dengan <b>HTML <i>rusak</b></i>\n'
        b"<div class=news-content><p>Jakarta \xe2\x80\x93 3/2/2022, paragraf tanpa penutup"
        b"<p>Kedua</span></td></tr></table> dengan tag nyasar <div><div><div>\n"
        b"<p>Kontrol \x00\x01\x02\x1b[31m dan NUL\x00 di tengah teks.\n"
        b'<img src="/uploads/berita/tidak-ada.jpg" alt="tak tertutup>\n'
        b"<![CDATA[ ]]> <p>Penulis : TR</p>"
        b"<script>document.write('<p>'); // tak pernah ditutup\n"
        b"<!-- komentar yang tidak pernah ditutup\n"
    )


def lying_charset_html() -> bytes:
    """Declares UTF-8 twice, but the bytes are windows-1252 (smart quotes, dashes, é)."""
    text = (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8">\n'
        "<title>Pameran “Jejak Arsip” – Café Arsip | ANRI</title></head><body>\n"
        '<article class="news-detail">'
        '<h1 class="news-title">Pameran “Jejak Arsip” – Café Arsip</h1>\n'
        '<div class="news-content"><p>Jakarta – 4/2/2022, pameran dibuka pukul 09.00 WIB.</p>\n'
        "<p>Pengunjung menikmati “kopi arsip” di kafé.</p></div>\n"
        '<p class="news-meta">Penulis : TR</p></article></body></html>\n'
    )
    return text.encode("cp1252")


def huge_html(size: int, seed: int) -> bytes:
    """An article page of *size* bytes whose text is random (gzip saves about a quarter)."""
    head = (
        b'<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8">\n'
        b"<title>Laporan Tahunan Lengkap | ANRI</title></head><body>\n"
        b'<article class="news-detail"><h1 class="news-title">Laporan Tahunan Lengkap</h1>\n'
        b'<div class="news-content">\n'
    )
    tail = b"</div></article></body></html>\n"
    room = max(0, size - len(head) - len(tail))
    # each line is "<p>" + 72 characters + "</p>\n": 80 bytes
    text = base64.b64encode(random.Random(seed).randbytes(room * 72 // 80 * 3 // 4 + 3))
    lines = b"".join(b"<p>" + text[i : i + 72] + b"</p>\n" for i in range(0, room * 72 // 80, 72))
    return head + lines + tail


def huge_pdf(size: int, seed: int) -> bytes:
    """*size* bytes that start like a PDF and do not compress."""
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    return head + random.Random(seed + 1).randbytes(max(0, size - len(head)))


_BOMBS: dict[int, bytes] = {}
_BOMB_LOCK = threading.Lock()


def gzip_bomb(size: int) -> bytes:
    """A gzip stream of *size* decompressed bytes (an HTML start, then zeros); cached."""
    with _BOMB_LOCK:
        found = _BOMBS.get(size)
        if found is not None:
            return found
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        prefix = b"<!DOCTYPE html><html><body><p>"
        parts = [packer.compress(prefix)]
        left = max(0, size - len(prefix))
        block = bytes(1 << 20)
        while left > 0:
            piece = block if left >= len(block) else bytes(left)
            parts.append(packer.compress(piece))
            left -= len(piece)
        parts.append(packer.flush())
        _BOMBS[size] = found = b"".join(parts)
        return found


def billion_laughs(base: str) -> str:
    """A sitemap whose one URL holds an entity that expands to 10**9 'lol's."""
    levels = ['  <!ENTITY lol0 "lol">']
    levels += [f'  <!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE urlset [\n'
        + "\n".join(levels)
        + "\n]>\n"
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"  <url><loc>{base}x&lol9;</loc></url>\n</urlset>\n"
    )


def xxe_sitemap(base: str) -> str:
    """A sitemap whose URLs come from external entities (a local file, this server)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE urlset [\n'
        '  <!ENTITY rahasia SYSTEM "file:///etc/passwd">\n'
        f'  <!ENTITY probe SYSTEM "{base}{XXE_PROBE}">\n'
        "]>\n"
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"  <url><loc>{base}{NEWS_PATH}/&rahasia;</loc></url>\n"
        "  <url><loc>&probe;</loc></url>\n</urlset>\n"
    )


__all__ = ["FaultPages", "billion_laughs", "gzip_bomb", "xxe_sitemap"]
