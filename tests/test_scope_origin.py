"""Scope by origin and redirect targets under the profile's rules: hostile servers on loopback.

Two servers on 127.0.0.1: the site, and another service on the same host at
another port. The site links to the other port, redirects to it (302) and
sends a meta refresh to it; and its article URLs redirect to the home page,
to ``/logout`` (excluded), to a search page, to a robots.txt-forbidden path,
to a PDF and to listing page 2. Every decoy looks like an article, so a
crawl that fetched one would store it. Each crawl (with a site profile, and
zero-config with ``arsip crawl URL``) must store exactly the real articles,
never ask the other port anything, and report every refused target as a
skip with its reason.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy import Request

from crawler.report import load_report
from crawler.spiders.news import NewsSpider
from tests.conftest import read_jsonl, run_arsip

PARAS = "".join(
    f"<p>Paragraf {n}: Dinas Kearsipan melaksanakan pembinaan arsip bagi perangkat daerah di "
    f"aula kantor bupati, diikuti peserta dari {n} organisasi perangkat daerah.</p>"
    for n in range(1, 5)
)


def article_html(title: str) -> bytes:
    """A page every classifier and every profile would take for an article."""
    return (
        '<!DOCTYPE html><html><head><meta property="og:type" content="article">'
        f"<title>{title}</title></head><body><article><h1>{title}</h1>"
        '<p class="tanggal">Senin, 13 Mei 2024</p>'
        f'<div class="isi">{PARAS}</div><p>Penulis : Budi</p></article></body></html>'
    ).encode()


def listing_html(links: list[tuple[str, str]], next_page: str = "", feed: str = "") -> bytes:
    items = "".join(
        f'<div class="item"><h3><a href="{href}">{title}</a></h3>'
        '<span class="tgl">13 Mei 2024</span></div>'
        for href, title in links
    )
    pager = f'<ul class="pagination"><li><a href="{next_page}">2</a></li></ul>' if next_page else ""
    return (
        "<!DOCTYPE html><html><head><title>Berita</title>"
        + (f'<link rel="alternate" type="application/rss+xml" href="{feed}">' if feed else "")
        + "</head><body><h1>Berita</h1>"
        f"{items}{pager}</body></html>"
    ).encode()


@dataclass
class Server:
    """A threaded HTTP server on 127.0.0.1, port 0, logging every request path."""

    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    httpd: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> Server:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.log.append(self.path)
                status, headers, body = server.routes.get(
                    self.path, (200, {}, article_html(f"Halaman lain di {self.path}"))
                )
                self.send_response(status)
                headers = {"Content-Type": "text/html; charset=utf-8", **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()


@dataclass
class Sites:
    site: Server
    other: Server


def redirect(to: str) -> tuple[int, dict[str, str], bytes]:
    return 302, {"Location": to}, b"moved"


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    site, other = Server().start(), Server().start()
    away = other.base
    real = [(f"/berita/artikel-{n}", f"Artikel nyata nomor {n} dari dinas") for n in (1, 2, 3, 4)]
    decoys = {
        "/berita/ke-beranda": "/",
        "/berita/ke-logout": "/logout",
        "/berita/ke-pencarian": "/cari?q=arsip",
        "/berita/ke-rahasia": "/rahasia/dokumen",
        "/berita/ke-pdf": "/berkas/laporan.pdf",
        "/berita/ke-halaman-2": "/berita?page=2",
        "/berita/ke-port-lain": f"{away}/berita/di-port-lain",
    }
    links = [*real[:2], *((path, f"Tautan {path} yang dialihkan") for path in decoys)]
    links += [
        (f"{away}/berita/tautan-port-lain", "Tautan ke layanan di port lain"),
        ("/berita/segarkan-ke-port-lain", "Halaman dengan meta refresh ke port lain"),
    ]
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{site.base}/berita/artikel-3</loc></url>"
        f"<url><loc>{away}/berita/peta-port-lain</loc></url></urlset>"
    ).encode()
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Berita</title>'
        f"<item><title>a</title><link>{site.base}/berita/artikel-4</link></item>"
        f"<item><title>b</title><link>{away}/berita/umpan-port-lain</link></item>"
        "</channel></rss>"
    ).encode()
    site.routes.update(
        {
            "/sitemap.xml": (200, {"Content-Type": "application/xml"}, sitemap),
            "/berita/feed": (200, {"Content-Type": "application/rss+xml"}, feed),
            "/robots.txt": (
                200,
                {"Content-Type": "text/plain"},
                b"User-agent: *\nDisallow: /rahasia/\n",
            ),
            "/berita": (200, {}, listing_html(links, "/berita?page=2", "/berita/feed")),
            "/berita?page=2": (200, {}, listing_html(real[2:] + real[:2])),
            "/berkas/laporan.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n%%EOF\n"),
            "/berita/segarkan-ke-port-lain": (
                200,
                {},
                f'<html><head><meta http-equiv="refresh" content="0; url={away}/berita/segar">'
                "</head><body>Dialihkan</body></html>".encode(),
            ),
            **{path: redirect(to) for path, to in decoys.items()},
            **{path: (200, {}, article_html(title)) for path, title in real},
        }
    )
    yield Sites(site, other)
    site.stop()
    other.stop()


PROFILE = """
name = "dinas"
sitemap_urls = ["/sitemap.xml"]
listing_patterns = ['^/berita/?(\\?page=\\d+)?$']
article_patterns = ['^/berita/[a-z0-9-]+$']
exclude_patterns = ['^/(login|logout)(/|$)']
[crawl]
concurrent_requests_per_host = 4
"""

REAL = {f"/berita/artikel-{n}" for n in (1, 2, 3, 4)}


@dataclass
class Result:
    items: list[dict[str, Any]]
    report: dict[str, Any]
    requested: list[str]
    other_requested: list[str]
    site: str
    other: str

    def skipped(self, path: str, on: str = "") -> set[str]:
        """The reasons the report gives for not fetching *path* of the site (or of *on*)."""
        url = (on or self.site) + path
        return {s["reason"] for s in self.report["skipped"] if s["url"] == url}


def crawl(sites: Sites, tmp: Path, *args: str) -> Result:
    before, other_before = len(sites.site.log), len(sites.other.log)
    out = tmp / "out"
    result = run_arsip(*args, "--out", str(out), "--progress", "off", timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    (jsonl,) = (out / "json").glob("*.jsonl")
    crawl_id = jsonl.stem
    report = load_report(out, crawl_id)
    assert report is not None
    return Result(
        read_jsonl(jsonl),
        report,
        sites.site.log[before:],
        sites.other.log[other_before:],
        sites.site.base,
        sites.other.base,
    )


@pytest.fixture(scope="module")
def with_profile(sites: Sites, tmp_path_factory: pytest.TempPathFactory) -> Result:
    tmp = tmp_path_factory.mktemp("profile")
    profile = tmp / "dinas.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    return crawl(sites, tmp, "crawl", str(profile), "--start-url", sites.site.base + "/berita")


@pytest.fixture(scope="module")
def zero_config(sites: Sites, tmp_path_factory: pytest.TempPathFactory) -> Result:
    tmp = tmp_path_factory.mktemp("zero")
    return crawl(sites, tmp, "crawl", sites.site.base + "/berita")


@pytest.mark.parametrize("which", ["with_profile", "zero_config"])
def test_only_the_real_articles_are_stored(which: str, request: pytest.FixtureRequest) -> None:
    result: Result = request.getfixturevalue(which)
    assert {urlsplit(i["url"]).path for i in result.items} == REAL
    assert len(result.items) == 4


@pytest.mark.parametrize("which", ["with_profile", "zero_config"])
def test_another_port_of_the_same_host_is_never_asked(
    which: str, request: pytest.FixtureRequest
) -> None:
    result: Result = request.getfixturevalue(which)
    assert result.other_requested == []
    away = result.other
    assert result.skipped("/berita/tautan-port-lain", on=away) == {"out_of_scope"}  # a link
    assert "out_of_scope" in result.skipped("/berita/di-port-lain", on=away)  # a 302
    assert result.skipped("/berita/segar", on=away) == {"out_of_scope"}  # a meta refresh
    assert result.skipped("/berita/peta-port-lain", on=away) == {"out_of_scope"}  # a sitemap


def test_redirect_targets_pass_the_profiles_rules(with_profile: Result) -> None:
    requested = set(with_profile.requested)
    assert not requested & {"/", "/logout", "/cari?q=arsip", "/rahasia/dokumen"}
    assert with_profile.skipped("/logout") == {"excluded"}
    assert with_profile.skipped("/cari?q=arsip") == {"not_news"}
    assert with_profile.skipped("/") == {"not_news"}
    assert with_profile.skipped("/rahasia/dokumen") == {"robots"}
    # a document is fetched (a requisite, archived) but is no article; page 2 is a listing
    assert "/berkas/laporan.pdf" in requested
    assert "/berita?page=2" in requested


def test_a_feed_entry_on_another_port_is_refused(zero_config: Result) -> None:
    assert "/berita/feed" in zero_config.requested
    assert zero_config.skipped("/berita/umpan-port-lain", on=zero_config.other) == {"out_of_scope"}


def test_zero_config_redirect_targets_keep_to_the_section(zero_config: Result) -> None:
    requested = set(zero_config.requested)
    assert not requested & {"/", "/logout", "/cari?q=arsip", "/rahasia/dokumen"}
    assert zero_config.skipped("/logout") == {"trap_account"}
    assert zero_config.skipped("/cari?q=arsip") == {"trap_search"}
    assert zero_config.skipped("/") == {"out_of_section"}
    assert zero_config.skipped("/rahasia/dokumen") == {"robots"}
    classified = {p["url"].split("/", 3)[-1]: p for p in zero_config.report["classified"]["pages"]}
    assert classified["berita?page=2"]["kind"] == "listing"
    assert {p["kind"] for u, p in classified.items() if "artikel-" in u} == {"article"}


def test_the_report_json_lists_the_refusals(with_profile: Result) -> None:
    reasons = with_profile.report["skipped_by_reason"]
    assert reasons.get("excluded", 0) >= 1 and reasons.get("out_of_scope", 0) >= 3
    assert json.dumps(with_profile.report)  # a plain JSON document


def test_profile_new_obeys_robots_txt(sites: Sites, tmp_path: Path) -> None:
    before = len(sites.site.log)
    out = tmp_path / "p.toml"
    result = run_arsip("profile", "new", sites.site.base + "/rahasia/berita", "--out", str(out))
    assert result.returncode == 4, result.stderr
    assert result.stderr.count("\n") == 1 and "forbidden by robots.txt" in result.stderr
    assert sites.site.log[before:] == ["/robots.txt"]
    assert not out.exists()


def test_redirect_rules_apply_to_the_spiders_pages_not_to_robots_txt(tmp_path: Path) -> None:
    profile = tmp_path / "dinas.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    spider = NewsSpider(profile=str(profile), start_url="http://dinas.example/berita")
    moved = {"redirect_urls": ["http://dinas.example/berita/lama"]}
    robots = Request("https://dinas.example/robots.txt", meta=moved)
    assert spider.redirect_refusal(robots) is None  # Scrapy's request: its own rules
    page = Request("https://dinas.example/logout", callback=spider.parse_article, meta=moved)
    assert spider.redirect_refusal(page) == "excluded"
    home = Request("https://dinas.example/", callback=spider.parse_article, meta=moved)
    assert spider.redirect_refusal(home) == "not_news"
    listing = Request("https://dinas.example/berita?page=2", callback=spider.parse, meta=moved)
    assert spider.redirect_refusal(listing) is None
    image = Request(
        "https://dinas.example/logout/foto.png", callback=spider.parse_requisite, meta=moved
    )
    assert spider.redirect_refusal(image) == "excluded"
    elsewhere = Request(
        "https://dinas.example/uploads/foto.png", callback=spider.parse_requisite, meta=moved
    )
    assert spider.redirect_refusal(elsewhere) is None
