"""A crawl of a 300-article replica that fails on purpose ends complete, and says so.

The replica (a real `arsip demo-site` process) answers 5 % of URLs with a
5xx (half with Retry-After), resets 2 % of connections before the
response, stalls 2 % (headers, then silence longer than the crawl's
``DOWNLOAD_TIMEOUT`` of 3 s), truncates 1 % of bodies, and answers one
listing page 429 with Retry-After, each on a URL's first request only. The
crawl (``scrapy crawl news``, the project settings plus a short timeout)
must retry its way to every article, field for field as the ground truth
says, and leave every failed attempt in the WARC and in the crawl report.
"""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from arsip.crawling import CrawlSummary
from arsip.demosite.faults import MIX_5XX, STATUS_FAULTS
from arsip.replica_process import ReplicaProcess
from crawler.extract.model import EXTRACTED_FIELDS
from crawler.report import load_report
from tests.conftest import BIN, REPO, Replica, read_jsonl, run_arsip

SPEC = (
    "5xx=5%,reset=2%,stall=2%,truncate=1%,429=/publikasi/berita?page=3,"
    "retry-after=2,stall-seconds=8,seed=23"
)
#: The crawl's own waits: Retry-After faults wait 2 s, the others 0.5 s (backoff); eight
#: connections, so that stalled ones do not hold up the rest for long.
SETTINGS = {
    "DOWNLOAD_TIMEOUT": "3",
    "RETRY_BACKOFF_BASE": "0.5",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
}
ARTICLES = 300


def scrapy_crawl(
    start_url: str,
    out: Path,
    settings: dict[str, str],
    *,
    profile: str = "anri",
    timeout: float = 240,
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl news`` in the repository, with extra ``-s`` settings."""
    argv = [str(BIN / "scrapy"), "crawl", "news", "-a", f"profile={profile}"]
    argv += ["-a", f"start_url={start_url}", "-s", f"ARSIP_OUT_DIR={out}"]
    for key, value in {"LOG_LEVEL": "WARNING", "ARSIP_PROGRESS": "off", **settings}.items():
        argv += ["-s", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    return subprocess.run(
        argv, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False, env=env
    )


@dataclass
class Record:
    """What the tests need of one WARC record."""

    rec_type: str
    uri: str
    date: datetime
    status: int | None = None
    truncated: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


def warc_records(out: Path) -> list[Record]:
    """Every record of the collection's WARC files, in order."""
    found = []
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for raw in ArchiveIterator(fh):
                headers = raw.rec_headers
                date = datetime.fromisoformat(
                    headers.get_header("WARC-Date").replace("Z", "+00:00")
                )
                record = Record(raw.rec_type, headers.get_header("WARC-Target-URI") or "", date)
                if raw.rec_type == "response":
                    record.status = int(raw.http_headers.get_statuscode())
                    record.truncated = headers.get_header("WARC-Truncated")
                elif raw.rec_type == "metadata":
                    text = raw.content_stream().read().decode("utf-8")
                    record.fields = dict(
                        line.split(": ", 1) for line in text.splitlines() if ": " in line
                    )
                found.append(record)
    return found


@dataclass
class FaultyCrawl:
    replica: Replica
    out: Path
    result: subprocess.CompletedProcess[str]
    log: list[dict[str, Any]]
    records: list[Record]
    report: dict[str, Any]

    def url(self, path: str) -> str:
        return self.replica.base_url.rstrip("/") + path

    @property
    def faults(self) -> list[dict[str, Any]]:
        return [e for e in self.log if e["fault"]]


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultyCrawl]:
    tmp = tmp_path_factory.mktemp("faulty")
    truth, log = tmp / "truth.jsonl", tmp / "log.jsonl"
    with ReplicaProcess("--faults", SPEC, articles=ARTICLES, truth=truth, log=log) as proc:
        replica = Replica(proc.base_url, truth, log, ARTICLES, proc)
        out = tmp / "out"
        result = scrapy_crawl(replica.news_url, out, SETTINGS)
        assert result.returncode == 0, result.stderr[-3000:]
        (jsonl,) = (out / "json").glob("*.jsonl")
        report = load_report(out, jsonl.stem)
        assert report is not None
        yield FaultyCrawl(replica, out, result, replica.log(), warc_records(out), report)


def test_every_article_comes_out_right_despite_the_faults(faulty: FaultyCrawl) -> None:
    (jsonl,) = (faulty.out / "json").glob("*.jsonl")
    items = read_jsonl(jsonl)
    truth = {t["id"]: t for t in faulty.replica.truth()}
    assert len(truth) == ARTICLES
    assert sorted(i["id"] for i in items) == sorted(truth)  # all of them, each once
    wrong = [
        f"{item['url']} {name}: got {item[name]!r}, want {truth[item['id']][name]!r}"
        for item in items
        for name in EXTRACTED_FIELDS
        if item[name] != truth[item["id"]][name]
    ]
    assert not wrong, f"{len(wrong)} wrong fields, e.g.:\n" + "\n".join(wrong[:10])


def test_the_replica_failed_as_asked_and_then_served(faulty: FaultyCrawl) -> None:
    kinds = Counter(e["fault"] for e in faulty.faults)
    assert sum(kinds[name] for name in MIX_5XX) >= 30
    assert kinds["reset"] >= 10 and kinds["stall"] >= 10 and kinds["truncate"] >= 5
    assert kinds["429"] == 1
    requests = Counter(e["path"] for e in faulty.log)
    for entry in faulty.faults:  # one failure, then one success: no request wasted
        assert requests[entry["path"]] == 2, entry["path"]
        served = [e for e in faulty.log if e["path"] == entry["path"] and e["fault"] is None]
        assert served and served[0]["status"] in (200, 301, 404), entry["path"]


def evidence(fault: str) -> str:
    """The kind of WARC record that proves a failed attempt of this kind."""
    if fault in STATUS_FAULTS:
        return f"status {STATUS_FAULTS[fault][0]}"
    return {"truncate": "truncated disconnect", "reset": "failed", "stall": "failed"}[fault]


def test_every_failed_attempt_is_in_the_warc(faulty: FaultyCrawl) -> None:
    found: Counter[tuple[str, str]] = Counter()
    for record in faulty.records:
        if record.rec_type == "response" and record.status and record.status >= 400:
            found[(f"status {record.status}", record.uri)] += 1
        elif record.rec_type == "response" and record.truncated:
            found[(f"truncated {record.truncated}", record.uri)] += 1
        elif record.rec_type == "metadata" and "fetchError" in record.fields:
            found[("failed", record.uri)] += 1
    wanted = Counter((evidence(e["fault"]), faulty.url(e["path"])) for e in faulty.faults)
    missing = wanted - found
    assert not missing, f"{sum(missing.values())} failed attempts not in the WARC: {missing}"
    errors = [r.fields["fetchError"] for r in faulty.records if "fetchError" in r.fields]
    stalls = sum(1 for e in faulty.faults if e["fault"] == "stall")
    assert sum("DownloadTimeoutError" in e for e in errors) == stalls
    assert (
        sum("ConnectionLost" in e or "ConnectionDone" in e for e in errors) == len(errors) - stalls
    )


def test_a_failed_attempt_record_is_a_request_and_its_metadata(faulty: FaultyCrawl) -> None:
    failed = [r for r in faulty.records if "fetchError" in r.fields]
    assert failed
    for record in failed:
        assert record.fields["attempt"] == "1"
        assert record.fields.get("hopsFromSeed", "L").strip("LR") == ""
    requests = Counter(r.uri for r in faulty.records if r.rec_type == "request")
    responses = Counter(r.uri for r in faulty.records if r.rec_type == "response")
    for record in failed:  # one request more than responses: the attempt without an answer
        assert requests[record.uri] == responses[record.uri] + 1, record.uri


def test_every_failed_attempt_is_in_the_report(faulty: FaultyCrawl) -> None:
    lines = [e for e in faulty.report["errors"] if e["kind"] == "fetch"]
    assert Counter(e["url"] for e in lines) == Counter(faulty.url(e["path"]) for e in faulty.faults)
    assert all(e["message"].startswith("attempt 1 of 4 failed: ") for e in lines)
    assert all("; retry in " in e["message"] for e in lines)
    with_retry_after = [e for e in lines if e["message"].endswith("(Retry-After)")]
    asked = [e for e in faulty.faults if STATUS_FAULTS.get(e["fault"], (0, False))[1]]
    assert len(with_retry_after) == len(asked)
    assert faulty.report["totals"]["articles"] == ARTICLES
    assert faulty.report["finish_reason"] == "finished"


def test_retries_wait_and_honour_retry_after(faulty: FaultyCrawl) -> None:
    by_uri: dict[str, list[Record]] = {}
    for record in faulty.records:
        if record.rec_type == "response" or "fetchError" in record.fields:
            by_uri.setdefault(record.uri, []).append(record)
    for entry in faulty.faults:
        failed, served = by_uri[faulty.url(entry["path"])][:2]
        waited = (served.date - failed.date).total_seconds()
        asked = STATUS_FAULTS.get(entry["fault"], (0, False))[1]
        assert waited >= (2.0 if asked else 0.5) - 0.01, (entry, waited)


def test_the_stats_count_each_kind_of_failure(faulty: FaultyCrawl) -> None:
    stats = faulty.report["stats"]
    kinds = Counter(e["fault"] for e in faulty.faults)
    asked = sum(n for name, n in kinds.items() if STATUS_FAULTS.get(name, (0, False))[1])
    assert stats["retry/count"] == len(faulty.faults)
    assert stats.get("retry/max_reached", 0) == 0
    assert stats["retry/retry_after"] == asked
    assert stats["retry/dataloss"] == kinds["truncate"]
    assert stats["warc/failed_attempts"] == kinds["reset"] + kinds["stall"]
    assert (
        stats["downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError"]
        == (kinds["stall"])
    )


def test_the_faulty_collection_verifies(faulty: FaultyCrawl) -> None:
    result = run_arsip("verify", str(faulty.out))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "OK" in result.stdout.splitlines()[-1]


def test_a_crawl_whose_failures_were_all_recovered_counts_as_complete(
    faulty: FaultyCrawl,
) -> None:
    summary = CrawlSummary(
        crawl_id="x",
        profile="anri",
        out_dir=faulty.out,
        finish_reason="finished",
        stats=faulty.report["stats"],
    )
    assert summary.complete()


def test_no_request_went_to_another_host_or_past_robots_txt(faulty: FaultyCrawl) -> None:
    host = urlsplit(faulty.replica.base_url).netloc
    assert {e["host"] for e in faulty.log} == {host}
    assert not [e for e in faulty.log if e["path"].startswith("/admin")]
