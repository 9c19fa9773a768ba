"""`arsip demo-site --faults SPEC`: the grammar, determinism, and every fault on the wire.

The spec tests are pure; the wire tests talk raw HTTP to an in-process
`DemoSite` on 127.0.0.1 (as tests/test_demosite.py does) and read its log.
"""

from __future__ import annotations

import gzip
import http.client
import socket
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from lxml import etree

from arsip.demosite.fault_pages import (
    CALENDAR,
    CHAIN_PREFIX,
    GZIP_BOMB,
    LOOP_A,
    LOOP_B,
    OFFSITE_REDIRECT_LATER,
    SITEMAP_LOL,
    SITEMAP_XXE,
)
from arsip.demosite.faults import MIX_5XX, FaultPlan, FaultSpec, FaultSpecError, parse_size
from arsip.demosite.server import DemoSite
from arsip.replica_process import ReplicaProcess
from tests.conftest import run_arsip

# -- the grammar ------------------------------------------------------------------


def test_spec_reads_rates_paths_pages_and_options() -> None:
    spec = FaultSpec.parse(
        "5xx=5%, reset=0.02, 503-ra=/a|/b?x=1, offsite, calendar, times=2, retry-after=3,"
        "stall-seconds=1.5, huge-size=2MB, bomb-size=1GB, seed=9, other-host=luar.test"
    )
    assert [(r.fault, r.rate, sorted(r.paths)) for r in spec.rules] == [
        ("5xx", 0.05, []),
        ("reset", 0.02, []),
        ("503-ra", 0.0, ["/a", "/b?x=1"]),
    ]
    assert spec.pages == {"offsite", "calendar"}
    assert (spec.times, spec.retry_after, spec.stall_seconds, spec.seed) == (2, 3, 1.5, 9)
    assert (spec.huge_size, spec.bomb_size, spec.other_host) == (2 << 20, 1 << 30, "luar.test")
    assert FaultSpec.parse("all-pages").pages >= {"malformed", "xml-bombs", "gzip-bomb"}


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("", "empty"),
        ("bogus=1", "unknown name 'bogus'; faults: 500, 502, 503"),
        ("5xx=150%", "not between 0% and 100%"),
        ("reset=often", "give a rate (5% or 0.05) or paths"),
        ("nonsense", "unknown fault page 'nonsense'; pages: malformed"),
        ("times=0", "times must be at least 1"),
        ("huge-size=lots", "is not a size"),
        ("other-host=a/b", "other-host must be a host name"),
    ],
)
def test_a_bad_spec_names_the_item_and_what_is_allowed(spec: str, needle: str) -> None:
    with pytest.raises(FaultSpecError) as raised:
        FaultSpec.parse(spec)
    assert needle in str(raised.value)


def test_sizes() -> None:
    assert [parse_size(s) for s in ("512", "1KB", "64MB", "1.5GB")] == [
        512,
        1024,
        64 << 20,
        int(1.5 * (1 << 30)),
    ]


# -- determinism ------------------------------------------------------------------

TARGETS = [f"/publikasi/berita/artikel-{n}" for n in range(20000)]


def test_rates_choose_that_share_of_urls_the_same_way_every_time() -> None:
    spec = FaultSpec.parse("5xx=5%,reset=2%,stall=2%,truncate=1%")
    first = Counter(FaultPlan(spec, seed=1).assigned(t) for t in TARGETS)
    again = Counter(FaultPlan(spec, seed=1).assigned(t) for t in TARGETS)
    other = [FaultPlan(spec, seed=2).assigned(t) for t in TARGETS[:500]]
    assert first == again
    assert other != [FaultPlan(spec, seed=1).assigned(t) for t in TARGETS[:500]]
    share = {name: first[name] / len(TARGETS) for name in ("reset", "stall", "truncate")}
    share["5xx"] = sum(first[name] for name in MIX_5XX) / len(TARGETS)
    assert share == pytest.approx(
        {"5xx": 0.05, "reset": 0.02, "stall": 0.02, "truncate": 0.01}, abs=0.005
    )
    assert all(first[name] > 0 for name in MIX_5XX)  # the mix uses every variant


def test_the_first_times_requests_fail_then_the_url_is_served() -> None:
    plan = FaultPlan(FaultSpec.parse("503=/x,times=2"), seed=1)
    assert [plan.decide("/x") for _ in range(4)] == ["503", "503", None, None]
    assert plan.requests("/x") == 4
    assert plan.decide("/y") is None


def test_robots_txt_is_never_chosen_by_a_rate_only_by_name() -> None:
    assert FaultPlan(FaultSpec.parse("reset=100%"), seed=1).assigned("/robots.txt") is None
    assert (
        FaultPlan(FaultSpec.parse("reset=/robots.txt"), seed=1).assigned("/robots.txt") == "reset"
    )


# -- on the wire ------------------------------------------------------------------

WIRE = (
    "500=/profil,502-ra=/layanan,429=/publikasi/berita?page=2,reset=/assets/css/style.css,"
    "reset-body=/assets/js/main.js,stall=/publikasi/berita?page=3,truncate=/sitemap-berita.xml,"
    "slow=/robots.txt,stall-seconds=3,slow-seconds=1,retry-after=7,all-pages,"
    "huge-size=300KB,bomb-size=8MB"
)


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(articles=25, faults=FaultSpec.parse(WIRE)) as demo:
        yield demo


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def get(site: DemoSite, target: str, *, timeout: float = 5, gzip_ok: bool = False) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=timeout)
    try:
        headers = {"Accept-Encoding": "gzip"} if gzip_ok else {}
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def logged(site: DemoSite, path: str) -> list[dict[str, object]]:
    return [e for e in site.log if e["path"] == path]


def test_status_faults_with_and_without_retry_after_then_success(site: DemoSite) -> None:
    for path, status, retry_after in (
        ("/profil", 500, None),
        ("/layanan", 502, "7"),
        ("/publikasi/berita?page=2", 429, "7"),
    ):
        first, second = get(site, path), get(site, path)
        assert (first.status, first.headers.get("Retry-After")) == (status, retry_after)
        assert second.status == 200 and "Retry-After" not in second.headers
        assert [e["fault"] for e in logged(site, path)] == [
            "500" if status == 500 else "502-ra" if status == 502 else "429",
            None,
        ]


def test_reset_before_any_byte_is_logged_without_a_status(site: DemoSite) -> None:
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        get(site, "/assets/css/style.css")
    assert get(site, "/assets/css/style.css").status == 200
    first = logged(site, "/assets/css/style.css")[0]
    assert (first["status"], first["bytes"], first["fault"]) == (None, 0, "reset")


def test_reset_mid_body_and_truncated_body_end_early(site: DemoSite) -> None:
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
        get(site, "/assets/js/main.js")
    with pytest.raises(http.client.IncompleteRead) as cut:
        get(site, "/sitemap-berita.xml")
    whole = get(site, "/sitemap-berita.xml").body
    assert cut.value.partial == whole[: len(whole) // 2]
    entry = logged(site, "/sitemap-berita.xml")[0]
    assert (entry["fault"], entry["bytes"]) == ("truncate", len(whole) // 2)


def test_a_stall_sends_headers_then_nothing(site: DemoSite) -> None:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=1)
    connection.request("GET", "/publikasi/berita?page=3")
    response = connection.getresponse()  # the head comes at once
    assert response.status == 200 and int(response.headers["Content-Length"]) > 0
    with pytest.raises(TimeoutError):
        response.read()
    connection.close()
    assert 1 <= time.monotonic() - started < 2.5
    assert get(site, "/publikasi/berita?page=3").status == 200


def test_a_slow_body_arrives_whole_but_late(site: DemoSite) -> None:
    started = time.monotonic()
    assert b"Disallow: /admin/" in get(site, "/robots.txt").body
    assert time.monotonic() - started >= 0.9
    assert logged(site, "/robots.txt")[0]["fault"] == "slow"


def test_log_lines_carry_fault_and_host(site: DemoSite) -> None:
    get(site, "/publikasi/berita/tidak-ada")
    entry = logged(site, "/publikasi/berita/tidak-ada")[-1]
    assert entry["fault"] is None and entry["host"] == f"127.0.0.1:{site.port}"


# -- fault pages ------------------------------------------------------------------


def test_listing_page_one_links_every_fault_page(site: DemoSite) -> None:
    html = get(site, "/publikasi/berita").body.decode()
    for href in (
        "/publikasi/berita/halaman-rusak",
        "/publikasi/berita/kabar-charset-keliru",
        "/publikasi/berita/laporan-tahunan-lengkap",
        "/uploads/lampiran/arsip-raksasa.pdf",
        GZIP_BOMB,
        LOOP_A,
        f"{CALENDAR}?month=2022-01",
        f"http://localhost:{site.port}/publikasi/berita/kabar-dari-luar",
        "/publikasi/berita/draf-rahasia",
    ):
        assert f'href="{href}"' in html, href


def test_redirects_loop_chain_and_leave_the_site(site: DemoSite) -> None:
    assert get(site, LOOP_A).headers["Location"].endswith(LOOP_B)
    assert get(site, LOOP_B).headers["Location"].endswith(LOOP_A)
    assert get(site, f"{CHAIN_PREFIX}41").headers["Location"].endswith(f"{CHAIN_PREFIX}42")
    assert get(site, OFFSITE_REDIRECT_LATER).status == 503  # once, then away
    away = get(site, OFFSITE_REDIRECT_LATER)
    assert away.status == 302 and away.headers["Location"].startswith(
        f"http://localhost:{site.port}/"
    )


def test_calendar_links_to_neighbouring_months_forever(site: DemoSite) -> None:
    html = get(site, f"{CALENDAR}?month=9999-12").body.decode()
    assert "?month=9999-11" in html and "?month=10000-01" in html
    assert get(site, f"{CALENDAR}?month=2022-13").status == 404


def test_content_faults(site: DemoSite) -> None:
    lying = get(site, "/publikasi/berita/kabar-charset-keliru")
    assert "utf-8" in lying.headers["Content-Type"]
    with pytest.raises(UnicodeDecodeError):
        lying.body.decode("utf-8")
    assert b"\x00" in get(site, "/publikasi/berita/halaman-rusak").body
    assert len(get(site, "/publikasi/berita/laporan-tahunan-lengkap").body) >= 300 << 10
    pdf = get(site, "/uploads/lampiran/arsip-raksasa.pdf").body
    assert pdf.startswith(b"%PDF") and len(pdf) == 300 << 10
    assert len(zlib.compress(pdf)) > len(pdf) * 0.99  # incompressible


def test_gzip_bomb_is_sent_coded_even_to_clients_that_did_not_ask(site: DemoSite) -> None:
    bomb = get(site, GZIP_BOMB)
    assert bomb.headers["Content-Encoding"] == "gzip"
    assert len(bomb.body) < 100_000
    assert len(gzip.decompress(bomb.body)) == 8 << 20


def test_sitemap_index_names_the_two_bombs(site: DemoSite) -> None:
    index = get(site, "/sitemap.xml").body
    assert SITEMAP_LOL.encode() in index and SITEMAP_XXE.encode() in index
    lol = get(site, SITEMAP_LOL).body
    assert b'<!ENTITY lol9 "&lol8;' in lol
    xxe = get(site, SITEMAP_XXE).body
    assert b'SYSTEM "file:///etc/passwd"' in xxe and b"/xxe-probe" in xxe
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    with pytest.raises(etree.XMLSyntaxError, match="amplification"):
        etree.fromstring(lol, parser)


def test_robots_txt_gains_the_disallowed_prefix(site: DemoSite) -> None:
    assert b"Disallow: /publikasi/berita/draf-" in get(site, "/robots.txt").body


# -- the command line -------------------------------------------------------------


def test_demo_site_refuses_a_bad_spec_with_one_line() -> None:
    result = run_arsip("demo-site", "--faults", "5xx=5%,bogus")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "--faults: fault SPEC item 'bogus': unknown fault page" in line


def test_demo_site_serves_faults_from_the_command_line() -> None:
    with ReplicaProcess("--faults", "reset=/profil", articles=3) as replica:
        host, port = replica.base_url.split("//")[1].rstrip("/").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(b"GET /profil HTTP/1.1\r\nHost: x\r\n\r\n")
            with pytest.raises(ConnectionResetError):
                while sock.recv(4096):
                    pass
