"""Scope, traps, limits and XML bombs: a crawl of a replica full of fault pages.

One crawl of a 20-article replica with every fault page on (``all-pages``)
and a listing page that trickles slower than the time limit; the
replica's own log is the oracle for what was requested. Then: the same
offsite trap without `ScopeMiddleware` (it would have left the site), the
calendar trap under a profile that follows it (it stops at the bound), and
both XML bombs against the spider's parser in a fresh interpreter (time,
memory, no file read, no network).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from arsip.demosite.fault_pages import (
    CALENDAR,
    CHAIN_PREFIX,
    DISALLOWED_PREFIX,
    GZIP_BOMB,
    HUGE_FILE,
    HUGE_PAGE,
    LOOP_A,
    LOOP_B,
    SITEMAP_LOL,
    SITEMAP_REAL,
    SITEMAP_XXE,
    XXE_PROBE,
    billion_laughs,
    xxe_sitemap,
)
from arsip.replica_process import ReplicaProcess
from crawler.extract.model import EXTRACTED_FIELDS
from crawler.profiles import find_profile
from crawler.report import load_report
from tests.conftest import REPO, Replica, read_jsonl
from tests.test_faults_crawl import Record, scrapy_crawl, warc_records

ARTICLES = 20
MAXSIZE = 1_000_000
SPEC = "all-pages,huge-size=3MB,bomb-size=64MB,slow=/publikasi/berita?page=2,slow-seconds=5"
SETTINGS = {"DOWNLOAD_MAXSIZE": str(MAXSIZE), "DOWNLOAD_TIMEOUT": "3"}


@dataclass
class Crawl:
    replica: Replica
    out: Path
    stderr: str
    log: list[dict[str, Any]]
    records: list[Record]
    items: list[dict[str, Any]]
    report: dict[str, Any]

    def requested(self, prefix: str) -> list[str]:
        return [e["path"] for e in self.log if e["path"].startswith(prefix)]

    def url(self, path: str) -> str:
        return self.replica.base_url.rstrip("/") + path


def crawl_replica(
    tmp: Path, spec: str, articles: int, settings: dict[str, str], *, profile: str = "anri"
) -> Crawl:
    truth, log = tmp / "truth.jsonl", tmp / "log.jsonl"
    with ReplicaProcess("--faults", spec, articles=articles, truth=truth, log=log) as proc:
        replica = Replica(proc.base_url, truth, log, articles, proc)
        out = tmp / "out"
        result = scrapy_crawl(replica.news_url, out, settings, profile=profile, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        (jsonl,) = (out / "json").glob("*.jsonl")
        report = load_report(out, jsonl.stem)
        assert report is not None
        return Crawl(
            replica,
            out,
            result.stderr,
            replica.log(),
            warc_records(out),
            read_jsonl(jsonl),
            report,
        )


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return crawl_replica(tmp_path_factory.mktemp("fault-pages"), SPEC, ARTICLES, SETTINGS)


def skipped(crawl: Crawl, reason: str) -> set[str]:
    return {s["url"] for s in crawl.report["skipped"] if s["reason"] == reason}


# -- scope ------------------------------------------------------------------------


def test_no_request_left_the_site_by_link_redirect_or_retry(crawl: Crawl) -> None:
    host = urlsplit(crawl.replica.base_url).netloc
    assert Counter(e["host"] for e in crawl.log) == Counter({host: len(crawl.log)})
    other = f"http://localhost:{urlsplit(crawl.replica.base_url).port}"
    assert {
        f"{other}/publikasi/berita/kabar-dari-luar",  # a link
        f"{other}/publikasi/berita/tujuan-luar",  # a 301
        f"{other}/publikasi/berita/tujuan-luar-nanti",  # a 302 after a retried 503
        f"{other}/uploads/berita/luar.jpg",  # an image, and a 302 to it
    } <= skipped(crawl, "out_of_scope")
    assert crawl.report["stats"]["scope/offsite_redirect"] == 3


def test_only_in_scope_paths_were_requested(crawl: Crawl) -> None:
    """Listings, articles (and the hops of their redirects), their requisites, robots.txt
    and sitemaps: nothing else (no home page, no /profil, /layanan, /admin, /agenda)."""
    anri = find_profile("anri")
    others = [
        path
        for path in {e["path"] for e in crawl.log}
        if not (
            anri.is_listing(crawl.url(path))
            or anri.is_article(crawl.url(path))
            or path.startswith(("/assets/", "/uploads/", "/sitemap"))
            or path == "/robots.txt"
        )
    ]
    assert not others


def test_robots_txt_is_honoured(crawl: Crawl) -> None:
    assert not crawl.requested(DISALLOWED_PREFIX) and not crawl.requested("/admin")
    assert crawl.url(f"{DISALLOWED_PREFIX}rahasia") in skipped(crawl, "robots")
    assert crawl.requested("/robots.txt") == ["/robots.txt"]


def test_redirect_loops_stop(crawl: Crawl) -> None:
    assert Counter(crawl.requested("/publikasi/berita/putar-balik")) == {LOOP_A: 1, LOOP_B: 1}
    chain = crawl.requested(CHAIN_PREFIX)
    assert len(chain) == 21  # the first hop and REDIRECT_MAX_TIMES (20) more, then given up
    assert len(set(chain)) == 21


def test_the_calendar_trap_is_outside_the_profile(crawl: Crawl) -> None:
    assert not crawl.requested(CALENDAR)
    assert crawl.url(f"{CALENDAR}?month=2022-01") in skipped(crawl, "not_news")


# -- limits -----------------------------------------------------------------------


def test_huge_bodies_are_kept_up_to_the_limit_and_marked_truncated(crawl: Crawl) -> None:
    for path in (HUGE_PAGE, HUGE_FILE):
        (record,) = [
            r for r in crawl.records if r.rec_type == "response" and r.uri == crawl.url(path)
        ]
        assert record.truncated == "length"
        lines = [e for e in crawl.report["errors"] if e["url"] == crawl.url(path)]
        assert len(lines) == 1 and lines[0]["kind"] == "limit"
        assert f"reached LIMITS_MAXSIZE ({MAXSIZE} bytes)" in lines[0]["message"]
        assert "WARC-Truncated: length" in lines[0]["message"]
    assert crawl.url(HUGE_PAGE) not in {i["url"] for i in crawl.items}
    assert crawl.report["stats"]["limits/truncated/length"] == 2


def test_truncated_payloads_are_as_received(crawl: Crawl) -> None:
    sizes = {}
    for path in sorted((crawl.out / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type == "response" and uri == crawl.url(HUGE_FILE):
                    sizes[uri] = len(record.content_stream().read())
    assert MAXSIZE <= sizes[crawl.url(HUGE_FILE)] < MAXSIZE + 256 * 1024


def test_a_body_still_arriving_at_the_time_limit_is_kept_and_retried(crawl: Crawl) -> None:
    page = [r for r in crawl.records if r.rec_type == "response" and r.uri.endswith("?page=2")]
    assert [r.truncated for r in page] == ["time", None]
    assert crawl.report["stats"]["limits/truncated/time"] == 1


def test_the_gzip_bomb_is_archived_as_sent_and_refused_within_the_limit(crawl: Crawl) -> None:
    (record,) = [
        r for r in crawl.records if r.rec_type == "response" and r.uri == crawl.url(GZIP_BOMB)
    ]
    assert record.status == 200 and record.truncated is None
    assert "exceeded DOWNLOAD_MAXSIZE (1000000 B) during decompression" in crawl.stderr
    assert crawl.url(GZIP_BOMB) not in {i["url"] for i in crawl.items}


# -- XML bombs --------------------------------------------------------------------


def test_both_xml_bombs_are_refused_with_a_clear_message(crawl: Crawl) -> None:
    assert crawl.requested(SITEMAP_LOL) == [SITEMAP_LOL]
    assert crawl.requested(SITEMAP_XXE) == [SITEMAP_XXE]
    assert crawl.requested(SITEMAP_REAL) == [SITEMAP_REAL]  # the real sitemap is still read
    assert not crawl.requested(XXE_PROBE)
    for path, shown in (
        (SITEMAP_LOL, "10 XML entities (lol0, lol1, lol2, ...)"),
        (SITEMAP_XXE, "2 XML entities (rahasia (SYSTEM), probe (SYSTEM))"),
    ):
        line = f"{crawl.url(path)}: refused: its DOCTYPE declares {shown}"
        assert line in crawl.stderr
        assert [e["kind"] for e in crawl.report["errors"] if e["url"] == crawl.url(path)] == ["xml"]
    assert crawl.report["stats"]["xml/refused_entities"] == 2


BOMB_PROBE = textwrap.dedent(
    """
    import json, resource, sys, time
    from lxml import etree
    from crawler.spiders.news import _SAFE_XML
    from crawler.middlewares.xml_guard import declared_entities
    results = {}
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for name, path in (("lol", sys.argv[1]), ("xxe", sys.argv[2])):
        doc = open(path, "rb").read()
        started = time.perf_counter()
        entities = declared_entities(doc, 65536)
        try:
            root = etree.fromstring(doc, _SAFE_XML)
            parsed = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
            error = None
        except etree.XMLSyntaxError as exc:
            parsed, error = None, str(exc)
        results[name] = {
            "entities": entities, "locs": parsed, "error": error,
            "seconds": time.perf_counter() - started,
        }
    results["rss_growth_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
    print(json.dumps(results))
    """
)


def test_xml_bombs_are_cheap_to_refuse_and_the_parser_stays_safe(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    lol, xxe = tmp_path / "lol.xml", tmp_path / "xxe.xml"
    lol.write_text(billion_laughs("http://127.0.0.1/publikasi/berita/"), encoding="utf-8")
    xxe.write_text(xxe_sitemap(f"http://127.0.0.1:{port}"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", BOMB_PROBE, str(lol), str(xxe)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    probe = json.loads(result.stdout)
    with pytest.raises(TimeoutError):
        listener.accept()  # nobody came: the parser used no network
    listener.close()
    assert len(probe["lol"]["entities"]) == 10 and len(probe["xxe"]["entities"]) == 2
    assert "amplification" in probe["lol"]["error"]
    # the entities stay unexpanded: only the literal text around them is left
    assert probe["xxe"]["error"] is None
    assert probe["xxe"]["locs"] == [f"http://127.0.0.1:{port}/publikasi/berita/", None]
    assert "root:" not in result.stdout  # /etc/passwd was not read
    assert probe["lol"]["seconds"] < 0.5 and probe["xxe"]["seconds"] < 0.5
    assert probe["rss_growth_kb"] < 20 * 1024


# -- what the checks are for ------------------------------------------------------


def test_without_the_scope_middleware_a_retried_redirect_leaves_the_site(tmp_path: Path) -> None:
    """Scrapy's OffsiteMiddleware lets a retried (dont_filter) request's redirect through."""
    crawl = crawl_replica(tmp_path, "offsite", 5, {"SCOPE_ENABLED": "False"})
    away = [e for e in crawl.log if e["host"].startswith("localhost:")]
    assert [e["path"] for e in away] == ["/publikasi/berita/tujuan-luar-nanti"]


CALENDAR_PROFILE = r"""
name = "anri-agenda"
site = "anri"
start_urls = []
allowed_hosts = []
listing_patterns = [
    '^/publikasi/berita/?(\?page=\d+)?$',
    '^/agenda(\?month=\d{{4}}-\d{{2}})?$',
]
article_patterns = ['^/publikasi/berita/[a-z0-9][a-z0-9-]*$']
requisites = false
timezone = "WIB"
language = "id"

[crawl]
max_depth = {depth}
"""


@pytest.mark.parametrize(
    ("depth", "settings", "months"),
    [
        (4, {}, 7),  # the profile's depth: 2022-01 at depth 1, two more months per level
        (0, {"TRAPS_MAX_QUERY_VARIANTS": "5"}, 5),  # no depth limit: the trap backstop
    ],
)
def test_a_profile_that_follows_the_calendar_stops_at_its_bound(
    tmp_path: Path, depth: int, settings: dict[str, str], months: int
) -> None:
    profile = tmp_path / "anri-agenda.toml"
    profile.write_text(CALENDAR_PROFILE.format(depth=depth), encoding="utf-8")
    crawl = crawl_replica(tmp_path, "calendar", 5, settings, profile=str(profile))
    asked = crawl.requested(CALENDAR)
    assert len(asked) == len(set(asked)) == months
    reason = "trap" if settings else "depth"
    assert any(url.startswith(crawl.url(CALENDAR)) for url in skipped(crawl, reason))


# -- content faults ---------------------------------------------------------------


def test_malformed_and_lying_pages_are_extracted_without_errors(crawl: Crawl) -> None:
    urls = {i["url"] for i in crawl.items}
    assert crawl.url("/publikasi/berita/halaman-rusak") in urls
    assert crawl.url("/publikasi/berita/kabar-charset-keliru") in urls
    stats = crawl.report["stats"]
    assert "spider_exceptions/count" not in stats and "log_count/ERROR" not in stats


def test_every_article_is_right_among_the_fault_pages(crawl: Crawl) -> None:
    truth = {t["id"]: t for t in crawl.replica.truth()}
    items = {i["id"]: i for i in crawl.items}
    assert set(truth) <= set(items)
    wrong = [
        (truth[i]["url"], name)
        for i in truth
        for name in EXTRACTED_FIELDS
        if items[i][name] != truth[i][name]
    ]
    assert not wrong
