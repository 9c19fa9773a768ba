"""Revisits: recrawling an unchanged site stores no payload twice, and items stay complete.

One epoch-0 replica keeps running on one port for the whole module, so that
every crawl sees the same URLs. Three crawls go into one collection:

1. ``arsip crawl``: full responses (the originals), digest index filled;
2. ``arsip crawl --full`` again: conditional requests, the replica answers
   304, ``server-not-modified`` revisits;
3. ``scrapy crawl`` (full) with ``WARC_CONDITIONAL_ENABLED=False``: no validators,
   the replica answers 200 with the same bytes, ``identical-payload-digest``
   revisits.

The replica's own log (what it sent) and the WARC files are the oracles.
Unit tests of the two middlewares and the digest index follow, without a crawl.
"""

from __future__ import annotations

import gzip
import re
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.test import get_crawler

from archive.digests import DigestIndex, RevisitResolver, default_index_path
from archive.reader import StoredRecord, compute_digest, iter_records, read_record_at
from archive.records import REVISIT_IDENTICAL_PAYLOAD_DIGEST, REVISIT_SERVER_NOT_MODIFIED, RefersTo
from archive.writer import RecordLocation, WarcFileWriter
from arsip.replica_process import ReplicaProcess
from crawler.extract.model import EXTRACTED_FIELDS
from crawler.middlewares.conditional import PRIORITY as CONDITIONAL_PRIORITY
from crawler.middlewares.conditional import ConditionalRequestMiddleware
from crawler.middlewares.warc_capture import (
    REVISIT_DEFAULTS,
    WarcCaptureMiddleware,
    hop_path,
    metadata_fields,
    request_message,
    response_message,
)
from tests.conftest import BIN, REPO, Replica, read_jsonl, run_arsip

ARTICLES = 20


def free_port() -> int:
    """A port that was free a moment ago (the replica must keep one port across crawls)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the crawls --------------------------------------------------------------------


@dataclass
class Crawl:
    """One crawl into the shared collection: its items, new WARC files and replica log."""

    items: list[dict[str, Any]]
    warcs: list[Path]
    sent: list[dict[str, Any]]

    def records(self) -> list[StoredRecord]:
        found = []
        for path in self.warcs:
            for entry in iter_records(path):
                found.append(read_record_at(path, entry.offset, entry.length))
        return found


@dataclass
class Collection:
    out: Path
    replica: Replica
    first: Crawl
    second: Crawl
    third: Crawl

    def all_warcs(self) -> list[Path]:
        return sorted((self.out / "warc").glob("*.warc.gz"))


def _run(replica: Replica, out: Path, command: list[str], *, scrapy: bool = False) -> Crawl:
    warcs_before = set((out / "warc").glob("*.warc.gz"))
    json_before = set((out / "json").glob("*.jsonl"))
    sent_before = len(replica.log())
    if scrapy:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", *command],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
            check=False,
        )
    else:
        result = run_arsip(*command, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    (json_file,) = set((out / "json").glob("*.jsonl")) - json_before
    return Crawl(
        read_jsonl(json_file),
        sorted(set((out / "warc").glob("*.warc.gz")) - warcs_before),
        replica.log()[sent_before:],
    )


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    work = tmp_path_factory.mktemp("revisits")
    out = work / "out"
    truth, log = work / "truth.jsonl", work / "replica-log.jsonl"
    # one replica, one explicit port, for all three crawls (ReplicaProcess passes
    # "--port 0" first; the last --port given wins)
    with ReplicaProcess(
        "--port", str(free_port()), articles=ARTICLES, truth=truth, log=log
    ) as proc:
        replica = Replica(proc.base_url, truth, log, ARTICLES, proc)
        arsip = ["crawl", "anri", "--start-url", replica.news_url, "--out", str(out)]
        arsip += ["--progress", "off"]
        first = _run(replica, out, arsip)
        # --full: an unchanged site crawled again in full (an incremental
        # recrawl would not even ask for the articles it knows)
        second = _run(replica, out, [*arsip, "--full"])
        third = _run(
            replica,
            out,
            [
                "crawl",
                "news",
                "-a",
                "profile=anri",
                "-a",
                f"start_url={replica.news_url}",
                "-s",
                f"ARSIP_OUT_DIR={out}",
                "-s",
                "WARC_CONDITIONAL_ENABLED=False",
                "-s",
                "ARSIP_CRAWL_MODE=full",
                "-s",
                "ARSIP_PROGRESS=off",
                "-s",
                "LOG_LEVEL=WARNING",
            ],
            scrapy=True,
        )
        yield Collection(out, replica, first, second, third)


def _by_type(records: list[StoredRecord], rec_type: str) -> list[StoredRecord]:
    return [r for r in records if r.rec_type == rec_type]


def _status(record: StoredRecord) -> int:
    return int(record.http_start_line.split()[1])


def _http(record: StoredRecord, name: bytes) -> bytes | None:
    return next((v for k, v in record.http_headers() if k.lower() == name.lower()), None)


def _originals(crawl: Crawl) -> dict[str, StoredRecord]:
    """The first crawl's 200 responses by target URI."""
    return {
        r.header("WARC-Target-URI") or "": r
        for r in _by_type(crawl.records(), "response")
        if _status(r) == 200
    }


# -- server-not-modified -----------------------------------------------------------------


def test_unchanged_recrawl_stores_every_304_as_a_server_not_modified_revisit(
    collection: Collection,
) -> None:
    originals = _originals(collection.first)
    records = collection.second.records()
    statuses = Counter(e["status"] for e in collection.second.sent)
    # every page, image, stylesheet, script, PDF, listing, robots.txt: not modified
    assert statuses[304] == len(originals), statuses
    assert set(statuses) == {304, 301, 404}, statuses
    revisits = _by_type(records, "revisit")
    assert len(revisits) == len(originals)
    for revisit in revisits:
        uri = revisit.header("WARC-Target-URI") or ""
        original = originals[uri]
        assert revisit.header("WARC-Profile") == REVISIT_SERVER_NOT_MODIFIED
        assert revisit.header("WARC-Refers-To") == original.header("WARC-Record-ID")
        assert revisit.header("WARC-Refers-To-Target-URI") == uri
        assert revisit.header("WARC-Refers-To-Date") == original.header("WARC-Date")
        # a 304 has no payload (WARC 1.1 5.9): no payload digest; Refers-To* name the original
        assert revisit.header("WARC-Payload-Digest") is None
        assert revisit.header("WARC-Truncated") is None  # a 304 has nothing to cut
        assert revisit.http_start_line == b"HTTP/1.1 304 Not Modified"
        assert revisit.payload == b""  # the HTTP head as received, no payload
        assert _http(revisit, b"ETag") == _http(original, b"ETag")
        # the block digest covers the 304 head; the payload digest is the original's
        # (StoredRecord.digest_problems would compare it with the empty payload)
        assert revisit.header("WARC-Block-Digest") == f"sha1:{compute_digest(revisit.block)}"
    # only the redirect and the dead link were sent (and stored) in full again
    full = _by_type(records, "response")
    assert sorted(_status(r) for r in full) == [301, 404]


def test_recrawl_requests_carry_the_validators_of_the_last_capture(
    collection: Collection,
) -> None:
    originals = _originals(collection.first)
    requests = _by_type(collection.second.records(), "request")
    conditional = [r for r in requests if (r.header("WARC-Target-URI") or "") in originals]
    assert len(conditional) == len(originals)
    for request in conditional:
        original = originals[request.header("WARC-Target-URI") or ""]
        assert _http(request, b"If-None-Match") == _http(original, b"ETag")
        assert _http(request, b"If-Modified-Since") == _http(original, b"Last-Modified")


def test_recrawl_items_are_complete_equal_and_point_at_the_original_payload(
    collection: Collection,
) -> None:
    first = {i["id"]: i for i in collection.first.items}
    second = {i["id"]: i for i in collection.second.items}
    assert len(first) == len(second) == ARTICLES
    revisits = {
        r.header("WARC-Refers-To"): r for r in _by_type(collection.second.records(), "revisit")
    }
    for item_id, item in second.items():
        before = first[item_id]
        for name in EXTRACTED_FIELDS:
            assert item[name] == before[name], f"{item['url']} {name}"
        # same payload, so the same pointer: the original response record
        assert item["warc"] == before["warc"]
        pointer = item["warc"]
        original = read_record_at(
            collection.out / "warc" / pointer["filename"], pointer["offset"], pointer["length"]
        )
        assert original.rec_type == "response"
        assert original.header("WARC-Record-ID") == pointer["record_id"]
        assert gzip.decompress(original.payload).startswith(b"<!DOCTYPE html>")
        # ... fetched when the revisit was written
        revisit = revisits[pointer["record_id"]]
        assert item["fetched_at"] == revisit.header("WARC-Date") != before["fetched_at"]


def test_recrawl_downloads_at_most_a_tenth_of_the_first_crawls_bytes(
    collection: Collection,
) -> None:
    first = sum(e["bytes"] for e in collection.first.sent if e["method"] == "GET")
    second = sum(e["bytes"] for e in collection.second.sent if e["method"] == "GET")
    assert len(collection.second.sent) == len(collection.first.sent)
    assert second <= 0.10 * first, (second, first)


# -- identical-payload-digest ------------------------------------------------------------


def test_a_server_that_answers_200_with_the_same_bytes_gets_identical_payload_revisits(
    collection: Collection,
) -> None:
    originals = _originals(collection.first)
    records = collection.third.records()
    assert all("If-None-Match" not in str(r.http_head) for r in _by_type(records, "request"))
    assert Counter(e["status"] for e in collection.third.sent)[200] == len(originals)
    revisits = _by_type(records, "revisit")
    assert len(revisits) == len(originals)
    for revisit in revisits:
        uri = revisit.header("WARC-Target-URI") or ""
        original = originals[uri]
        assert revisit.header("WARC-Profile") == REVISIT_IDENTICAL_PAYLOAD_DIGEST
        assert revisit.header("WARC-Refers-To") == original.header("WARC-Record-ID")
        assert revisit.header("WARC-Refers-To-Target-URI") == uri
        assert revisit.header("WARC-Refers-To-Date") == original.header("WARC-Date")
        assert revisit.header("WARC-Payload-Digest") == original.header("WARC-Payload-Digest")
        assert revisit.header("WARC-Truncated") == "length"  # WARC 1.1 section 6.7.2
        assert revisit.http_start_line == b"HTTP/1.1 200 OK"
        assert revisit.payload == b""
        # the head is the one received now: same length as the stored payload
        assert _http(revisit, b"Content-Length") == str(len(original.payload)).encode()
    assert sorted(_status(r) for r in _by_type(records, "response")) == [301, 404]
    first = {i["id"]: i for i in collection.first.items}
    for item in collection.third.items:
        assert {n: item[n] for n in EXTRACTED_FIELDS} == {
            n: first[item["id"]][n] for n in EXTRACTED_FIELDS
        }
        assert item["warc"] == first[item["id"]]["warc"]


def _failed_ids(text: str) -> set[str]:
    return set(re.findall(r"<(urn:uuid:[0-9a-f-]{36})>", text))


def test_foreign_verifiers_fault_exactly_the_identical_payload_revisits(
    collection: Collection,
) -> None:
    """``fastwarc check -p`` and ``warcat verify`` hash what follows a revisit's HTTP
    head (nothing) against its ``WARC-Payload-Digest``. WARC 1.1 says a revisit has
    no payload ("All 'warcinfo', 'metadata' and 'revisit' records shall not have a
    payload"), that the field "may also be used for data not actually present in the
    current record block, for example when a block is left off in accordance with a
    'revisit' profile", and (6.7.2) that for this profile "the payload is defined as
    the original payload content whose digest value was unchanged". So the records
    they fault must be exactly the identical-payload revisits, each carrying the
    digest of an original both tools accept; every other record passes."""
    originals = _originals(collection.first)
    revisits = {
        r.header("WARC-Record-ID") or "": r
        for r in _by_type(collection.third.records(), "revisit")
        if r.header("WARC-Profile") == REVISIT_IDENTICAL_PAYLOAD_DIGEST
    }
    assert revisits
    expected = {rid.strip("<>") for rid in revisits}
    (third,) = collection.third.warcs  # fastwarc checks one file
    plain = subprocess.run(
        [str(BIN / "fastwarc"), "check", "-q", str(third)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert plain.returncode == 0, plain.stdout[-2000:] + plain.stderr[-2000:]
    payload = subprocess.run(
        [str(BIN / "fastwarc"), "check", "-p", str(third)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert _failed_ids(payload.stdout.partition("Failed records:")[2]) == expected
    firsts = [str(p) for p in collection.first.warcs]
    warcat = subprocess.run(
        [sys.executable, "-m", "warcat", "verify", *firsts, str(third)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    said = warcat.stdout + warcat.stderr
    faulted = re.findall(r"Record <(urn:uuid:[0-9a-f-]{36})> failed validation", said)
    assert set(faulted) == expected, said[-2000:]
    problems = re.findall(r"VerifyProblem: \('([^']*)'", said)
    assert problems == ["Bad payload digest."] * len(faulted), sorted(set(problems))
    for revisit in revisits.values():
        original = originals[revisit.header("WARC-Target-URI") or ""]
        assert revisit.header("WARC-Payload-Digest") == original.header("WARC-Payload-Digest")
        label, _, value = (original.header("WARC-Payload-Digest") or "").partition(":")
        assert compute_digest(original.payload, label) == value


# -- the collection as a whole --------------------------------------------------------------


def test_warcio_check_passes_on_the_collection(collection: Collection) -> None:
    warcs = collection.all_warcs()
    assert len(warcs) == 3
    assert not list((collection.out / "warc").glob("*.open"))
    check = subprocess.run(
        [str(BIN / "warcio"), "check", *map(str, warcs)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_every_revisit_resolves_to_a_response_record_by_scanning(collection: Collection) -> None:
    resolver = RevisitResolver(collection.all_warcs())
    revisits = _by_type(collection.second.records() + collection.third.records(), "revisit")
    assert revisits
    for revisit in revisits:
        found = resolver.resolve(
            refers_to=revisit.header("WARC-Refers-To"),
            target_uri=revisit.header("WARC-Target-URI"),
            payload_digest=revisit.header("WARC-Payload-Digest"),
        )
        assert found is not None
        assert found["record_id"] == revisit.header("WARC-Refers-To")
        # and without WARC-Refers-To, by URI and payload digest, as replay tools do (an
        # identical-payload-digest revisit has one; a 304 revisit has no payload, nor digest)
        if revisit.header("WARC-Payload-Digest") is None:
            continue
        by_digest = resolver.resolve(
            refers_to=None,
            target_uri=revisit.header("WARC-Target-URI"),
            payload_digest=revisit.header("WARC-Payload-Digest"),
        )
        assert by_digest == found


def test_the_digest_index_lives_in_the_collection_state_dir(collection: Collection) -> None:
    path = collection.out / "state" / "digests.sqlite"
    assert default_index_path(collection.out / "warc") == path.resolve()
    with DigestIndex(path) as index:
        originals = _originals(collection.first)
        assert len(index) == len(originals)
        uri, record = next(iter(originals.items()))
        last = index.last_capture(uri)
        assert last is not None
        assert last.original["record_id"] == record.header("WARC-Record-ID")
        assert last.etag == (_http(record, b"ETag") or b"").decode()
        # the third crawl's revisit is the latest exchange
        third = [
            r
            for r in _by_type(collection.third.records(), "revisit")
            if r.header("WARC-Target-URI") == uri
        ]
        assert last.seen_record_id == third[0].header("WARC-Record-ID")


def test_every_exchange_has_one_metadata_record_with_via_and_hops(
    collection: Collection,
) -> None:
    records = collection.first.records() + collection.second.records()
    main = {
        r.header("WARC-Record-ID") or "": r
        for r in records
        if r.rec_type in ("response", "revisit")
    }
    metadata = _by_type(records, "metadata")
    assert sorted(r.header("WARC-Concurrent-To") or "" for r in metadata) == sorted(main)
    base = collection.replica.base_url.rstrip("/")
    seen: dict[str, dict[str, str]] = {}
    for record in metadata:
        concurrent = main[record.header("WARC-Concurrent-To") or ""]
        assert record.header("WARC-Target-URI") == concurrent.header("WARC-Target-URI")
        assert record.header("WARC-Date") == concurrent.header("WARC-Date")
        assert record.header("Content-Type") == "application/warc-fields"
        fields = dict(
            line.split(": ", 1) for line in record.block.decode("utf-8").splitlines() if line
        )
        assert int(fields["fetchTimeMs"]) >= 0
        seen[record.header("WARC-Target-URI") or ""] = fields
    seed = seen[collection.replica.news_url]
    assert "via" not in seed and "hopsFromSeed" not in seed
    assert seen[base + "/robots.txt"]["hopsFromSeed"] == "P"
    page2 = seen[base + "/publikasi/berita?page=2"]
    assert (page2["via"], page2["hopsFromSeed"]) == (collection.replica.news_url, "L")
    for item in collection.first.items:
        fields = seen[item["url"]]
        # found on a listing or in the sitemap (both are fetched from the start)
        assert fields["via"].startswith((base + "/publikasi/berita", base + "/sitemap.xml"))
        assert fields["hopsFromSeed"] in ("L", "LL", "LLL")


# -- unit tests: middlewares and index ----------------------------------------------------------

PAGE = b"<!DOCTYPE html><html><body><a href='/b'>b</a><p>Berita ANRI</p></body></html>"
GZ_PAGE = gzip.compress(PAGE, mtime=0)
URL = "http://arsip.test/publikasi/berita/satu"


def _live(url: str, status: int = 200, body: bytes = GZ_PAGE, **headers: str) -> Response:
    sent = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip", **headers}
    if status == 304:
        sent = dict(headers)
    return Response(url, status=status, headers=sent, body=body if status != 304 else b"")


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[WarcCaptureMiddleware, ConditionalRequestMiddleware]]:
    settings = {"WARC_DIR": str(tmp_path / "warc")}
    crawler = get_crawler(settings_dict=settings)
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    conditional = ConditionalRequestMiddleware.from_crawler(crawler)
    yield capture, conditional
    capture.spider_closed()
    conditional.spider_closed()


def _exchange(
    capture: WarcCaptureMiddleware,
    conditional: ConditionalRequestMiddleware,
    request: Request,
    live: Response,
) -> Response | Request:
    """What the two middlewares do to one exchange, in Scrapy's order."""
    conditional.process_request(request)
    live = live.replace(request=request)
    captured = capture.process_response(request, live)
    return conditional.process_response(request, captured)


def test_first_capture_is_full_and_sends_no_validators(
    parts: tuple[WarcCaptureMiddleware, ConditionalRequestMiddleware],
) -> None:
    capture, conditional = parts
    request = Request(URL)
    _exchange(capture, conditional, request, _live(URL, ETag='"v1-gzip"'))
    assert b"If-None-Match" not in request.headers
    assert "revisit" not in request.meta
    assert capture.stats is not None
    assert capture.stats.get_value("warc/responses") == 1


def test_304_becomes_a_revisit_and_the_spider_gets_the_archived_response_decoded(
    parts: tuple[WarcCaptureMiddleware, ConditionalRequestMiddleware],
) -> None:
    capture, conditional = parts
    first = Request(URL)
    _exchange(capture, conditional, first, _live(URL, ETag='"v1-gzip"', Last_Modified="x"))
    original = first.meta["warc"]
    second = Request(URL)
    result = _exchange(capture, conditional, second, _live(URL, 304, ETag='"v1-gzip"'))
    assert second.headers[b"If-None-Match"] == b'"v1-gzip"'
    assert isinstance(result, Response)
    assert result.status == 200 and "warc" in result.flags
    assert result.body == GZ_PAGE  # still encoded: HttpCompression (590) decodes it next
    assert result.headers[b"Content-Encoding"] == b"gzip"
    decoded = HttpCompressionMiddleware.from_crawler(get_crawler()).process_response(second, result)
    assert isinstance(decoded, TextResponse)
    assert decoded.body == PAGE
    assert decoded.xpath("//a/@href").getall() == ["/b"]
    assert second.meta["revisit"] == "server-not-modified"
    assert second.meta["warc"] == original
    assert second.meta["fetched_at"] == second.meta["warc_revisit"]["warc_date"]
    revisit = second.meta["warc_revisit"]
    record = read_record_at(
        capture.writer.directory / f"{revisit['filename']}.open", 0 + revisit["offset"]
    )
    assert record.header("WARC-Profile") == REVISIT_SERVER_NOT_MODIFIED
    assert capture.stats is not None and conditional.stats is not None
    assert capture.stats.get_value("warc/not_modified") == 1
    assert conditional.stats.get_value("conditional/not_modified") == 1


def test_identical_payload_is_a_revisit_pointing_at_the_original(
    parts: tuple[WarcCaptureMiddleware, ConditionalRequestMiddleware],
) -> None:
    capture, _ = parts
    first, second = Request(URL), Request(URL)
    capture.process_response(first, _live(URL))  # no validators: never conditional
    response = capture.process_response(second, _live(URL))
    assert response.body == GZ_PAGE  # the live response goes on untouched
    assert second.meta["revisit"] == "identical-payload-digest"
    assert second.meta["warc"] == first.meta["warc"]
    assert second.meta["fetched_at"] == second.meta["warc_revisit"]["warc_date"]
    assert capture.stats is not None
    assert capture.stats.get_value("warc/identical_payload") == 1


def test_no_identical_revisit_when_the_original_file_is_gone(tmp_path: Path) -> None:
    warc = tmp_path / "warc"
    crawler = get_crawler(settings_dict={"WARC_DIR": str(warc)})
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    first = Request(URL)
    capture.process_response(first, _live(URL))
    capture.spider_closed()  # file closed under its final name
    (warc / first.meta["warc"]["filename"]).unlink()
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    second = Request(URL)
    capture.process_response(second, _live(URL))
    capture.spider_closed()
    assert "revisit" not in second.meta  # stored in full again, and the new original
    assert second.meta["warc"]["record_id"] != first.meta["warc"]["record_id"]


def test_unreadable_original_is_forgotten_and_fetched_again_without_validators(
    parts: tuple[WarcCaptureMiddleware, ConditionalRequestMiddleware],
) -> None:
    capture, conditional = parts
    first = Request(URL)
    _exchange(capture, conditional, first, _live(URL, ETag='"v1-gzip"'))
    second = Request(URL)
    conditional.process_request(second)
    revalidating = second.meta["revalidating"]
    revalidating["location"] = {**revalidating["location"], "offset": 1}  # not a record start
    captured = capture.process_response(second, _live(URL, 304).replace(request=second))
    again = conditional.process_response(second, captured)
    assert isinstance(again, Request)
    assert again.dont_filter and again.meta["dont_revalidate"]
    assert b"If-None-Match" not in again.headers and "revalidating" not in again.meta
    assert conditional.digests.last_capture(URL) is None


def test_a_304_nobody_asked_for_is_archived_as_a_plain_response(
    parts: tuple[WarcCaptureMiddleware, ConditionalRequestMiddleware],
) -> None:
    capture, conditional = parts
    request = Request(URL, headers={"If-None-Match": '"spider-own"'})
    result = _exchange(capture, conditional, request, _live(URL, 304))
    assert isinstance(result, Response) and result.status == 304
    assert "revisit" not in request.meta
    record = read_record_at(
        capture.writer.directory / (request.meta["warc"]["filename"] + ".open"),
        request.meta["warc"]["offset"],
    )
    assert record.rec_type == "response"


def test_redirect_copies_lose_the_validators_of_the_url_they_left(
    parts: tuple[WarcCaptureMiddleware, ConditionalRequestMiddleware],
) -> None:
    capture, conditional = parts
    _exchange(capture, conditional, Request(URL), _live(URL, ETag='"v1-gzip"'))
    request = Request(URL)
    conditional.process_request(request)
    moved = request.replace(url="http://arsip.test/publikasi/berita/baru")  # as RedirectMiddleware
    conditional.process_request(moved)
    assert b"If-None-Match" not in moved.headers
    assert "revalidating" not in moved.meta


def test_only_gets_are_conditional_and_dont_revalidate_opts_out(
    parts: tuple[WarcCaptureMiddleware, ConditionalRequestMiddleware],
) -> None:
    capture, conditional = parts
    _exchange(capture, conditional, Request(URL), _live(URL, ETag='"v1-gzip"'))
    for request in (
        Request(URL, method="POST", body=b"q=1"),
        Request(URL, meta={"dont_revalidate": True}),
    ):
        conditional.process_request(request)
        assert b"If-None-Match" not in request.headers


def test_conditional_middleware_is_off_with_its_setting_or_without_warc(tmp_path: Path) -> None:
    for settings in (
        {"WARC_DIR": str(tmp_path), "WARC_CONDITIONAL_ENABLED": False},
        {"WARC_DIR": str(tmp_path), "WARC_ENABLED": False},
    ):
        with pytest.raises(NotConfigured):
            ConditionalRequestMiddleware.from_crawler(get_crawler(settings_dict=settings))
    assert CONDITIONAL_PRIORITY < 950  # its headers are in the recorded request
    assert 600 < CONDITIONAL_PRIORITY < 700  # after Cookies saw the 304, before Redirect


def test_revisit_settings_have_documented_defaults() -> None:
    assert REVISIT_DEFAULTS == {
        "WARC_DIGEST_INDEX": "",
        "WARC_METADATA_ENABLED": True,
        "WARC_REVISITS_ENABLED": True,
    }


def test_metadata_fields_name_via_hops_and_fetch_time() -> None:
    request = Request(
        "http://arsip.test/b#top",
        headers={"Referer": "http://arsip.test/a"},
        meta={"depth": 2, "download_latency": 0.0123},
    )
    assert metadata_fields(request) == [
        ("via", "http://arsip.test/a"),
        ("hopsFromSeed", "LL"),
        ("fetchTimeMs", "12"),
    ]
    redirected = Request(
        "http://arsip.test/c", meta={"depth": 1, "redirect_urls": ["http://arsip.test/old"]}
    )
    assert metadata_fields(redirected)[:2] == [
        ("via", "http://arsip.test/old"),
        ("hopsFromSeed", "LR"),
    ]
    robots = Request("http://arsip.test/robots.txt", meta={"dont_obey_robotstxt": True})
    assert hop_path(robots) == "P"
    assert metadata_fields(Request("http://arsip.test/")) == []  # a seed, not yet fetched


def test_writer_refuses_an_unknown_revisit_profile(tmp_path: Path) -> None:
    request = Request(URL)
    with WarcFileWriter(tmp_path) as writer, pytest.raises(ValueError, match="profile"):
        writer.write_revisit(
            URL,
            request_message(request),
            response_message(HtmlResponse(URL, body=PAGE)),
            profile="http://example.com/other",
            refers_to=RefersTo("<urn:uuid:x>", URL, "2021-12-09T00:00:00.000Z", "sha1:X"),
        )


def test_writer_payload_digest_is_the_one_a_response_record_declares(tmp_path: Path) -> None:
    response = response_message(HtmlResponse(URL, body=PAGE))
    with WarcFileWriter(tmp_path) as writer:
        location = writer.write_exchange(URL, request_message(Request(URL)), response)
        assert writer.payload_digest(PAGE) == location["payload_digest"]


def _location(record_id: str, digest: str, date: str) -> RecordLocation:
    return RecordLocation(
        filename="A.warc.gz",
        offset=0,
        length=10,
        record_id=record_id,
        payload_digest=digest,
        warc_date=date,
    )


def test_digest_index_persists_and_keeps_validators_a_304_does_not_repeat(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state" / "digests.sqlite"
    original = _location("<urn:uuid:1>", "sha1:AAA", "2021-12-09T00:00:00.000Z")
    with DigestIndex(path) as index:
        index.add_original(URL, original, etag='"e1"', last_modified="Mon, 01 Jan 2024")
    with DigestIndex(path) as index:  # a later crawl
        assert index.original(URL, "sha1:AAA") == original
        assert index.original(URL, "sha1:BBB") is None
        revisit = _location("<urn:uuid:2>", "sha1:AAA", "2021-12-10T00:00:00.000Z")
        index.add_revisit(URL, "sha1:AAA", revisit, etag=None, last_modified=None)
        last = index.last_capture(URL)
        assert last is not None
        assert last.original == original
        assert (last.etag, last.last_modified) == ('"e1"', "Mon, 01 Jan 2024")
        assert (last.seen_at, last.seen_record_id) == (revisit["warc_date"], "<urn:uuid:2>")
        index.forget(URL)
        assert index.last_capture(URL) is None
        assert index.original(URL, "sha1:AAA") == original  # still there for revisits
