"""A crawl of a hostile site (`tests.hostile`): nothing it sends breaks the collection.

Issue 15 items 5 and 7: a response head of more than 1 MiB is refused at
capture (a failed attempt in the WARC, a ``limit`` line in the report), so
``arsip verify`` passes on what the crawl wrote; pages whose body cannot be
extracted, an invalid byte in a UTF-8 page, overlong URLs and a pagination
that runs past the trap bound are each said in the report and the items.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.report import load_report
from tests import hostile
from tests.conftest import read_jsonl, run_arsip


@dataclass
class Crawled:
    site: hostile.HostileSite
    out: Path
    result: subprocess.CompletedProcess[str]
    items: dict[str, dict[str, Any]]
    report: dict[str, Any]
    records: list[tuple[str, str, str]]  # (type, target URI, metadata block or "")

    def url(self, path: str) -> str:
        return self.site.base + path


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    out = tmp_path_factory.mktemp("hostile") / "out"
    with hostile.serving(hostile.PAGES, hostile.EXTRA_LINKS) as site:
        result = run_arsip(
            "crawl", "anri", "--start-url", site.news_url, "--out", str(out), "--progress", "off"
        )
        (jsonl,) = (out / "json").glob("*.jsonl")
        report = load_report(out, jsonl.stem)
        assert report is not None, result.stderr[-3000:]
        records = []
        for path in sorted((out / "warc").glob("*.warc.gz")):
            with path.open("rb") as fh:
                for record in ArchiveIterator(fh):
                    block = ""
                    if record.rec_type == "metadata":
                        block = record.content_stream().read().decode("utf-8")
                    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                    records.append((record.rec_type, uri, block))
        items = {item["url"]: item for item in read_jsonl(jsonl)}
        yield Crawled(site, out, result, items, report, records)


def test_the_crawl_ends_without_a_traceback_and_verify_passes(crawled: Crawled) -> None:
    assert "Traceback" not in crawled.result.stderr, crawled.result.stderr[-3000:]
    # exit 6: the crawl ran, but a bound stopped it (the pagination, the long URL)
    assert crawled.result.returncode == 6, crawled.result.stderr[-3000:]
    verify = run_arsip("verify", str(crawled.out))
    assert verify.returncode == 0, verify.stdout[-3000:]
    assert crawled.url(f"{hostile.NEWS}/kegiatan-biasa") in crawled.items


def test_a_response_head_over_one_mebibyte_is_refused_at_capture_and_reported(
    crawled: Crawled,
) -> None:
    url = crawled.url(f"{hostile.NEWS}/kepala-raksasa")
    assert crawled.site.requested.count(f"{hostile.NEWS}/kepala-raksasa") == 1  # not retried
    kinds = [kind for kind, uri, _ in crawled.records if uri == url]
    assert kinds == ["request", "metadata"]  # a failed attempt: nothing pretends to respond
    (block,) = [b for kind, uri, b in crawled.records if uri == url and kind == "metadata"]
    assert "fetchError: arsip.limits: the response head (" in block
    assert "bytes) is over the limit of 1 MiB; not archived as a response" in block
    errors = [e for e in crawled.report["errors"] if e["url"] == url]
    assert [e["kind"] for e in errors] == ["limit"], json.dumps(crawled.report["errors"])
    assert "is over the limit of 1 MiB" in errors[0]["message"]
    assert url not in crawled.items


def errors_of(crawled: Crawled, path: str) -> list[dict[str, Any]]:
    return [e for e in crawled.report["errors"] if e["url"] == crawled.url(path)]


def skips(crawled: Crawled, reason: str) -> list[str]:
    return [s["url"] for s in crawled.report["skipped"] if s["reason"] == reason]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (f"{hostile.NEWS}/bersarang-dalam", "too_deep"),
        (f"{hostile.NEWS}/teks-raksasa", "too_large"),
    ],
)
def test_a_page_that_cannot_be_read_whole_is_an_extraction_anomaly_in_the_report(
    crawled: Crawled, path: str, kind: str
) -> None:
    (error,) = errors_of(crawled, path)
    assert error["kind"] == "extract"
    assert error["message"].startswith(f"extraction anomaly: {kind}: ")
    assert "the body and other fields may be missing" in error["message"]
    assert "anomalies  2 page(s) extraction could not read whole" in crawled.result.stdout


def test_one_invalid_byte_does_not_turn_a_utf8_article_into_mojibake(crawled: Crawled) -> None:
    item = crawled.items[crawled.url(f"{hostile.NEWS}/satu-bita-rusak")]
    expected = hostile.BAD_BYTE_TEXT.replace("Gedung C", "Gedung \ufffd C")
    assert expected in item["body"]
    assert "â€" not in item["body"]


def test_an_overlong_url_is_a_skip_with_its_reason(crawled: Crawled) -> None:
    assert len(crawled.url(hostile.LONG_PATH)) > 2083
    assert skips(crawled, "url_too_long") == [crawled.url(hostile.LONG_PATH)]
    assert hostile.LONG_PATH not in crawled.site.requested


def test_pagination_stopped_by_the_trap_bound_is_a_skip_and_the_summary_says_so(
    crawled: Crawled,
) -> None:
    pages = [p for p in crawled.site.requested if p.startswith(hostile.PAGING)]
    assert len(pages) == 200  # page 2 at depth 1 ... page 201 at depth 200 (TRAPS_MAX_DEPTH)
    assert skips(crawled, "trap") == [crawled.url(f"{hostile.PAGING}202")]
    assert "bounds     2 URL(s) not followed: a crawl bound stopped them" in crawled.result.stdout


def test_the_refused_head_is_a_skip_with_its_reason(crawled: Crawled) -> None:
    url = crawled.url(f"{hostile.NEWS}/kepala-raksasa")
    assert url in skips(crawled, "head_too_large")
