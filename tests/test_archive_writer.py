"""WarcFileWriter: WARC 1.1 records, one gzip member each, rollover, atomic close."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from archive import writer as writer_module
from archive.naming import WarcName
from archive.reader import read_record_at
from archive.records import HttpRequestMessage, HttpResponseMessage, WarcinfoFields
from archive.writer import RecordLocation, WarcFileWriter

WARCIO = Path(sys.executable).parent / "warcio"
WHEN = datetime(2021, 12, 9, 1, 2, 3, 456789, tzinfo=UTC)
URL = "http://anri.go.id/berita?page=2"
BODY = b"<html><body><p>Jakarta \xe2\x80\x93 9/12/2021</p></body></html>"
REQUEST = HttpRequestMessage(
    "GET",
    "/berita?page=2",
    [(b"User-Agent", b"arsip-test"), (b"Accept-Encoding", b"gzip"), (b"Host", b"anri.go.id")],
)
RESPONSE = HttpResponseMessage(
    200,
    [
        (b"Content-Type", b"text/html; charset=utf-8"),
        (b"Set-Cookie", b"a=1"),
        (b"Set-Cookie", b"b=2"),
        (b"Content-Disposition", b'inline; filename="caf\xc3\xa9.html"'),
        (b"Content-Length", str(len(BODY)).encode()),
    ],
    BODY,
)
INFO = WarcinfoFields(
    crawl_id="20211209T010203Z-abc123",
    collection="anri",
    operator="Arsip Nasional",
    robots="obey",
    user_agent="arsip-test",
    software="arsip/test",
)


class PinnedWriter(WarcFileWriter):
    """Record ids, dates and pid fixed, so that output is byte-identical run to run."""

    def __init__(self, directory: Path, **kwargs: Any) -> None:
        kwargs.setdefault("info", INFO)
        kwargs.setdefault("hostname", "testhost")
        super().__init__(directory, **kwargs)
        self._ids = itertools.count(1)

    def now(self) -> datetime:
        return WHEN

    def new_record_id(self) -> str:
        return f"<urn:uuid:00000000-0000-4000-8000-{next(self._ids):012d}>"

    def pid(self) -> int:
        return 4242


def gzip_members(data: bytes) -> list[tuple[int, int, bytes]]:
    """(offset, length, decompressed) of each gzip member, read with zlib alone."""
    members = []
    offset = 0
    while offset < len(data):
        inflater = zlib.decompressobj(wbits=31)
        out = inflater.decompress(data[offset:])
        assert inflater.eof, f"gzip member at {offset} does not end"
        length = len(data) - offset - len(inflater.unused_data)
        members.append((offset, length, out))
        offset += length
    return members


def parse_record(raw: bytes) -> tuple[dict[str, str], bytes]:
    """WARC headers and block of one uncompressed record; asserts it is exactly one record."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("utf-8").split("\r\n")
    assert lines[0] == "WARC/1.1"
    headers = dict(line.split(": ", 1) for line in lines[1:])
    length = int(headers["Content-Length"])
    assert rest[length:] == b"\r\n\r\n", "one record per member, ending in CRLF CRLF"
    return headers, rest[:length]


def b32(data: bytes, algorithm: str = "sha1") -> str:
    return f"{algorithm}:" + base64.b32encode(hashlib.new(algorithm, data).digest()).decode()


def records_of(path: Path) -> list[tuple[int, int, dict[str, str], bytes]]:
    return [
        (offset, length, *parse_record(raw))
        for offset, length, raw in gzip_members(path.read_bytes())
    ]


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, RecordLocation]:
    with PinnedWriter(tmp_path) as w:
        location = w.write_exchange(URL, REQUEST, RESPONSE, ip_address="203.0.113.7")
    return tmp_path / location["filename"], location


def test_file_opens_with_warcinfo_describing_the_crawl(written: tuple[Path, Any]) -> None:
    path, _ = written
    (_, _, headers, block), *_ = records_of(path)
    assert headers["WARC-Type"] == "warcinfo"
    assert headers["WARC-Filename"] == path.name
    assert headers["Content-Type"] == "application/warc-fields"
    assert block.decode().split("\r\n") == [
        "software: arsip/test",
        "format: WARC File Format 1.1",
        "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "hostname: testhost",
        "operator: Arsip Nasional",
        "robots: obey",
        "http-header-user-agent: arsip-test",
        "isPartOf: anri",
        "crawl-id: 20211209T010203Z-abc123",
        "",
    ]


def test_one_gzip_member_per_record_and_offsets_point_at_them(
    written: tuple[Path, RecordLocation],
) -> None:
    path, location = written
    records = records_of(path)
    assert [h["WARC-Type"] for _, _, h, _ in records] == ["warcinfo", "response", "request"]
    offset, length, headers, _ = records[1]
    assert (location["offset"], location["length"]) == (offset, length)
    assert location["record_id"] == headers["WARC-Record-ID"]
    assert location["payload_digest"] == headers["WARC-Payload-Digest"]
    assert location["warc_date"] == headers["WARC-Date"] == "2021-12-09T01:02:03.456Z"


def test_every_record_is_warc_1_1_with_ms_date_and_warcinfo_id(
    written: tuple[Path, Any],
) -> None:
    path, _ = written
    records = records_of(path)
    warcinfo_id = records[0][2]["WARC-Record-ID"]
    for _, _, headers, _ in records:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", headers["WARC-Date"])
        assert re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", headers["WARC-Record-ID"])
    for _, _, headers, _ in records[1:]:
        assert headers["WARC-Warcinfo-ID"] == warcinfo_id


def test_request_is_concurrent_to_response(written: tuple[Path, Any]) -> None:
    path, _ = written
    _, (_, _, response, _), (_, _, request, request_block) = records_of(path)
    assert request["WARC-Concurrent-To"] == response["WARC-Record-ID"]
    assert request["WARC-Target-URI"] == response["WARC-Target-URI"] == URL
    assert request["WARC-Date"] == response["WARC-Date"]
    assert response["WARC-IP-Address"] == "203.0.113.7"
    assert request_block == (
        b"GET /berita?page=2 HTTP/1.1\r\nUser-Agent: arsip-test\r\n"
        b"Accept-Encoding: gzip\r\nHost: anri.go.id\r\n\r\n"
    )


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_digests_match_an_independent_computation(tmp_path: Path, algorithm: str) -> None:
    with PinnedWriter(tmp_path, digest_algorithm=algorithm) as w:
        location = w.write_exchange(URL, REQUEST, RESPONSE)
    records = records_of(tmp_path / location["filename"])
    for _, _, headers, block in records:
        assert headers["WARC-Block-Digest"] == b32(block, algorithm)
    _, (_, _, response, block), (_, _, request, _) = records
    assert response["WARC-Payload-Digest"] == b32(BODY, algorithm) == location["payload_digest"]
    assert request["WARC-Payload-Digest"] == b32(b"", algorithm)


def test_headers_and_body_are_stored_byte_for_byte(written: tuple[Path, Any]) -> None:
    path, _ = written
    _, (_, _, headers, block), _ = records_of(path)
    assert headers["Content-Type"] == "application/http; msgtype=response"
    assert block == RESPONSE.head() + BODY
    # the non-ASCII header value is not percent-encoded, repeated headers stay apart
    assert b'filename="caf\xc3\xa9.html"' in block
    assert block.count(b"\r\nSet-Cookie: ") == 2


def test_pinned_ids_and_dates_give_identical_bytes(tmp_path: Path) -> None:
    outputs = []
    for run in ("one", "two"):
        with PinnedWriter(tmp_path / run) as w:
            w.write_exchange(URL, REQUEST, RESPONSE)
            w.write_exchange(URL + "&x=1", REQUEST, RESPONSE)
        (path,) = (tmp_path / run).iterdir()
        outputs.append((path.name, path.read_bytes()))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == "ARSIP-20211209010203456-00000-4242~testhost.warc.gz"


def test_file_is_open_while_written_and_renamed_when_closed(tmp_path: Path) -> None:
    w = PinnedWriter(tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing until the first record
    location = w.write_exchange(URL, REQUEST, RESPONSE)
    assert w.current_path is not None
    assert [p.name for p in tmp_path.iterdir()] == [location["filename"] + ".open"]
    # flushed before write_exchange returned: the record is readable from the open file
    assert read_record_at(w.current_path, location["offset"]).payload == BODY
    w.close()
    w.close()  # idempotent
    assert [p.name for p in tmp_path.iterdir()] == [location["filename"]]
    assert w.finished == [tmp_path / location["filename"]]
    assert read_record_at(tmp_path / location["filename"], location["offset"]).payload == BODY


def test_file_names_follow_the_convention(tmp_path: Path) -> None:
    with WarcFileWriter(tmp_path, prefix="ANRI") as w:
        location = w.write_exchange(URL, REQUEST, RESPONSE)
    name = WarcName.parse(location["filename"])
    assert name is not None
    assert name.prefix == "ANRI"
    assert name.serial == 0
    assert re.fullmatch(r"\d{17}", name.timestamp)


def test_rollover_starts_new_serial_files_each_with_warcinfo(tmp_path: Path) -> None:
    with PinnedWriter(tmp_path, max_size=1500) as w:
        locations = [w.write_exchange(f"{URL}&n={n}", REQUEST, RESPONSE) for n in range(5)]
    files = sorted(tmp_path.iterdir())
    assert len(files) >= 2
    assert [WarcName.parse(p.name).serial for p in files] == list(range(len(files)))  # type: ignore[union-attr]
    for path in files:
        records = records_of(path)
        assert records[0][2]["WARC-Type"] == "warcinfo"
        assert records[0][2]["WARC-Filename"] == path.name
        # request and response of an exchange stay in one file
        assert [h["WARC-Type"] for _, _, h, _ in records[1:]] == ["response", "request"] * (
            (len(records) - 1) // 2
        )
    for n, location in enumerate(locations):
        record = read_record_at(tmp_path / location["filename"], location["offset"])
        assert record.header("WARC-Target-URI") == f"{URL}&n={n}"
    assert w.files_opened == len(files)
    assert w.records_written == len(files) + 10
    assert w.bytes_written == sum(p.stat().st_size for p in files)


def test_metadata_record_is_concurrent_to_its_response(tmp_path: Path) -> None:
    with PinnedWriter(tmp_path) as w:
        response = w.write_exchange(URL, REQUEST, RESPONSE)
        meta = w.write_metadata(
            URL, response["record_id"], [("via", "http://anri.go.id/"), ("hopsFromSeed", "L")]
        )
    record = read_record_at(tmp_path / meta["filename"], meta["offset"], meta["length"])
    assert record.rec_type == "metadata"
    assert record.header("WARC-Concurrent-To") == response["record_id"]
    assert record.header("Content-Type") == "application/warc-fields"
    assert record.block == b"via: http://anri.go.id/\r\nhopsFromSeed: L\r\n"


def test_failed_write_cuts_the_file_back_and_next_write_starts_a_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = writer_module._RecordBuilder.write_record
    calls = itertools.count(1)

    def failing(self: Any, record: Any, params: Any = None) -> None:
        if next(calls) == 5:  # warcinfo, response, request, response, *request*
            self.out.write(b"\x1f\x8b\x08\x00 half a member")
            raise OSError(28, "No space left on device")
        original(self, record, params)

    monkeypatch.setattr(writer_module._RecordBuilder, "write_record", failing)
    w = PinnedWriter(tmp_path)
    first = w.write_exchange(URL, REQUEST, RESPONSE)
    with pytest.raises(OSError, match="No space left"):
        w.write_exchange(URL + "&x=1", REQUEST, RESPONSE)
    assert w.current_path is None
    (path,) = tmp_path.iterdir()
    assert path.name == first["filename"]  # finished under its final name
    assert [h["WARC-Type"] for _, _, h, _ in records_of(path)] == [
        "warcinfo",
        "response",
        "request",
    ]
    assert w.records_written == 3
    second = w.write_exchange(URL + "&x=2", REQUEST, RESPONSE)
    w.close()
    assert WarcName.parse(second["filename"]).serial == 1  # type: ignore[union-attr]


def test_bad_options_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_size"):
        WarcFileWriter(tmp_path, max_size=0)
    with pytest.raises(ValueError, match="md5"):
        WarcFileWriter(tmp_path, digest_algorithm="md5")
    with pytest.raises(ValueError, match="prefix"):
        WarcFileWriter(tmp_path, prefix="../x")


def test_warcio_check_and_index_accept_the_file(tmp_path: Path) -> None:
    with PinnedWriter(tmp_path) as w:
        locations = [w.write_exchange(f"{URL}&n={n}", REQUEST, RESPONSE) for n in range(3)]
    (path,) = tmp_path.iterdir()
    check = subprocess.run(
        [str(WARCIO), "check", "-v", str(path)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout
    assert check.stdout.count("digest pass") == 7
    index = subprocess.run(
        [str(WARCIO), "index", "-f", "warc-type,offset,length", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    responses = [(int(r["offset"]), int(r["length"])) for r in rows if r["warc-type"] == "response"]
    assert responses == [(loc["offset"], loc["length"]) for loc in locations]


def test_failed_warcinfo_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(self: Any, record: Any, params: Any = None) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(writer_module._RecordBuilder, "write_record", failing)
    w = PinnedWriter(tmp_path)
    with pytest.raises(OSError, match="Input/output"):
        w.write_exchange(URL, REQUEST, RESPONSE)
    assert list(tmp_path.iterdir()) == []
    assert (w.files_opened, w.records_written, w.bytes_written) == (0, 0, 0)


def test_write_read_write_round_trip_gives_identical_bytes(tmp_path: Path) -> None:
    with PinnedWriter(tmp_path / "first") as w:
        locations = [w.write_exchange(f"{URL}&n={n}", REQUEST, RESPONSE) for n in range(2)]
    (first,) = (tmp_path / "first").iterdir()
    with PinnedWriter(tmp_path / "second") as again:
        for location in locations:
            response = read_record_at(first, location["offset"])
            request = read_record_at(first, location["offset"] + location["length"])
            protocol, status, reason = response.http_start_line.decode().split(" ", 2)
            method, target, version = request.http_start_line.decode().split(" ")
            again.write_exchange(
                response.header("WARC-Target-URI") or "",
                HttpRequestMessage(
                    method, target, request.http_headers(), request.payload, version
                ),
                HttpResponseMessage(
                    int(status), response.http_headers(), response.payload, protocol, reason
                ),
                ip_address=response.header("WARC-IP-Address"),
            )
    (second,) = (tmp_path / "second").iterdir()
    assert second.read_bytes() == first.read_bytes()
