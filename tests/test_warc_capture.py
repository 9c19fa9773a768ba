"""WarcCaptureMiddleware: a real Scrapy crawl of a loopback site, then the WARC read back.

The site runs in a thread of the test process (http.server, HTTP/1.1, port 0)
and records every request it receives; the crawl runs in a subprocess
(tests/spiders_for_tests/capture_spider.py) with the middleware at 950.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.settings.default_settings import DOWNLOADER_MIDDLEWARES_BASE
from scrapy.utils.test import get_crawler

from archive.reader import StoredRecord, iter_records, read_record_at
from archive.writer import WarcFileWriter
from arsip.core.errors import ArsipError
from arsip.errors import EXIT_CONFIG, EXIT_OUTPUT, exit_code
from crawler.middlewares.warc_capture import (
    DEFAULTS,
    PRIORITY,
    WarcCaptureMiddleware,
    request_message,
    response_message,
)

ROOT = Path(__file__).resolve().parent.parent
SPIDER = Path(__file__).resolve().parent / "spiders_for_tests" / "capture_spider.py"
WARCIO = Path(sys.executable).parent / "warcio"

PAGE = b"<html><head><title>arsip</title></head><body><p>Berita ANRI</p></body></html>"
GZIP_PLAIN = b"<html><body>" + b"<p>Arsip Nasional Republik Indonesia</p>" * 40 + b"</body></html>"
GZIP_BODY = gzip.compress(GZIP_PLAIN, mtime=0)
CHUNKS = (b"<html><body>", b"<p>potongan satu</p>", b"<p>potongan dua</p>", b"</body></html>")
ROBOTS = b"User-agent: *\nDisallow: /private\n"


# -- the site --------------------------------------------------------------------


@dataclass
class Received:
    """A request as the server read it: request line and headers in wire order."""

    requestline: str
    headers: list[tuple[str, str]]


@dataclass
class Site:
    base: str
    received: list[Received] = field(default_factory=list)
    flaky_hits: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        site = self.server.site
        with site.lock:
            site.received.append(Received(self.requestline, list(self.headers.items())))
        path = urlsplit(self.path).path
        html = (("Content-Type", "text/html; charset=utf-8"),)
        if path == "/robots.txt":
            self._send(200, ROBOTS, (("Content-Type", "text/plain"),))
        elif path == "/gzip":
            self._send(200, GZIP_BODY, (*html, ("Content-Encoding", "gzip")))
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in CHUNKS:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/cookies":
            cookies = (("Set-Cookie", "sesi=abc; Path=/"), ("Set-Cookie", "bahasa=id; Path=/"))
            self._send(200, PAGE, (*html, *cookies))
        elif path == "/redirect":
            self._send(301, b"moved", (("Location", "/target?from=redirect"),))
        elif path == "/missing":
            self._send(404, b"tidak ada", html)
        elif path == "/flaky":
            with site.lock:
                site.flaky_hits += 1
                first = site.flaky_hits == 1
            if first:
                self._send(503, b"sibuk", html)
            else:
                self._send(200, PAGE, html)
        else:  # /target, /search, /after-cookies
            self._send(200, PAGE, html)


class _Server(ThreadingHTTPServer):
    site: Site
    daemon_threads = True


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    server = _Server(("127.0.0.1", 0), _Handler)
    host, port = server.server_address[:2]
    server.site = Site(f"http://{host!s}:{port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.site
    server.shutdown()
    server.server_close()
    thread.join(5)


# -- the crawl ---------------------------------------------------------------------


@dataclass
class Crawl:
    warc_dir: Path
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    records: list[tuple[Path, StoredRecord]]
    log: str

    def of_type(self, rec_type: str) -> list[StoredRecord]:
        return [r for _, r in self.records if r.rec_type == rec_type]

    def responses_for(self, path: str) -> list[StoredRecord]:
        return [
            r
            for r in self.of_type("response")
            if urlsplit(r.header("WARC-Target-URI") or "").path == path
        ]


START_PATHS = (
    "/gzip",
    "/chunked",
    "/cookies",
    "/redirect",
    "/missing",
    "/flaky",
    "/search?q=arsip+nasional&page=2#hasil",
    "/private",
)


@pytest.fixture(scope="module")
def crawl(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    work = tmp_path_factory.mktemp("crawl")
    warc_dir = work / "warc"
    items_path = work / "items.jsonl"
    config = {
        "urls": [site.base + path for path in START_PATHS],
        "follow": {"/cookies": "/after-cookies"},
        "stats": str(work / "stats.json"),
        "settings": {
            "DOWNLOADER_MIDDLEWARES": {
                "crawler.middlewares.warc_capture.WarcCaptureMiddleware": 950
            },
            "WARC_DIR": str(warc_dir),
            "WARC_MAX_SIZE": 3000,  # small: the crawl rolls over several files
            "ARSIP_CRAWL_ID": "crawl-test-1",
            "ARSIP_COLLECTION": "uji",
            "USER_AGENT": "arsip-test/1.0 (+http://127.0.0.1/)",
            "ROBOTSTXT_OBEY": True,
            "RETRY_TIMES": 2,
            "CONCURRENT_REQUESTS": 4,
            "DOWNLOAD_TIMEOUT": 10,
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "LOG_LEVEL": "INFO",
            "FEEDS": {str(items_path): {"format": "jsonlines"}},
        },
    }
    config_path = work / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(SPIDER), str(config_path)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    (work / "crawl.log").write_text(done.stderr, encoding="utf-8")
    assert done.returncode == 0, done.stderr[-3000:]
    records = []
    for path in sorted(warc_dir.iterdir()):
        for entry in iter_records(path):
            records.append((path, read_record_at(path, entry.offset, entry.length)))
    items = [json.loads(line) for line in items_path.read_text("utf-8").splitlines()]
    stats = json.loads((work / "stats.json").read_text("utf-8"))
    return Crawl(warc_dir, items, stats, records, done.stderr)


def _header(record: StoredRecord, name: bytes) -> list[bytes]:
    return [v for k, v in record.http_headers() if k.lower() == name.lower()]


# -- what the WARC holds ---------------------------------------------------------------


def test_every_exchange_is_archived_including_robots_redirects_errors_and_retries(
    crawl: Crawl,
) -> None:
    statuses = {
        urlsplit(r.header("WARC-Target-URI") or "").path: r.http_start_line
        for r in crawl.of_type("response")
    }
    assert statuses["/robots.txt"] == b"HTTP/1.1 200 OK"
    assert statuses["/redirect"] == b"HTTP/1.1 301 Moved Permanently"
    assert statuses["/target"] == b"HTTP/1.1 200 OK"
    assert statuses["/missing"] == b"HTTP/1.1 404 Not Found"
    flaky = [r.http_start_line for r in crawl.responses_for("/flaky")]
    assert flaky == [b"HTTP/1.1 503 Service Unavailable", b"HTTP/1.1 200 OK"]
    assert "/private" not in statuses  # forbidden by robots.txt: never fetched
    for path in ("/gzip", "/chunked", "/cookies", "/after-cookies", "/search"):
        assert statuses[path] == b"HTTP/1.1 200 OK"
    # robots.txt, 301, 404 and 503 besides the seven 2xx pages the spider saw
    assert len(crawl.of_type("response")) == 11


def test_one_response_record_per_request_the_server_received(site: Site, crawl: Crawl) -> None:
    assert len(crawl.of_type("response")) == len(site.received)
    assert len(crawl.of_type("request")) == len(site.received)


def test_request_records_are_what_the_server_received(site: Site, crawl: Crawl) -> None:
    received = sorted((r.requestline, r.headers) for r in site.received)
    recorded = []
    for record in crawl.of_type("request"):
        headers = [(k.decode(), v.decode()) for k, v in record.http_headers()]
        recorded.append((record.http_start_line.decode(), headers))
    assert sorted(recorded) == received


def test_request_records_carry_host_user_agent_encoding_and_cookies(
    site: Site, crawl: Crawl
) -> None:
    host = urlsplit(site.base).netloc.encode()
    for record in crawl.of_type("request"):
        assert _header(record, b"Host") == [host]
        assert _header(record, b"User-Agent") == [b"arsip-test/1.0 (+http://127.0.0.1/)"]
        assert b"gzip" in _header(record, b"Accept-Encoding")[0]
    (after,) = [
        r for r in crawl.of_type("request") if r.http_start_line.startswith(b"GET /after-cookies ")
    ]
    assert _header(after, b"Cookie") == [b"sesi=abc; bahasa=id"]


def test_query_string_is_kept_in_request_line_and_target_uri(site: Site, crawl: Crawl) -> None:
    (request,) = [r for r in crawl.of_type("request") if b"/search" in r.http_start_line]
    assert request.http_start_line == b"GET /search?q=arsip+nasional&page=2 HTTP/1.1"
    expected_uri = site.base + "/search?q=arsip+nasional&page=2"  # no fragment
    assert request.header("WARC-Target-URI") == expected_uri
    (response,) = crawl.responses_for("/search")
    assert response.header("WARC-Target-URI") == expected_uri


def test_gzip_body_is_stored_as_sent_and_the_spider_saw_it_decoded(crawl: Crawl) -> None:
    (record,) = crawl.responses_for("/gzip")
    assert record.payload == GZIP_BODY
    assert _header(record, b"Content-Encoding") == [b"gzip"]
    assert _header(record, b"Content-Length") == [str(len(GZIP_BODY)).encode()]
    (item,) = [i for i in crawl.items if i["url"].endswith("/gzip")]
    assert item["body"].encode("latin-1") == GZIP_PLAIN


def test_chunked_body_is_stored_dechunked_without_transfer_encoding(crawl: Crawl) -> None:
    (record,) = crawl.responses_for("/chunked")
    assert record.payload == b"".join(CHUNKS)
    assert _header(record, b"Transfer-Encoding") == []
    assert _header(record, b"Content-Length") == [str(len(record.payload)).encode()]


def test_repeated_set_cookie_headers_stay_separate_lines(crawl: Crawl) -> None:
    (record,) = crawl.responses_for("/cookies")
    assert b"\r\nSet-Cookie: sesi=abc; Path=/\r\n" in record.http_head
    assert _header(record, b"Set-Cookie") == [b"sesi=abc; Path=/", b"bahasa=id; Path=/"]


def test_every_content_length_equals_the_stored_body(crawl: Crawl) -> None:
    for record in crawl.of_type("response"):
        assert _header(record, b"Content-Length") == [str(len(record.payload)).encode()]
        assert _header(record, b"Transfer-Encoding") == []


def test_every_response_has_a_concurrent_request_and_the_same_date(crawl: Crawl) -> None:
    requests = {r.header("WARC-Concurrent-To"): r for r in crawl.of_type("request")}
    for response in crawl.of_type("response"):
        request = requests[response.header("WARC-Record-ID")]
        assert request.header("WARC-Target-URI") == response.header("WARC-Target-URI")
        assert request.header("WARC-Date") == response.header("WARC-Date")
        assert response.header("WARC-IP-Address") == "127.0.0.1"


def test_files_are_closed_rolled_over_and_each_opens_with_warcinfo(crawl: Crawl) -> None:
    names = sorted(p.name for p in crawl.warc_dir.iterdir())
    assert len(names) >= 3
    assert all(name.endswith(".warc.gz") for name in names)  # no ".open" left
    assert [name.split("-")[2] for name in names] == [f"{i:05d}" for i in range(len(names))]
    for path in crawl.warc_dir.iterdir():
        first = next(r for p, r in crawl.records if p == path)
        assert first.rec_type == "warcinfo"
        assert b"crawl-id: crawl-test-1\r\n" in first.block
        assert b"robots: obey\r\n" in first.block
        assert b"http-header-user-agent: arsip-test/1.0 (+http://127.0.0.1/)\r\n" in first.block


def test_items_point_at_their_response_records(crawl: Crawl) -> None:
    assert len(crawl.items) == 7  # the 2xx responses the spider saw (robots.txt is not one)
    for item in crawl.items:
        location = item["warc"]
        record = read_record_at(
            crawl.warc_dir / location["filename"], location["offset"], location["length"]
        )
        assert record.rec_type == "response"
        assert record.header("WARC-Target-URI") == item["url"]
        assert record.header("WARC-Record-ID") == location["record_id"]
        assert record.header("WARC-Payload-Digest") == location["payload_digest"]
        assert record.header("WARC-Date") == location["warc_date"] == item["fetched_at"]
        assert record.http_start_line == b"HTTP/1.1 200 OK"
        assert record.digest_problems() == []


def test_redirected_item_points_at_the_final_response(crawl: Crawl) -> None:
    (item,) = [i for i in crawl.items if "/target" in i["url"]]
    (target,) = crawl.responses_for("/target")
    assert item["warc"]["record_id"] == target.header("WARC-Record-ID")


def test_stats_count_what_was_written(crawl: Crawl) -> None:
    stats = crawl.stats
    assert stats["warc/responses"] == len(crawl.of_type("response"))
    assert stats["warc/requests"] == len(crawl.of_type("request"))
    assert stats["warc/records"] == len(crawl.records)
    assert stats["warc/files"] == len(list(crawl.warc_dir.iterdir()))
    assert stats["warc/bytes"] == sum(p.stat().st_size for p in crawl.warc_dir.iterdir())
    assert "warc/errors" not in stats


def test_warcio_check_and_index_accept_the_files(crawl: Crawl) -> None:
    files = sorted(str(p) for p in crawl.warc_dir.iterdir())
    check = subprocess.run(
        [str(WARCIO), "check", *files], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run(
        [str(WARCIO), "index", "-f", "warc-type,offset,length", *files],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    assert len(rows) == len(crawl.records)
    by_place = {(int(r["offset"]), int(r["length"])) for r in rows}
    assert {(r.offset, r.length) for _, r in crawl.records} == by_place


# -- configuration and failure (no crawl) --------------------------------------------------


def test_priority_is_above_every_builtin_downloader_middleware() -> None:
    # process_response runs from the highest number down: we see raw responses first
    assert PRIORITY == 950
    assert max(DOWNLOADER_MIDDLEWARES_BASE.values()) < PRIORITY


def test_disabled_middleware_raises_not_configured(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"WARC_ENABLED": False, "WARC_DIR": str(tmp_path)})
    with pytest.raises(NotConfigured, match="WARC_ENABLED"):
        WarcCaptureMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({}, "WARC_DIR"),
        ({"WARC_DIGEST_ALGORITHM": "md5"}, "WARC_DIGEST_ALGORITHM"),
        ({"WARC_MAX_SIZE": 0}, "WARC_MAX_SIZE"),
        ({"WARC_PREFIX": "no/slashes"}, "WARC_PREFIX"),
    ],
)
def test_bad_settings_fail_fast_naming_the_setting(
    tmp_path: Path, settings: dict[str, Any], named: str
) -> None:
    if named != "WARC_DIR":
        settings = {"WARC_DIR": str(tmp_path), **settings}
    crawler = get_crawler(settings_dict=settings)
    with pytest.raises(ArsipError, match=named) as raised:
        WarcCaptureMiddleware.from_crawler(crawler)
    assert exit_code(raised.value) == EXIT_CONFIG


def test_defaults_are_documented_constants() -> None:
    assert DEFAULTS == {
        "WARC_DIGEST_ALGORITHM": "sha1",
        "WARC_DIR": "",
        "WARC_ENABLED": True,
        "WARC_MAX_SIZE": 1_000_000_000,
        "WARC_OPERATOR": "",
        "WARC_PREFIX": "ARSIP",
    }


def test_warc_dir_that_cannot_be_created_fails_fast(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    crawler = get_crawler(settings_dict={"WARC_DIR": str(blocker / "warc")})
    with pytest.raises(ArsipError, match="WARC_DIR") as raised:
        WarcCaptureMiddleware.from_crawler(crawler)
    assert exit_code(raised.value) == EXIT_OUTPUT


def test_spider_opened_recovers_files_a_crash_left_open(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"WARC_DIR": str(tmp_path)})
    middleware = WarcCaptureMiddleware.from_crawler(crawler)
    with WarcFileWriter(tmp_path, hostname="another-host") as writer:
        writer.write_exchange(
            "http://example.com/",
            request_message(Request("http://example.com/")),
            response_message(HtmlResponse("http://example.com/", body=PAGE)),
        )
        assert writer.current_path is not None
        leftover = writer.current_path.read_bytes()
    (final,) = tmp_path.iterdir()
    final.rename(tmp_path / (final.name + ".open"))  # as if the writer had crashed
    (tmp_path / (final.name + ".open")).write_bytes(leftover + b"\x1f\x8b\x08half")
    middleware.spider_opened()
    assert [p.name for p in tmp_path.iterdir()] == [final.name]
    assert crawler.stats.get_value("warc/recovered_files") == 1


class _FailingWriter(WarcFileWriter):
    def write_exchange(self, *args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")


def test_write_failure_marks_the_response_uncaptured(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = get_crawler(settings_dict={"WARC_DIR": str(tmp_path)})
    middleware = WarcCaptureMiddleware(_FailingWriter(tmp_path), crawler.stats)
    request = Request("http://example.com/berita")
    response = HtmlResponse(request.url, body=PAGE, request=request)
    assert middleware.process_response(request, response) is response
    assert request.meta["warc"] is None
    assert request.meta["fetched_at"] is None
    assert crawler.stats.get_value("warc/errors") == 1
    assert "No space left on device" in caplog.text


def test_capture_stores_location_and_fetch_time_in_meta(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"WARC_DIR": str(tmp_path)})
    middleware = WarcCaptureMiddleware(WarcFileWriter(tmp_path), crawler.stats)
    request = Request("http://example.com/berita#atas")
    response = HtmlResponse("http://example.com/berita", body=PAGE, request=request)
    middleware.process_response(request, response)
    middleware.spider_closed()
    location = request.meta["warc"]
    assert set(location) == {
        "filename",
        "offset",
        "length",
        "record_id",
        "payload_digest",
        "warc_date",
    }
    assert request.meta["fetched_at"] == location["warc_date"]
    record = read_record_at(tmp_path / location["filename"], location["offset"])
    assert record.header("WARC-Target-URI") == "http://example.com/berita"
    assert record.payload == PAGE


# -- the messages rebuilt from Scrapy objects -----------------------------------------------


def test_request_message_mirrors_twisted_framing() -> None:
    request = Request(
        "http://Example.com:8080/a/b;p?x=1&y=2#frag",
        method="POST",
        body=b"q=arsip",
        headers={"user-agent": "ua", "x-custom": ["1", "2"]},
    )
    message = request_message(request)
    assert message.start_line == "POST /a/b;p?x=1&y=2 HTTP/1.1"
    assert list(message.headers) == [
        (b"Content-Length", b"7"),
        (b"User-Agent", b"ua"),
        (b"X-Custom", b"1"),
        (b"X-Custom", b"2"),
        (b"Host", b"example.com:8080"),  # Scrapy lower-cases the host
    ]
    assert message.body == b"q=arsip"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://example.com/", b"example.com"),
        ("http://example.com:80/", b"example.com"),
        ("https://example.com:443/", b"example.com"),
        ("https://example.com:8443/", b"example.com:8443"),
        ("http://[::1]:8080/", b"[::1]:8080"),
    ],
)
def test_host_header_omits_default_ports(url: str, host: bytes) -> None:
    assert (b"Host", host) in request_message(Request(url)).headers


def test_empty_post_sends_content_length_zero_and_proxy_credentials_are_not_kept() -> None:
    request = Request(
        "http://example.com/kirim",
        method="POST",
        headers={"Proxy-Authorization": "Basic c2VjcmV0"},
        meta={"proxy": "http://proxy.local:3128"},
    )
    message = request_message(request)
    assert message.start_line == "POST http://example.com/kirim HTTP/1.1"
    assert (b"Content-Length", b"0") in message.headers
    assert all(name.lower() != b"proxy-authorization" for name, _ in message.headers)


def test_response_message_keeps_repeated_headers_and_fixes_the_length() -> None:
    response = Response(
        "http://example.com/",
        status=299,
        headers={"Set-Cookie": ["a=1", "b=2"], "Content-Length": "999"},
        body=b"abc",
        protocol="HTTP/1.0",
    )
    message = response_message(response)
    assert message.status_line == "HTTP/1.0 299 "
    assert list(message.headers) == [
        (b"Set-Cookie", b"a=1"),
        (b"Set-Cookie", b"b=2"),
        (b"Content-Length", b"3"),
        (b"X-Orig-Content-Length", b"999"),
    ]
