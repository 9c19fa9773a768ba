"""Response heads and requests in the WARC are the bytes on the socket.

The server here is a plain socket server in a thread of the test process: it
writes each response as literal bytes (an unusual reason phrase, mixed-case
and oddly ordered header names, a repeated header with others between its
lines, chunked bodies) and keeps both what it read (the request) and what it
wrote. A real Scrapy crawl (tests/spiders_for_tests/capture_spider.py, in a
subprocess) with arsip's download handler and capture middleware archives
it, and the WARC is compared with the server's record of the socket.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from archive.reader import StoredRecord, iter_records, read_record_at
from archive.records import stored_head
from tests.conftest import run_arsip

ROOT = Path(__file__).resolve().parent.parent
SPIDER = Path(__file__).resolve().parent / "spiders_for_tests" / "capture_spider.py"

PAGE = b"<html><head><title>uji</title></head><body><p>Berita</p></body></html>"
CHUNKS = (b"<html><body>", b"<p>potongan satu</p>", b"<p>potongan dua</p>", b"</body></html>")

#: path -> (head as written, body as written, body the client gets)
RESPONSES: dict[str, tuple[bytes, bytes, bytes]] = {
    "/odd": (
        b"HTTP/1.1 200 Okay-Fine Sangat Baik\r\n"
        b"content-length: %d\r\n"
        b"X-Mixed-CASE: Satu\r\n"
        b'ETag: "v1"\r\n'
        b"Set-Cookie: a=1; Path=/\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n"
        b"Set-Cookie: b=2; Path=/\r\n"
        b"x-lower: dua\r\n"
        b"Set-Cookie: c=3; Path=/\r\n"
        b"\r\n" % len(PAGE),
        PAGE,
        PAGE,
    ),
    "/chunked": (
        b"HTTP/1.1 200 Terpotong\r\n"
        b"Content-Type: text/html\r\n"
        b"transfer-encoding: chunked\r\n"
        b"X-After: ya\r\n"
        b"\r\n",
        b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in CHUNKS) + b"0\r\n\r\n",
        b"".join(CHUNKS),
    ),
    "/missing": (
        b"HTTP/1.1 404 Tidak Ada Di Sini\r\n"
        b"Server: uji/1.0\r\n"
        b"CONTENT-TYPE: text/plain\r\n"
        b"Content-Length: 9\r\n"
        b"\r\n",
        b"tidak ada",
        b"tidak ada",
    ),
    "/robots.txt": (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\n",
        b"User-agent",
        b"User-agent",
    ),
}


@dataclass
class Exchange:
    request: bytes
    head: bytes
    body: bytes


@dataclass
class Site:
    base: str
    exchanges: list[Exchange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _read_request(conn: socket.socket, pending: bytes) -> tuple[bytes, bytes] | None:
    """(one request's bytes, what came after it) or None at the end of the connection."""
    data = pending
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    end = data.index(b"\r\n\r\n") + 4
    return data[:end], data[end:]  # the crawler sends GETs: no body


def _serve(conn: socket.socket, site: Site) -> None:
    pending = b""
    with conn:
        while True:
            got = _read_request(conn, pending)
            if got is None:
                return
            request, pending = got
            path = request.split(b" ", 2)[1].decode("ascii")
            if path == "/reset":  # read the request, then hang up without a word
                with site.lock:
                    site.exchanges.append(Exchange(request, b"", b""))
                return
            head, body, _ = RESPONSES.get(path, RESPONSES["/missing"])
            with site.lock:
                site.exchanges.append(Exchange(request, head, body))
            conn.sendall(head + body)


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    server = socket.create_server(("127.0.0.1", 0))
    host, port = server.getsockname()[:2]
    site = Site(f"http://{host}:{port}")

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=_serve, args=(conn, site), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield site
    server.close()
    thread.join(5)


@dataclass
class Crawl:
    out: Path
    records: list[StoredRecord]

    def of_type(self, rec_type: str) -> list[StoredRecord]:
        return [r for r in self.records if r.rec_type == rec_type]


@pytest.fixture(scope="module")
def crawl(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    work = tmp_path_factory.mktemp("wire")
    warc_dir = work / "warc"
    config = {
        "urls": [site.base + path for path in ("/odd", "/chunked", "/missing", "/reset")],
        "stats": str(work / "stats.json"),
        "settings": {
            "DOWNLOAD_HANDLERS": {
                "http": "crawler.handlers.http11.AttemptVisibleHTTP11DownloadHandler"
            },
            "DOWNLOADER_MIDDLEWARES": {
                "crawler.middlewares.warc_capture.WarcCaptureMiddleware": 950
            },
            "WARC_DIR": str(warc_dir),
            "ARSIP_CRAWL_ID": "wire-1",
            "ROBOTSTXT_OBEY": True,
            "HTTPERROR_ALLOW_ALL": True,
            "CONCURRENT_REQUESTS": 1,
            "RETRY_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "INFO",
        },
    }
    config_path = work / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(SPIDER), str(config_path)],
        cwd=work,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    records = [
        read_record_at(path, entry.offset, entry.length)
        for path in sorted(warc_dir.iterdir())
        for entry in iter_records(path)
    ]
    return Crawl(work, records)


def _path(record: StoredRecord) -> str:
    uri = record.header("WARC-Target-URI") or ""
    return "/" + uri.split("/", 3)[3]


def test_each_response_head_is_the_bytes_the_server_wrote(site: Site, crawl: Crawl) -> None:
    responses = {_path(r): r for r in crawl.of_type("response")}
    assert set(responses) == {"/robots.txt", "/odd", "/missing", "/chunked"}
    for path in ("/robots.txt", "/odd", "/missing"):
        head, body, _ = RESPONSES[path]
        assert responses[path].http_head == head, path
        assert responses[path].payload == body, path


def test_a_chunked_response_keeps_its_head_with_the_framing_renamed(crawl: Crawl) -> None:
    (record,) = [r for r in crawl.of_type("response") if _path(r) == "/chunked"]
    head, _, body = RESPONSES["/chunked"]
    assert record.payload == body
    assert record.http_head == (
        b"HTTP/1.1 200 Terpotong\r\n"
        b"Content-Type: text/html\r\n"
        b"X-Orig-transfer-encoding: chunked\r\n"
        b"X-After: ya\r\n"
        b"Content-Length: %d\r\n"
        b"\r\n" % len(body)
    )
    assert record.http_head == stored_head(head, len(body), dechunked=True)


def test_each_request_record_is_the_bytes_the_server_read(site: Site, crawl: Crawl) -> None:
    """Those answered and the one the server hung up on (a failed attempt) alike."""
    requests = sorted(r.block for r in crawl.of_type("request"))
    assert requests == sorted(e.request for e in site.exchanges)
    assert any(_path(r) == "/reset" for r in crawl.of_type("request"))


def test_requests_and_responses_carry_the_ip_address(crawl: Crawl) -> None:
    answered = {r.header("WARC-Record-ID") for r in crawl.of_type("response")}
    exchanges = [r for r in crawl.of_type("request") if r.header("WARC-Concurrent-To") in answered]
    assert len(exchanges) == len(answered) == 4
    for record in exchanges + crawl.of_type("response"):
        assert record.header("WARC-IP-Address") == "127.0.0.1"


def test_metadata_records_have_no_payload_digest(crawl: Crawl) -> None:
    metadata = crawl.of_type("metadata")
    assert metadata
    assert all(r.header("WARC-Payload-Digest") is None for r in metadata)
    assert all(r.header("WARC-Block-Digest") for r in metadata)


def test_warcinfo_says_robots_classic(crawl: Crawl) -> None:
    (info,) = crawl.of_type("warcinfo")
    assert b"robots: classic\r\n" in info.block


def test_verify_passes_on_the_wire_exact_warc(crawl: Crawl) -> None:
    done = run_arsip("verify", "--strict", *map(str, sorted((crawl.out / "warc").iterdir())))
    assert done.returncode == 0, done.stdout + done.stderr


def test_foreign_checkers_accept_the_wire_exact_warc(crawl: Crawl) -> None:
    bin_dir = Path(sys.executable).parent
    for tool in ("warcio", "fastwarc"):
        if not (bin_dir / tool).exists():
            pytest.fail(f"{tool} is not installed: `pip install -e '.[dev]'` installs it")
    for path in sorted((crawl.out / "warc").iterdir()):
        for argv in (
            [str(bin_dir / "warcio"), "check", str(path)],
            [str(bin_dir / "fastwarc"), "check", "-p", "-q", str(path)],
            [sys.executable, "-m", "warcat", "verify", str(path)],
        ):
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
            assert done.returncode == 0, (argv, done.stdout[-2000:], done.stderr[-2000:])
            assert "Problems:" not in done.stderr, done.stderr[-2000:]
