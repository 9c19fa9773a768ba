"""`arsip demo-site`: the replica site behaves like a real server and tells the truth.

Most tests talk to the replica as a child process on 127.0.0.1, port 0; a few
use the in-process `DemoSite` to compare runs. Nothing leaves the machine.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import re
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import lxml.html
import pytest

from arsip.demosite.content import build_site
from arsip.demosite.server import DemoSite
from crawler.extract.model import EXTRACTED_FIELDS
from crawler.extract.urls import article_id

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "anri-seed-article.html"
SEED_SLUG = "anjangsama-media-sosial-2021-optimalisasi-pengelolaan-media-sosial-lembaga"
N = 25
UA = "arsip-test/1.0"


# --- helpers -----------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # as sent: still gzip-coded, chunk framing removed

    def header(self, name: str) -> str | None:
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        return found[0] if found else None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(base: str, path: str, method: str = "GET", **headers: str) -> Reply:
    """One request with exactly these headers (http.client adds no Accept-Encoding)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request(method, path, headers={"User-Agent": UA, **headers})
        resp = conn.getresponse()
        return Reply(resp.status, resp.getheaders(), resp.read())
    finally:
        conn.close()


def raw_exchange(base: str, request: bytes) -> tuple[bytes, bytes]:
    """Send *request* on a socket; return the raw header block and the raw rest."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def dechunk(data: bytes) -> tuple[bytes, int]:
    """Decode chunked framing strictly; return the body and the number of chunks."""
    body, count = b"", 0
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            assert data == b"\r\n", "the last chunk ends with an empty trailer"
            return body, count
        body += data[:size]
        assert data[size : size + 2] == b"\r\n"
        data = data[size + 2 :]
        count += 1


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "arsip", "demo-site", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def start_cli(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "arsip", "demo-site", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline()


def stop_cli(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> int:
    proc.send_signal(sig)
    code = proc.wait(timeout=10)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    return code


def text_of(element: Any) -> str:
    return "".join(element.itertext())


def links(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


@dataclass
class Served:
    base: str
    first_line: str
    truth_path: Path
    log_path: Path

    def truth(self) -> list[dict[str, Any]]:
        lines = self.truth_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]

    def log(self) -> list[dict[str, Any]]:
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("demosite")
    truth, log = tmp / "truth.jsonl", tmp / "log.jsonl"
    proc, line = start_cli("--articles", str(N), "--truth", str(truth), "--log", str(log))
    try:
        assert line.startswith("serving "), line + (proc.stderr.read() if proc.stderr else "")
        yield Served(line.split()[1].rstrip("/"), line, truth, log)
    finally:
        assert stop_cli(proc) == 0


@pytest.fixture(scope="module")
def inproc() -> Iterator[DemoSite]:
    with DemoSite(articles=N) as site:
        yield site


# --- start-up, truth ---------------------------------------------------------


def test_first_line_names_the_url_and_truth_is_already_complete(served: Served) -> None:
    assert re.fullmatch(r"serving http://127\.0\.0\.1:\d+/\n", served.first_line)
    truth = served.truth()
    assert len(truth) == N
    for record in truth:
        assert tuple(record) == EXTRACTED_FIELDS
        assert record["url"].startswith(served.base + "/publikasi/berita/")
        assert record["id"] == article_id(record["url"])
        assert (record["site"], record["language"]) == ("anri", "id")
    dates = [r["published"] for r in truth]
    assert dates == sorted(dates, reverse=True)
    assert len({r["id"] for r in truth}) == N


def test_seed_article_is_served_with_its_real_values(served: Served) -> None:
    seed = next(r for r in served.truth() if r["url"].endswith("/" + SEED_SLUG))
    assert seed["title"] == (
        "Anjangsama Media Sosial 2021: Optimalisasi Pengelolaan Media Sosial Lembaga"
    )
    assert (seed["published"], seed["author"], seed["editor"]) == (
        "2021-12-09",
        "TR",
        "Sitty Annisaa",
    )
    assert (seed["views"], seed["place"], seed["event_times"]) == (2899, "Jakarta", [])
    paragraphs = seed["body"].split("\n\n")
    assert len(paragraphs) == 6
    assert paragraphs[0].startswith("Jakarta – 9/12/2021, Biro Perencanaan dan Hubungan")
    assert "0,21 % yang berada di bawah rata-rata rasio interaksi 2.15%" in paragraphs[3]
    assert paragraphs[-1] == "(TR)"
    assert seed["images"] == [served.base + "/uploads/berita/anjangsama-media-sosial-2021.jpg"]
    assert seed["attachments"] == []


def test_seed_article_page_has_the_reference_layout(served: Served) -> None:
    page = fetch(served.base, f"/publikasi/berita/{SEED_SLUG}").text
    reference = FIXTURE.read_text(encoding="utf-8")

    def article(html: str) -> str:
        return html[html.index('<article class="col-main news-detail">') : html.index("</article>")]

    assert article(page) == article(reference)
    assert (
        page.split("<body>")[1].split("<main")[0] == reference.split("<body>")[1].split("<main")[0]
    )
    assert page.split("</main>")[1] == reference.split("</main>")[1]


def test_article_pages_show_exactly_the_truth(served: Served) -> None:
    for record in served.truth():
        path = urlsplit(record["url"]).path
        root = lxml.html.fromstring(fetch(served.base, path).body)
        content = root.cssselect(".news-content")[0]
        for br in content.iter("br"):  # <br> reads as a space (docs/fields.md)
            br.tail = " " + (br.tail or "")
        paragraphs = [" ".join(text_of(p).split()) for p in content.iter("p")]
        assert "\n\n".join(p for p in paragraphs if p) == record["body"]
        assert text_of(root.cssselect("h1.news-title")[0]) == record["title"]
        images = [
            served.base + str(i.get("src")) for i in root.cssselect("article.news-detail img")
        ]
        assert images == record["images"]
        pdfs = [served.base + str(a.get("href")) for a in content.iter("a")]
        assert pdfs == record["attachments"]
        views = text_of(root.cssselect("div.views")[0]).split("Views:")[1]
        assert int(views.strip().replace(".", "")) == record["views"]
        meta = text_of(root.cssselect(".news-meta")[0])
        assert f"Penulis : {record['author']}" in meta
        assert ("Editor : " in meta) == (record["editor"] is not None)
        for event in record["event_times"]:
            assert event["text"] in record["body"]


def test_event_times_cover_the_indonesian_forms() -> None:
    site = build_site(120)
    truth = site.truth("http://127.0.0.1:1")
    with_events = [r for r in truth if r["event_times"]]
    assert len(with_events) >= 0.4 * len(truth)
    texts = [e["text"] for r in truth for e in r["event_times"]]
    forms = {
        "weekday, date and time range": r"^[A-Z][a-z]+, \d{1,2} [A-Z][a-z]+ \d{4} pukul \d",
        "open end": r"selesai$",
        "day range": r"^\d{1,2}-\d{1,2} [A-Z][a-z]+ \d{4}$",
        "lone date": r"^\d{1,2} [A-Z][a-z]+ \d{4}$",
        "colon times": r"\d\d:\d\d",
        "dot times": r"\d\d\.\d\d",
        "WITA": r"WITA",
        "WIT": r"WIT\b",
    }
    for name, pattern in forms.items():
        assert any(re.search(pattern, t) for t in texts), name
    opened = [e for r in truth for e in r["event_times"] if e["text"].endswith("selesai")]
    assert all(
        e["end"] is None and e["start"][-6:] in ("+07:00", "+08:00", "+09:00") for e in opened
    )
    wita = next(e for r in truth for e in r["event_times"] if "WITA" in e["text"])
    assert wita["start"].endswith("+08:00")


# --- pages and links ---------------------------------------------------------


def test_robots_disallows_admin_and_names_the_sitemap(served: Served) -> None:
    reply = fetch(served.base, "/robots.txt")
    assert reply.status == 200
    assert reply.header("Content-Type") == "text/plain; charset=utf-8"
    assert reply.text == (
        f"User-agent: *\nDisallow: /admin/\n\nSitemap: {served.base}/sitemap.xml\n"
    )


def test_sitemap_lists_the_listing_and_every_article(served: Served) -> None:
    reply = fetch(served.base, "/sitemap.xml")
    assert reply.header("Transfer-Encoding") == "chunked"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ElementTree.fromstring(reply.body).findall("s:url/s:loc", ns)]
    expected = [served.base + "/publikasi/berita"]
    assert locs == expected + [r["url"] for r in served.truth()]


def test_listing_pages_cover_every_article_once_newest_first(served: Served) -> None:
    seen: list[str] = []
    path: str | None = "/publikasi/berita"
    pages = 0
    while path:
        html = fetch(served.base, path).text
        pages += 1
        seen += links(html, r'<h3 class="news-item-title"><a href="([^"]+)"')
        found = links(html, r'<a href="([^"]+)" rel="next">')
        path = found[0].replace("&amp;", "&") if found else None
    assert pages == 3
    assert seen == [urlsplit(r["url"]).path for r in served.truth()]
    last = fetch(served.base, "/publikasi/berita?page=3").text
    assert 'href="/publikasi/berita?page=2" rel="prev"' in last
    assert '<li><a href="/publikasi/berita">1</a></li>' in last
    for bad in ("?page=4", "?page=0", "?page=x"):
        assert fetch(served.base, "/publikasi/berita" + bad).status == 404


def test_home_links_the_moved_article_and_the_dead_link(served: Served) -> None:
    home = fetch(served.base, "/")
    assert home.status == 200
    cookies = home.all("Set-Cookie")
    assert len(cookies) == 2
    assert {c.split("=")[0] for c in cookies} == {"ci_session", "XSRF-TOKEN"}
    hrefs = links(home.text, r'<a href="(/publikasi/berita/[^"]+)"')
    truth_paths = {urlsplit(r["url"]).path for r in served.truth()}
    others = [h for h in hrefs if h not in truth_paths]
    assert len(others) == 2
    statuses = {h: fetch(served.base, h) for h in others}
    moved = next(r for r in statuses.values() if r.status == 301)
    dead = next(r for r in statuses.values() if r.status != 301)
    assert dead.status == 404 and "Halaman Tidak Ditemukan" in dead.text
    location = moved.header("Location") or ""
    assert urlsplit(location).path in truth_paths and location.startswith(served.base)
    # an article links both too, outside its content, so a spider meets them
    hosts = [
        r
        for r in served.truth()
        if all(h in fetch(served.base, urlsplit(r["url"]).path).text for h in others)
    ]
    assert len(hosts) == 1
    page = fetch(served.base, urlsplit(hosts[0]["url"]).path).text
    content = page.split('<div class="news-content">')[1].split("</div>")[0]
    assert all(h not in content for h in others)


def test_unknown_paths_404_and_trailing_slashes_redirect(served: Served) -> None:
    missing = fetch(served.base, "/tidak/ada")
    assert missing.status == 404
    assert missing.header("Content-Type") == "text/html; charset=utf-8"
    slash = fetch(served.base, "/publikasi/berita/")
    assert (slash.status, slash.header("Location")) == (301, served.base + "/publikasi/berita")


def test_admin_login_exists_and_its_fetch_is_logged(served: Served) -> None:
    reply = fetch(served.base, "/admin/login")
    assert reply.status == 200 and "<form" in reply.text
    assert any(e["path"] == "/admin/login" for e in served.log())


# --- HTTP behaviour ----------------------------------------------------------


def test_conditional_requests_get_304(served: Served) -> None:
    path = urlsplit(served.truth()[0]["url"]).path
    first = fetch(served.base, path)
    etag, modified = first.header("ETag"), first.header("Last-Modified")
    assert etag and re.fullmatch(r'"[0-9a-f]{20}"', etag) and modified
    again = fetch(served.base, path, **{"If-None-Match": etag})
    assert (again.status, again.body, again.header("ETag")) == (304, b"", etag)
    assert fetch(served.base, path, **{"If-Modified-Since": modified}).status == 304
    older = format_datetime(parsedate_to_datetime(modified).replace(year=2020), usegmt=True)
    assert fetch(served.base, path, **{"If-Modified-Since": older}).status == 200
    assert fetch(served.base, path, **{"If-None-Match": '"other"'}).status == 200
    zipped = fetch(served.base, path, **{"Accept-Encoding": "gzip"})
    gz_etag = zipped.header("ETag") or ""
    assert gz_etag != etag
    headers = {"Accept-Encoding": "gzip", "If-None-Match": gz_etag}
    assert fetch(served.base, path, **headers).status == 304


def test_gzip_only_when_the_client_accepts_it(served: Served) -> None:
    path = urlsplit(served.truth()[1]["url"]).path
    plain = fetch(served.base, path)
    assert plain.header("Content-Encoding") is None
    assert plain.header("Content-Length") == str(len(plain.body))
    assert plain.header("Vary") == "Accept-Encoding"
    zipped = fetch(served.base, path, **{"Accept-Encoding": "gzip, deflate"})
    assert zipped.header("Content-Encoding") == "gzip"
    assert zipped.header("Vary") == "Accept-Encoding"
    assert gzip.decompress(zipped.body) == plain.body
    refused = fetch(served.base, path, **{"Accept-Encoding": "gzip;q=0"})
    assert refused.header("Content-Encoding") is None
    image = fetch(served.base, "/assets/img/logo-anri.png", **{"Accept-Encoding": "gzip"})
    assert image.header("Content-Encoding") is None and image.body.startswith(b"\x89PNG")


def test_listing_goes_out_chunked_with_correct_framing(served: Served) -> None:
    request = (
        b"GET /publikasi/berita?page=2 HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
        b"Connection: close\r\n\r\n"
    )
    head, rest = raw_exchange(served.base, request)
    assert b"\r\nTransfer-Encoding: chunked" in head and b"Content-Length" not in head
    body, count = dechunk(rest)
    assert count >= 1
    assert gzip.decompress(body) == fetch(served.base, "/publikasi/berita?page=2").body
    # HTTP/1.0 clients cannot read chunks: they get a length
    head10, rest10 = raw_exchange(served.base, b"GET /publikasi/berita HTTP/1.0\r\n\r\n")
    assert b"Transfer-Encoding" not in head10
    assert f"Content-Length: {len(rest10)}".encode() in head10


def test_head_sends_headers_without_a_body(served: Served) -> None:
    path = urlsplit(served.truth()[2]["url"]).path
    get, head = fetch(served.base, path), fetch(served.base, path, "HEAD")
    assert head.status == 200 and head.body == b""
    assert head.header("Content-Length") == str(len(get.body))
    assert head.header("ETag") == get.header("ETag")
    assert head.header("Date")


def test_keep_alive_serves_several_requests_on_one_connection(served: Served) -> None:
    parts = urlsplit(served.base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        for path in ("/robots.txt", "/publikasi/berita", "/assets/css/style.css"):
            conn.request("GET", path)
            resp = conn.getresponse()
            assert resp.status == 200 and resp.read()
            assert resp.getheader("Connection") is None
    finally:
        conn.close()


def test_log_has_one_line_per_response_as_sent(served: Served) -> None:
    before = len(served.log())
    requests = [
        ("GET", "/publikasi/berita", {"Accept-Encoding": "gzip"}),
        ("GET", "/assets/js/main.js", {}),
        ("HEAD", "/", {}),
        ("GET", "/nope", {}),
    ]
    replies = [fetch(served.base, path, method, **h) for method, path, h in requests]
    entries = served.log()[before:]
    assert len(entries) == len(requests)
    for (method, path, _), reply, entry in zip(requests, replies, entries, strict=True):
        assert entry["method"] == method and entry["path"] == path
        assert entry["status"] == reply.status
        assert entry["bytes"] == len(reply.body)
        assert entry["sha1"] == hashlib.sha1(reply.body).hexdigest()
        assert entry["content_type"] == reply.header("Content-Type")
        assert entry["encoding"] == reply.header("Content-Encoding")
        assert entry["chunked"] == (
            reply.header("Transfer-Encoding") == "chunked" and method == "GET"
        )
        assert entry["ua"] == UA
    assert entries[0]["chunked"] and entries[0]["encoding"] == "gzip"


# --- files -------------------------------------------------------------------


def check_png(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds, idat = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, chunk = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + chunk) & 0xFFFFFFFF
        kinds.append(kind)
        idat += chunk if kind == b"IDAT" else b""
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and pos == len(data)
    width, height = struct.unpack(">II", data[16:24])
    assert len(zlib.decompress(idat)) == height * (1 + 3 * width)
    return width, height


def check_jpeg(data: bytes) -> tuple[int, int]:
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    pos, markers, size = 2, [], (0, 0)
    while True:
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        markers.append(marker)
        if marker == 0xC0:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            size = (width, height)
        pos += 2 + length
        if marker == 0xDA:
            break
    scan = data[pos:-2]
    assert scan and re.search(rb"\xff[^\x00]", scan) is None  # stuffed, no stray marker
    assert markers == [0xE0, 0xDB, 0xC0, 0xC4, 0xDA]
    return size


def test_images_are_real_png_and_jpeg(served: Served) -> None:
    urls = [u for r in served.truth() for u in r["images"]]
    urls += [served.base + p for p in ("/assets/img/logo-anri.png", "/assets/img/favicon.png")]
    kinds = set()
    for url in urls:
        reply = fetch(served.base, urlsplit(url).path)
        assert reply.status == 200
        assert 100 < len(reply.body) < 20000
        if url.endswith(".png"):
            assert reply.header("Content-Type") == "image/png"
            assert check_png(reply.body) > (0, 0)
        else:
            assert reply.header("Content-Type") == "image/jpeg"
            width, height = check_jpeg(reply.body)
            assert width > 0 and height > 0
        kinds.add(url.rsplit(".", 1)[1])
    assert kinds == {"png", "jpg"}


def test_attachments_are_valid_pdfs(served: Served) -> None:
    urls = [u for r in served.truth() for u in r["attachments"]]
    assert urls
    for url in urls:
        reply = fetch(served.base, urlsplit(url).path)
        data = reply.body
        assert reply.header("Content-Type") == "application/pdf"
        assert data.startswith(b"%PDF-1.4\n") and data.endswith(b"%%EOF")
        xref = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
        assert data[xref:].startswith(b"xref\n0 7\n")
        entries = data[xref:].split(b"\n", 2)[2][: 20 * 7]
        for number in range(1, 7):
            offset = int(entries[20 * number : 20 * number + 10])
            assert data[offset:].startswith(b"%d 0 obj" % number)


def test_css_and_js_are_served_with_charset(served: Served) -> None:
    css = fetch(served.base, "/assets/css/style.css")
    js = fetch(served.base, "/assets/js/main.js")
    assert css.header("Content-Type") == "text/css; charset=utf-8" and b".news-title" in css.body
    assert js.header("Content-Type") == "application/javascript; charset=utf-8"


# --- determinism, epochs, latency -------------------------------------------


def test_same_arguments_give_the_same_bytes_in_another_process(
    served: Served, inproc: DemoSite
) -> None:
    truth = served.truth()
    paths = ["/", "/publikasi/berita", "/publikasi/berita?page=3", "/assets/css/style.css"]
    paths += [urlsplit(r["url"]).path for r in truth[::4]]
    paths += [urlsplit(u).path for r in truth for u in r["images"] + r["attachments"]][:6]
    for path in paths:
        ours, theirs = fetch(served.base, path), fetch(inproc.base_url, path)
        assert ours.body == theirs.body, path
        assert ours.header("ETag") == theirs.header("ETag")
        assert ours.header("Last-Modified") == theirs.header("Last-Modified")
    mine = [dict(r, id=None, url=r["url"].split("/", 3)[3]) for r in inproc.truth()]
    theirs_truth = [dict(r, id=None, url=r["url"].split("/", 3)[3]) for r in truth]
    for record in (*mine, *theirs_truth):
        record["images"] = [u.split("/", 3)[3] for u in record["images"]]
        record["attachments"] = [u.split("/", 3)[3] for u in record["attachments"]]
    assert mine == theirs_truth


def test_epochs_add_articles_raise_views_and_edit_some() -> None:
    base = "http://127.0.0.1:1"
    before = {r["url"]: r for r in build_site(N, 0).truth(base)}
    later = build_site(N, 2).truth(base)
    assert [r["url"] for r in later[-N:]] == list(before)  # old ones keep their URLs, newest first
    new = later[: len(later) - N]
    assert 6 <= len(new) <= 10
    assert all(r["published"] >= "2024-01-02" and r["url"] not in before for r in new)
    older = later[len(new) :]
    assert all(r["views"] >= before[r["url"]]["views"] for r in older)
    assert sum(r["views"] > before[r["url"]]["views"] for r in older) >= 10
    edited = [
        r
        for r in older
        if (r["title"], r["body"]) != (before[r["url"]]["title"], before[r["url"]]["body"])
    ]
    assert 2 <= len(edited) <= 6
    assert build_site(N, 2).truth(base) == later
    with DemoSite(articles=N) as zero, DemoSite(articles=N, epoch=2) as two:
        path = urlsplit(edited[0]["url"]).path
        a, b = fetch(zero.base_url, path), fetch(two.base_url, path)
        assert a.header("ETag") != b.header("ETag")
        assert parsedate_to_datetime(b.header("Last-Modified") or "") > parsedate_to_datetime(
            a.header("Last-Modified") or ""
        )
        seed = f"/publikasi/berita/{SEED_SLUG}"
        assert "Views: 2899" in fetch(two.base_url, seed).text


def test_latency_delays_each_response() -> None:
    with DemoSite(articles=3, latency_ms=150) as site:
        started = time.monotonic()
        assert fetch(site.base_url, "/robots.txt").status == 200
        assert time.monotonic() - started >= 0.15
        assert [e["path"] for e in site.log] == ["/robots.txt"]


# --- command line ------------------------------------------------------------


def test_export_writes_a_static_site(tmp_path: Path, inproc: DemoSite) -> None:
    out, truth = tmp_path / "site", tmp_path / "truth.jsonl"
    result = run_cli("--articles", str(N), "--export", str(out), "--truth", str(truth))
    assert result.returncode == 0, result.stderr
    assert "exported" in result.stdout
    first = inproc.truth()[0]
    slug_path = urlsplit(first["url"]).path
    article = out / slug_path.strip("/") / "index.html"
    assert article.read_bytes() == fetch(inproc.base_url, slug_path).body
    listing = (out / "publikasi/berita/index.html").read_text(encoding="utf-8")
    assert 'href="/publikasi/berita/page/2/" rel="next"' in listing
    assert (out / "publikasi/berita/page/3/index.html").exists()
    for name in ("index.html", "robots.txt", "sitemap.xml", "404.html", "admin/login/index.html"):
        assert (out / name).is_file(), name
    assert (out / "assets/img/logo-anri.png").read_bytes().startswith(b"\x89PNG")
    conf = (out / "nginx.conf").read_text(encoding="utf-8")
    assert "return 301 /publikasi/berita/" in conf and f"root {out.resolve()};" in conf
    records = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    assert len(records) == N and records[0]["url"].startswith("http://127.0.0.1:8080/")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_server_with_exit_0(sig: int) -> None:
    proc, line = start_cli("--articles", "3")
    assert line.startswith("serving http://127.0.0.1:")
    assert fetch(line.split()[1].rstrip("/"), "/").status == 200
    assert stop_cli(proc, sig) == 0


def test_bad_arguments_are_refused_in_one_line() -> None:
    result = run_cli("--articles", "0")
    assert result.returncode == 2
    assert result.stderr.strip() == "arsip: --articles must be 1 or more, got 0"
