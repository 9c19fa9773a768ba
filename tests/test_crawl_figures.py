"""The figures of a crawl agree everywhere, its limits hold, and failures are one line.

One crawl of the replica is run as the README shows it (``arsip crawl anri
--start-url ... --out DIR``), then read back by every command that prints
its figures: the progress line, the summary, the JSON and HTML report,
``arsip crawls`` (table and JSON) and ``arsip search``. Pages, bytes
downloaded, skipped URLs, errors and WARC bytes must be the same numbers in
all of them (``crawler.figures`` is their one source); an incremental
recrawl shows its own WARC bytes, not the collection's. Then the limits
(``--max-pages`` stops at N, ``--size-limit``, ``--time-limit``,
``--warc-size``, several ``--start-url``, ``--seeds``), the crawl log, and
a crawl whose hosts cannot be reached (refused, TLS to a plain-HTTP port):
one line per host and cause, exit 6, "failed" in summary and report.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError
from twisted.internet.error import DNSLookupError

from arsip.replica_process import ReplicaProcess
from crawler.failures import network_cause
from crawler.figures import human_bytes
from tests.conftest import REPO, Replica, run_arsip, start_replica


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    yield from start_replica(tmp_path_factory.mktemp("figures-replica"), 30)


def crawl(replica: Replica, out: Path, *extra: str) -> Any:
    return run_arsip("crawl", "anri", "--start-url", replica.news_url, "--out", str(out), *extra)


def summary_value(stdout: str, name: str) -> str:
    match = re.search(rf"^  {name}\s+(.*)$", stdout, re.M)
    assert match is not None, (name, stdout)
    return match.group(1)


def report_of(out: Path) -> dict[str, Any]:
    (path,) = sorted((out / "reports").glob("*.json"))[-1:]
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def crawled(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("figures") / "anri"
    result = crawl(replica, out, "--progress", "log")
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def test_progress_summary_report_and_crawls_give_the_same_figures(
    crawled: tuple[Path, Any],
) -> None:
    out, result = crawled
    report = report_of(out)
    totals = report["totals"]
    # the summary
    pages = summary_value(result.stdout, "pages")
    assert pages == f"{totals['pages']} ({human_bytes(totals['bytes'])} downloaded)"
    skipped = summary_value(result.stdout, "skipped")
    assert skipped.startswith(f"{totals['skipped_urls']} URLs (")
    for reason, n in report["skipped_by_reason"].items():
        assert f"{reason} {n}" in skipped
    assert summary_value(result.stdout, "errors") == str(totals["errors"])
    assert summary_value(result.stdout, "WARC").startswith(
        f"{human_bytes(totals['warc_bytes'])} written by this crawl"
    )
    # the last progress line (written at the end)
    last = [ln for ln in result.stderr.splitlines() if ln.startswith("arsip: progress:")][-1]
    assert f"| pages {totals['pages']} |" in last
    assert f"| errors {totals['errors']} |" in last
    assert f"| skipped {totals['skipped_urls']} |" in last
    # arsip crawls, JSON and table
    listed = run_arsip("crawls", "--out", str(out), "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["pages"], row["bytes"], row["skipped"], row["errors"], row["warc_bytes"]) == (
        totals["pages"],
        totals["bytes"],
        totals["skipped_urls"],
        totals["errors"],
        totals["warc_bytes"],
    )
    assert row["ended"] == report["outcome"] == "finished"
    table = run_arsip("crawls", "--out", str(out)).stdout
    line = next(ln for ln in table.splitlines() if ln.startswith(report["crawl_id"]))
    assert f" {totals['pages']} " in line and human_bytes(totals["bytes"]) in line
    assert f" {totals['skipped_urls']} " in line and line.endswith("finished")
    # the HTML report's cards
    html = (out / "reports" / f"{report['crawl_id']}.html").read_text(encoding="utf-8")
    for value, label in (
        (totals["pages"], "pages"),
        (human_bytes(totals["bytes"]), "downloaded"),
        (totals["skipped_urls"], "skipped URLs"),
        (human_bytes(totals["warc_bytes"]), "WARC written"),
    ):
        assert f"<b>{value}</b>{label}" in html


def test_search_says_how_many_match_and_how_many_it_shows(crawled: tuple[Path, Any]) -> None:
    out, _ = crawled
    every = run_arsip("search", "arsip", "--db", str(out), "--limit", "1000", "--format", "json")
    total = len(json.loads(every.stdout))
    assert total > 3
    shown = run_arsip("search", "arsip", "--db", str(out), "--limit", "3", "--color", "never")
    assert shown.returncode == 0
    assert shown.stdout.count("\n   replay ") == 3
    assert shown.stderr.strip() == (
        f"{total} articles match 'arsip'; showing the first 3 (raise --limit for more)"
    )


def test_an_incremental_recrawl_counts_its_own_warc_bytes(
    replica: Replica, crawled: tuple[Path, Any]
) -> None:
    out, _ = crawled
    again = crawl(replica, out, "--progress", "off")
    assert again.returncode == 0, again.stderr[-2000:]
    report = report_of(out)
    written = report["totals"]["warc_bytes"]
    on_disk = sum(p.stat().st_size for p in (out / "warc").glob("*.warc.gz"))
    assert 0 < written < on_disk  # this crawl's, not the collection's
    assert summary_value(again.stdout, "WARC").startswith(f"{human_bytes(written)} written")
    rows = [
        json.loads(ln)
        for ln in run_arsip("crawls", "--out", str(out), "--json").stdout.split("\n")
        if ln
    ]
    assert rows[-1]["warc_bytes"] == written


def test_max_pages_stops_at_n_in_plain_words(replica: Replica, tmp_path: Path) -> None:
    result = crawl(replica, tmp_path / "out", "--max-pages", "5", "--progress", "off")
    assert result.returncode == 0, result.stderr[-2000:]
    report = report_of(tmp_path / "out")
    assert report["totals"]["pages"] == 5
    assert report["outcome"] == "stopped after 5 pages (--max-pages)"
    assert result.stdout.splitlines()[0].endswith(": stopped after 5 pages (--max-pages)")
    # the crawl log: one line per URL and what became of it, linked from the report
    log = tmp_path / "out" / "logs" / f"{report['crawl_id']}.jsonl"
    lines = [json.loads(ln) for ln in log.read_text(encoding="utf-8").splitlines()]
    assert {"time", "url", "status", "bytes", "kind", "outcome", "via"} <= set(lines[0])
    fetched = [ln for ln in lines if ln["status"] is not None]
    assert len(fetched) == 5
    assert any(ln["outcome"].startswith("skipped: ") and ln["via"] for ln in lines)
    assert report["crawl_log"] == f"../logs/{log.name}"
    html = (tmp_path / "out" / "reports" / f"{report['crawl_id']}.html").read_text()
    assert f'href="../logs/{log.name}"' in html


def test_size_and_time_limits_several_seeds_and_warc_size(replica: Replica, tmp_path: Path) -> None:
    sized = crawl(replica, tmp_path / "sized", "--size-limit", "30KB", "--progress", "off")
    assert sized.returncode == 0, sized.stderr[-2000:]
    report = report_of(tmp_path / "sized")
    assert (
        report["outcome"].startswith("stopped after ")
        and "(--size-limit 30.0 KB)" in report["outcome"]
    )
    assert 30 * 1024 <= report["totals"]["bytes"] < 30 * 1024 * 3  # close to the limit
    seeds = tmp_path / "seeds.txt"
    # A slow server (100 ms a response): the crawl outlasts its one second however
    # fast the machine and the crawler are.
    with ReplicaProcess("--latency", "100", articles=30) as slow:
        news = slow.base_url.rstrip("/") + "/publikasi/berita"
        seeds.write_text(f"# two listing pages\n{news}\n\n{news}?page=2\n")
        timed = run_arsip(
            "crawl",
            "anri",
            "--seeds",
            str(seeds),
            "--out",
            str(tmp_path / "timed"),
            "--time-limit",
            "1s",
            "--warc-size",
            "20KB",
            "--progress",
            "off",
        )
    assert timed.returncode == 0, timed.stderr[-2000:]
    report = report_of(tmp_path / "timed")
    assert report["outcome"] == "stopped at the time limit (--time-limit)"
    assert len(list((tmp_path / "timed" / "warc").glob("*.warc.gz"))) > 1  # rolled over at 20 KB
    many = run_arsip(
        "crawl",
        "anri",
        "--start-url",
        replica.news_url,
        "--start-url",
        f"{replica.news_url}?page=3",
        "--out",
        str(tmp_path / "many"),
        "--max-pages",
        "4",
        "--progress",
        "off",
    )
    assert many.returncode == 0, many.stderr[-2000:]
    log = next((tmp_path / "many" / "logs").glob("*.jsonl")).read_text()
    assert f'"{replica.news_url}?page=3"' in log  # the second start URL was fetched


@pytest.fixture
def plain_http_port() -> Iterator[int]:
    """A plain HTTP server on loopback: TLS to it fails at the handshake."""
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_unreachable_hosts_are_one_line_each_exit_6_and_failed(
    tmp_path: Path, plain_http_port: int
) -> None:
    with socket.socket() as holder:  # bound, never listening: connections are refused
        holder.bind(("127.0.0.1", 0))
        refused = int(holder.getsockname()[1])
        result = run_arsip(
            "crawl",
            "anri",
            "--start-url",
            f"http://127.0.0.1:{refused}/publikasi/berita",
            "--start-url",
            f"https://127.0.0.1:{plain_http_port}/publikasi/berita",
            "--out",
            str(tmp_path / "out"),
            "--progress",
            "off",
        )
    assert result.returncode == 6
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("arsip:")]
    assert len(lines) == 2, result.stderr
    assert any(f"127.0.0.1:{refused} (connection refused;" in ln for ln in lines)
    assert any(f"127.0.0.1:{plain_http_port} (TLS handshake failed;" in ln for ln in lines)
    assert lines[-1].startswith("arsip: crawl failed: could not reach")
    others = [ln for ln in result.stderr.splitlines() if not ln.startswith("arsip:")]
    assert all("WARNING: Disabled" in ln for ln in others), others  # no Scrapy error lines
    assert ": failed: could not reach 127.0.0.1:" in result.stdout.splitlines()[0]
    assert report_of(tmp_path / "out")["outcome"].startswith("failed: could not reach 127.0.0.1:")


def test_network_causes_in_plain_words() -> None:
    assert network_cause(DNSLookupError("no-such-host.invalid")) == (
        "DNS lookup failed (no such host)"
    )
    assert network_cause(CannotResolveHostError("x")) == "DNS lookup failed (no such host)"
    assert network_cause(DownloadTimeoutError("took longer than 180.0 seconds")) == "timed out"
    assert network_cause(ValueError("not a network failure")) is None


@pytest.fixture(scope="module")
def slow_replica() -> Iterator[str]:
    """The replica's news URL, each response 150 ms late: time to press Ctrl-C."""
    with ReplicaProcess("--latency", "150", articles=30) as proc:
        yield proc.base_url.rstrip("/") + "/publikasi/berita"


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_is_interrupted_by_ctrl_c_in_summary_and_report(
    slow_replica: str, tmp_path: Path, presses: int
) -> None:
    out = tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "arsip",
            "crawl",
            "anri",
            "--start-url",
            slow_replica,
            "--out",
            str(out),
            "--progress",
            "off",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    try:
        deadline = time.monotonic() + 60
        while not list((out / "warc").glob("*.open")) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # some pages in
        for _ in range(presses):
            process.send_signal(signal.SIGINT)
            time.sleep(0.05)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 6, stderr[-2000:]
    assert "Traceback" not in stderr
    head = stdout.splitlines()[0]
    report = summary_value(stdout, "report")
    if presses == 1:
        assert head.endswith(": interrupted by Ctrl-C"), stdout
        assert report_of(out)["outcome"] == "interrupted by Ctrl-C"
    else:  # stopped at once: the summary names no report that is not there
        assert head.endswith(": interrupted by Ctrl-C") or head.endswith(
            ": interrupted by Ctrl-C, twice: stopped at once"
        ), stdout
        written = list((out / "reports").glob("*.html"))
        assert report == str(written[0]) if written else report.startswith("not written")
    assert "--resume" in stdout
