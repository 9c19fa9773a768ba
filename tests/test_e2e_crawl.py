"""End to end: `arsip crawl anri` against the 120-article replica.

The replica's ground truth and its own log of responses are the oracles.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.extract.model import EXTRACTED_FIELDS, ITEM_FIELDS
from crawler.extract.urls import canonical_url
from tests.conftest import BIN, Replica, read_jsonl, run_arsip


@dataclass
class Crawl:
    out: Path
    result: subprocess.CompletedProcess[str]
    log: list[dict[str, Any]]

    @property
    def items(self) -> list[dict[str, Any]]:
        files = sorted((self.out / "json").glob("*.jsonl"))
        assert len(files) >= 1, f"no JSON Lines in {self.out / 'json'}"
        return read_jsonl(files[0])


def crawl(replica: Replica, out: Path) -> Crawl:
    before = len(replica.log())
    result = run_arsip(
        "crawl", "anri", "--start-url", replica.news_url, "--out", str(out), "--progress", "off"
    )
    return Crawl(out, result, replica.log()[before:])


@pytest.fixture(scope="module")
def first(replica_120: Replica, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    done = crawl(replica_120, tmp_path_factory.mktemp("crawl") / "out")
    assert done.result.returncode == 0, done.result.stderr[-3000:]
    return done


def warc_responses(out: Path) -> list[dict[str, Any]]:
    """Every response record of a collection: uri, status, raw payload sha1."""
    found = []
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, no_record_parse=False):
                if record.rec_type != "response":
                    continue
                raw = record.raw_stream.read()
                found.append(
                    {
                        "uri": record.rec_headers.get_header("WARC-Target-URI"),
                        "status": int(record.http_headers.get_statuscode()),
                        "sha1": hashlib.sha1(raw).hexdigest(),
                        "headers": record.http_headers,
                    }
                )
    return found


def test_crawl_finds_exactly_the_replica_articles_with_every_field_right(
    first: Crawl, replica_120: Replica
) -> None:
    items = first.items
    truth = {t["id"]: t for t in replica_120.truth()}
    assert len(truth) == 120
    assert len(items) == 120
    assert len({i["id"] for i in items}) == 120
    wrong: list[str] = []
    for item in items:
        assert list(item) == list(ITEM_FIELDS)
        expected = truth.get(item["id"])
        assert expected is not None, f"item {item['url']} is not in the ground truth"
        for name in EXTRACTED_FIELDS:
            if item[name] != expected[name]:
                wrong.append(f"{item['url']} {name}: got {item[name]!r}, want {expected[name]!r}")
    assert not wrong, f"{len(wrong)} wrong fields, e.g.:\n" + "\n".join(wrong[:10])


def test_crawl_time_fields_point_at_the_crawl_and_the_warc(first: Crawl) -> None:
    items = first.items
    crawl_ids = {i["crawl_id"] for i in items}
    assert len(crawl_ids) == 1
    assert (first.out / "json" / f"{crawl_ids.pop()}.jsonl").exists()
    for item in items:
        assert item["schema_version"] == 1
        assert item["fetched_at"].endswith("Z") and len(item["fetched_at"]) == 24


def test_every_response_the_replica_sent_is_in_the_warc(first: Crawl, replica_120: Replica) -> None:
    sent = [e for e in first.log if e["method"] == "GET"]
    kinds = Counter()
    for entry in sent:
        path = urlsplit("http://x" + entry["path"]).path
        kinds["robots" if path == "/robots.txt" else str(entry["status"])] += 1
    # the crawl met every kind of exchange the spine issue names
    assert kinds["robots"] == 1 and kinds["301"] >= 1 and kinds["404"] >= 1, kinds
    types = {e["content_type"].split(";")[0] for e in sent}
    assert {"text/html", "text/css", "image/png", "image/jpeg", "application/pdf"} <= types
    assert any("javascript" in t for t in types), types

    base = replica_120.base_url.rstrip("/")
    archived = Counter((r["uri"], r["status"], r["sha1"]) for r in warc_responses(first.out))
    wanted = Counter((base + e["path"], e["status"], e["sha1"]) for e in sent)
    missing = wanted - archived
    assert not missing, f"{sum(missing.values())} responses not in the WARC: {list(missing)[:5]}"


def test_robots_disallowed_pages_were_never_requested(first: Crawl) -> None:
    assert not [e for e in first.log if e["path"].startswith("/admin")]


def test_bodies_are_stored_as_received_still_gzip_encoded(first: Crawl) -> None:
    encoded = [
        r
        for r in warc_responses(first.out)
        if r["headers"].get_header("Content-Encoding") == "gzip"
    ]
    assert encoded, "the replica gzips HTML for clients that accept it"
    for record in encoded:
        assert record["headers"].get_header("Transfer-Encoding") is None


def test_warcio_check_passes_on_every_warc(first: Crawl) -> None:
    warcs = sorted((first.out / "warc").glob("*.warc.gz"))
    assert warcs
    assert not list((first.out / "warc").glob("*.open"))
    result = subprocess.run(
        [str(BIN / "warcio"), "check", *map(str, warcs)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_item_warc_pointer_reads_back_as_its_response(first: Crawl) -> None:
    for item in first.items:
        pointer = item["warc"]
        path = first.out / "warc" / pointer["filename"]
        with path.open("rb") as fh:
            fh.seek(pointer["offset"])
            member = fh.read(pointer["length"])
        record = next(iter(ArchiveIterator(io.BytesIO(member))))
        headers = record.rec_headers
        assert record.rec_type == "response"
        assert canonical_url(headers.get_header("WARC-Target-URI")) == item["url"]
        assert headers.get_header("WARC-Record-ID") == pointer["record_id"]
        assert headers.get_header("WARC-Payload-Digest") == pointer["payload_digest"]
        assert headers.get_header("WARC-Date") == item["fetched_at"]


def test_summary_names_pages_articles_and_outputs(first: Crawl) -> None:
    out = first.result.stdout
    assert "articles   120" in out
    assert "written by this crawl" in out and "duration" in out
    assert str(first.out / "arsip.sqlite") in out


def test_crawling_twice_into_the_same_dir_keeps_one_row_per_article(
    first: Crawl, replica_120: Replica
) -> None:
    second = crawl(replica_120, first.out)
    assert second.result.returncode == 0, second.result.stderr[-3000:]
    assert len(list((first.out / "json").glob("*.jsonl"))) == 2
    with sqlite3.connect(first.out / "arsip.sqlite") as db:
        rows, distinct = db.execute("select count(*), count(distinct id) from articles").fetchone()
    assert rows == distinct == 120
