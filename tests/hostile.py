"""A hostile news site on loopback: each path is one way a server can hurt a crawler.

`HostileSite` serves, from a thread of the test process on 127.0.0.1 port 0
(bound once, the port read back), a listing page at ``/publikasi/berita``
that links to every page in `PAGES` (paths the ``anri`` profile takes for
articles) plus whatever extra links a test gives. The pages are built by
small functions, so what each one sends is plain in the code.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NEWS = "/publikasi/berita"


def article_html(title: str, body: str, *, charset: str = "utf-8") -> bytes:
    """A plain article page: title, date line, paragraphs."""
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    page = (
        f'<!doctype html><html lang="id"><head><meta charset="{charset}">'
        f"<title>{title}</title></head><body><main><article><h1>{title}</h1>"
        f'<p class="date">Selasa, 9 Desember 2021</p>{paragraphs}</article></main></body></html>'
    )
    return page.encode(charset, "replace")


NORMAL_BODY = "\n\n".join(
    f"Jakarta – Arsip Nasional Republik Indonesia menggelar kegiatan ke-{n} bersama "
    "lembaga kearsipan daerah untuk memperkuat tata kelola arsip statis."
    for n in range(1, 6)
)


@dataclass
class Answer:
    """What a path answers: status, header lines (in order, repeats kept), body."""

    body: bytes
    headers: list[tuple[str, str]] = field(
        default_factory=lambda: [("Content-Type", "text/html; charset=utf-8")]
    )
    status: int = 200


Page = Callable[[], Answer]


def normal() -> Answer:
    return Answer(article_html("Kegiatan biasa", NORMAL_BODY))


def huge_head() -> Answer:
    """More than 1 MiB of header lines, each well under Twisted's 16 KiB line limit."""
    pad = [(f"X-Pad-{n}", "p" * 8000) for n in range(140)]
    return Answer(article_html("Kepala raksasa", NORMAL_BODY), headers=[*normal().headers, *pad])


HEAD = (
    b'<html><head><meta charset="utf-8"><title>Kabar</title></head><body><article>'
    b"<h1>Kabar yang sulit dibaca</h1><p>Selasa, 9 Desember 2021</p>"
)


def deep() -> Answer:
    """100,000 nested divs around the article text (lxml stops at 256 levels)."""
    body = b"<div>" * 100_000 + b"<p>Isi berita.</p>" + b"</div>" * 100_000
    return Answer(HEAD + body + b"</article></body></html>")


def text_run() -> Answer:
    """One text run of 10.5 MB (lxml stops at 10 MB)."""
    return Answer(HEAD + b"<p>" + b"kata " * 2_100_000 + b"</p></article></body></html>")


#: UTF-8 text with curly quotes and dashes, one invalid byte in the middle.
BAD_BYTE_TEXT = "Jakarta – ANRI menggelar pameran “Arsip Kita” di Gedung C setiap hari."


def one_bad_byte() -> Answer:
    page = article_html("Pameran arsip", f"{BAD_BYTE_TEXT}\n\n{NORMAL_BODY}")
    return Answer(page.replace(b"Gedung C", b"Gedung \xff C"))


#: An article URL longer than URLLENGTH_LIMIT (2083).
LONG_PATH = f"{NEWS}/{'panjang-' * 270}sekali"
#: Listing pages that each link to the next one, forever.
PAGING = f"{NEWS}?page="


PAGES: dict[str, Page] = {
    f"{NEWS}/kegiatan-biasa": normal,
    f"{NEWS}/kepala-raksasa": huge_head,
    f"{NEWS}/bersarang-dalam": deep,
    f"{NEWS}/teks-raksasa": text_run,
    f"{NEWS}/satu-bita-rusak": one_bad_byte,
}
EXTRA_LINKS = [LONG_PATH, f"{PAGING}2"]


class HostileSite:
    """The server; `pages` maps a path to what it answers (the listing is added)."""

    def __init__(self, pages: dict[str, Page], extra_links: list[str] | None = None) -> None:
        self.pages = dict(pages)
        self.links = [*pages, *(extra_links or [])]
        self.requested: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.requested.append(self.path)
                answer = site.answer(self.path)
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the tests read `requested`

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def news_url(self) -> str:
        return self.base + NEWS

    def answer(self, path: str) -> Answer:
        if path == NEWS:
            links = "".join(f'<li><a href="{link}">{link}</a></li>' for link in self.links)
            return Answer(f"<html><body><h1>Berita</h1><ul>{links}</ul></body></html>".encode())
        if path.startswith(PAGING) and path[len(PAGING) :].isdigit():
            following = f"{PAGING}{int(path[len(PAGING) :]) + 1}"
            return Answer(
                f'<html><body><a href="{following}">berikutnya</a></body></html>'.encode()
            )
        page = self.pages.get(path)
        if page is None:
            return Answer(b"not found", [("Content-Type", "text/plain")], 404)
        return page()


@contextmanager
def serving(pages: dict[str, Page], extra_links: list[str] | None = None) -> Iterator[HostileSite]:
    """A running `HostileSite` for the ``with`` block."""
    site = HostileSite(pages, extra_links)
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()
        thread.join(timeout=10)
