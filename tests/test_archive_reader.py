"""archive.reader: pointers followed to their records; any file read without crash or hang."""

from __future__ import annotations

import gzip
import json
import random
import time
from pathlib import Path
from typing import Any

import pytest

from archive.reader import (
    ReadProblem,
    StoredRecord,
    compute_digest,
    iter_records,
    read_record_at,
    scan,
)
from archive.records import HttpRequestMessage, HttpResponseMessage
from archive.writer import RecordLocation, WarcFileWriter
from tests.conftest import CORPUS

#: The corpus of third-party WARC/ARC files (tests/corpus/warc).
WARC_CORPUS = CORPUS / "warc"
#: Reading any one file must take less than this (seconds).
TIME_BOUND = 5.0


def _corpus_cases() -> list[Any]:
    manifest = WARC_CORPUS / "MANIFEST.json"
    entries = json.loads(manifest.read_text("utf-8"))
    return [pytest.param(entry, id=entry["file"]) for entry in entries]


@pytest.mark.timeout(TIME_BOUND * 2)
@pytest.mark.parametrize("entry", _corpus_cases())
def test_every_corpus_file_is_read_without_crash_or_hang(entry: dict[str, Any]) -> None:
    started = time.monotonic()
    result = scan(WARC_CORPUS / entry["file"])
    assert time.monotonic() - started < TIME_BOUND
    # readable files give all their records; broken files give theirs up to the break ...
    assert len(result.entries) == entry["record_count_read"]
    # ... and the break is reported, never raised
    if "iterator_error" in entry:
        assert result.stopped is not None
        assert result.stopped.message.split(":")[0] == entry["iterator_error"].split(":")[0]
    else:
        assert result.stopped is None
    kinds: dict[str, int] = {}
    for record in result.entries:
        kinds[record.rec_type] = kinds.get(record.rec_type, 0) + 1
    assert kinds == entry["record_types"]


def test_arc_records_are_read_as_warc(tmp_path: Path) -> None:
    path = WARC_CORPUS / "warcio" / "example.arc.gz"
    entries = list(iter_records(path))
    assert [(e.rec_type, e.format) for e in entries] == [
        ("warcinfo", "arc"),
        ("response", "arc"),
    ]
    assert entries[1].http_status == "200"


# -- our own files ------------------------------------------------------------------


def write_sample(directory: Path, count: int = 3) -> list[RecordLocation]:
    with WarcFileWriter(directory, hostname="testhost") as writer:
        return [
            writer.write_exchange(
                f"http://anri.go.id/berita/{n}",
                HttpRequestMessage("GET", f"/berita/{n}", [(b"Host", b"anri.go.id")]),
                HttpResponseMessage(
                    200,
                    [
                        (b"Content-Encoding", b"gzip"),
                        (b"Set-Cookie", b"a=1"),
                        (b"Set-Cookie", b"b=2"),
                    ],
                    gzip.compress(b"<p>isi %d</p>" % n, mtime=0),
                ),
            )
            for n in range(count)
        ]


def test_read_record_at_follows_a_location(tmp_path: Path) -> None:
    locations = write_sample(tmp_path)
    for n, location in enumerate(locations):
        record = read_record_at(
            tmp_path / location["filename"], location["offset"], location["length"]
        )
        assert record.rec_type == "response"
        assert record.header("warc-record-id") == location["record_id"]  # any case
        assert record.http_start_line == b"HTTP/1.1 200 OK"
        assert record.http_headers()[1:3] == [(b"Set-Cookie", b"a=1"), (b"Set-Cookie", b"b=2")]
        assert gzip.decompress(record.payload) == b"<p>isi %d</p>" % n  # still encoded
        assert record.digest_problems() == []


def test_iter_records_gives_the_same_offsets_as_the_writer(tmp_path: Path) -> None:
    locations = write_sample(tmp_path)
    (path,) = tmp_path.iterdir()
    problems: list[ReadProblem] = []
    entries = list(iter_records(path, problems))
    assert problems == []
    assert [e.rec_type for e in entries] == ["warcinfo"] + ["response", "request"] * 3
    assert [e.http_status for e in entries[:3]] == [None, "200", None]
    responses = [(e.offset, e.length, e.record_id) for e in entries if e.rec_type == "response"]
    assert responses == [(loc["offset"], loc["length"], loc["record_id"]) for loc in locations]


def test_read_record_at_refuses_wrong_pointers(tmp_path: Path) -> None:
    (location, *_) = write_sample(tmp_path)
    path = tmp_path / location["filename"]
    with pytest.raises(ValueError, match="not 5"):
        read_record_at(path, location["offset"], 5)
    with pytest.raises(ValueError, match="offset 7"):
        read_record_at(path, 7)
    with pytest.raises(ValueError, match="no record"):
        read_record_at(path, path.stat().st_size)


def test_digest_problems_name_the_tampered_digest() -> None:
    block = b"HTTP/1.1 200 OK\r\n\r\nbody"
    record = StoredRecord(
        offset=0,
        length=0,
        warc_headers=(
            ("WARC-Type", "response"),
            ("WARC-Block-Digest", "sha1:" + compute_digest(block)),
            ("WARC-Payload-Digest", "sha1:" + compute_digest(b"other")),
        ),
        block=block,
        http_head=b"HTTP/1.1 200 OK\r\n\r\n",
    )
    (problem,) = record.digest_problems()
    assert problem.startswith("WARC-Payload-Digest")


# -- broken files ---------------------------------------------------------------------


@pytest.mark.timeout(20)
def test_damaged_copies_never_raise_or_hang(tmp_path: Path) -> None:
    write_sample(tmp_path / "good", count=4)
    (good,) = (tmp_path / "good").iterdir()
    data = good.read_bytes()
    rng = random.Random(20211209)
    damaged = tmp_path / "damaged.warc.gz"
    for round_ in range(200):
        copy = bytearray(data)
        if round_ % 2:
            del copy[rng.randrange(len(copy)) :]  # truncated
        for _ in range(rng.randrange(1, 4)):
            copy[rng.randrange(len(copy))] = rng.randrange(256)  # flipped bytes
        damaged.write_bytes(bytes(copy))
        started = time.monotonic()
        result = scan(damaged)
        assert time.monotonic() - started < TIME_BOUND
        assert len(result.entries) <= 9


@pytest.mark.parametrize(
    ("content", "records"),
    [
        pytest.param(b"", 0, id="empty"),
        pytest.param(b"\x00" * 1000, 0, id="zeros"),
        pytest.param(b"<html>not an archive</html>\r\n", 0, id="html"),
        pytest.param(b"\x1f\x8b\x08\x00\x00\x00\x00\x00", 0, id="gzip-header-only"),
    ],
)
def test_non_archives_report_instead_of_raising(
    tmp_path: Path, content: bytes, records: int
) -> None:
    path = tmp_path / "x.warc"
    path.write_bytes(content)
    result = scan(path)
    assert len(result.entries) == records
    if content:
        assert result.error is not None
    else:
        assert result.problems == []


@pytest.mark.parametrize(
    ("cut", "kept", "kind"),
    [
        pytest.param(20, 5, "trailing", id="inside-a-record-header"),
        pytest.param(-10, 6, "truncated", id="inside-the-gzip-trailer"),
    ],
)
def test_truncated_file_gives_its_whole_records_and_reports_the_cut(
    tmp_path: Path, cut: int, kept: int, kind: str
) -> None:
    locations = write_sample(tmp_path)
    (path,) = tmp_path.iterdir()
    third = locations[2]
    end = third["offset"] + (cut if cut > 0 else third["length"] + cut)
    path.write_bytes(path.read_bytes()[:end])
    problems: list[ReadProblem] = []
    entries = list(iter_records(path, problems))
    assert [e.rec_type for e in entries] == (["warcinfo"] + ["response", "request"] * 3)[:kept]
    assert [p.kind for p in problems] == [kind]


def test_missing_file_is_reported(tmp_path: Path) -> None:
    result = scan(tmp_path / "absent.warc.gz")
    assert result.entries == []
    assert result.error is not None and "cannot open" in result.error.message
