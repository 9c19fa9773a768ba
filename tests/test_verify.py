"""`archive.verify` on WARC files built here: a valid one passes, each defect is named.

The WARCs are written with warcio (one gzip member per record, WARC/1.1,
response + request pairs linked by WARC-Concurrent-To, sha1 digests), the
way arsip's writer lays them out; a defect is made in a copy, either while
building (a stale HTTP header) or in the bytes afterwards (a flipped byte, a
cut file).
"""

from __future__ import annotations

import gzip
import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.verify import VerifyInputError, verify_paths
from archive.verify_report import Report, Severity

HTML = (
    b"<!doctype html><html><head><title>Berita</title></head><body>"
    + b"Isi berita. " * 40
    + b"</body></html>"
)
DATE = "2026-11-27T22:20:48.123Z"


@dataclass
class Capture:
    """One exchange to archive: what the server sent back."""

    url: str
    body: bytes = HTML
    status: str = "200 OK"
    headers: list[tuple[str, str]] | None = None  # response headers; default: type + length
    with_request: bool = True


@dataclass
class BuiltWarc:
    """A WARC written by `build_warc` and where its records are."""

    path: Path
    ids: list[str] = field(default_factory=list)  # record ids in file order
    types: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)  # gzip member offsets


def _record_id(name: str, n: int) -> str:
    """A stable id, unique across the files of one test."""
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{name}#{n}')}>"


def build_warc(
    path: Path,
    captures: Sequence[Capture],
    *,
    mutate: Callable[[int, str, bytes], bytes] | None = None,
    warcinfo: bool = True,
    info_fields: dict[str, str] | None = None,
) -> BuiltWarc:
    """Write `captures` as a WARC/1.1 file, one gzip member per record.

    `mutate(index, rec_type, raw_record)` may alter a record's uncompressed
    bytes before it is compressed (digests were computed before).
    """
    records: list[tuple[str, str, bytes]] = []
    counter = 0

    def serialize(record: object) -> bytes:
        buf = io.BytesIO()
        WARCWriter(buf, gzip=False, warc_version="WARC/1.1").write_record(record)
        return buf.getvalue()

    writer = WARCWriter(io.BytesIO(), gzip=False, warc_version="WARC/1.1")
    if warcinfo:
        info = writer.create_warcinfo_record(
            path.name, {"software": "arsip-test", "crawl-id": "t1", **(info_fields or {})}
        )
        info.rec_headers.replace_header("WARC-Record-ID", _record_id(path.name, counter))
        info.rec_headers.replace_header("WARC-Date", DATE)
        records.append(("warcinfo", _record_id(path.name, counter), serialize(info)))
        counter += 1
    for cap in captures:
        host = cap.url.split("/")[2]
        path_part = "/" + cap.url.split("/", 3)[3] if cap.url.count("/") >= 3 else "/"
        headers = cap.headers
        if headers is None:
            headers = [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(cap.body))),
            ]
        resp_id = _record_id(path.name, counter)
        counter += 1
        response = writer.create_warc_record(
            cap.url,
            "response",
            payload=io.BytesIO(cap.body),
            length=len(cap.body),
            http_headers=StatusAndHeaders(cap.status, headers, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Record-ID": resp_id, "WARC-Date": DATE},
        )
        records.append(("response", resp_id, serialize(response)))
        if cap.with_request:
            req_id = _record_id(path.name, counter)
            counter += 1
            request = writer.create_warc_record(
                cap.url,
                "request",
                http_headers=StatusAndHeaders(
                    f"GET {path_part} HTTP/1.1",
                    [("Host", host), ("User-Agent", "arsip-test")],
                    is_http_request=True,
                ),
                warc_headers_dict={
                    "WARC-Record-ID": req_id,
                    "WARC-Date": DATE,
                    "WARC-Concurrent-To": resp_id,
                },
            )
            records.append(("request", req_id, serialize(request)))
    built = BuiltWarc(path)
    with path.open("wb") as out:
        for index, (rec_type, rid, raw) in enumerate(records):
            if mutate is not None:
                raw = mutate(index, rec_type, raw)
            built.offsets.append(out.tell())
            built.ids.append(rid)
            built.types.append(rec_type)
            out.write(gzip.compress(raw, mtime=0))
    return built


CAPTURES = [
    Capture("http://127.0.0.1:8000/publikasi/berita"),
    Capture("http://127.0.0.1:8000/publikasi/berita/anjangsama-2021?page=1", body=b"<p>kedua</p>"),
    Capture(
        "http://127.0.0.1:8000/robots.txt",
        body=b"User-agent: *\nAllow: /\n",
        headers=[("Content-Type", "text/plain"), ("Content-Length", "23")],
    ),
]


def messages(report: Report, severity: Severity = Severity.ERROR) -> list[str]:
    """The messages of the problems of one severity."""
    return [p.message for p in report.problems if p.severity is severity]


def assert_fails_with(report: Report, fragment: str) -> None:
    """The report has an error whose message contains `fragment`."""
    errors = messages(report)
    assert not report.ok
    assert any(fragment in m for m in errors), f"{fragment!r} not in {errors}"


@pytest.fixture
def valid_warc(tmp_path: Path) -> BuiltWarc:
    return build_warc(tmp_path / "valid.warc.gz", CAPTURES)


def test_valid_warc_passes_with_no_problem_at_all(valid_warc: BuiltWarc) -> None:
    report = verify_paths([valid_warc.path])
    assert report.problems == []
    assert report.ok
    assert (report.files, report.records) == (1, 7)
    assert report.summary() == "verified 1 file, 7 records: OK"


def test_valid_warc_passes_under_arsip_rules_too(valid_warc: BuiltWarc) -> None:
    report = verify_paths([valid_warc.path], strict=True)
    assert report.problems == []


def test_problem_line_names_file_offset_and_record(tmp_path: Path) -> None:
    def flip(index: int, rec_type: str, raw: bytes) -> bytes:
        return raw[:-10] + bytes([raw[-10] ^ 0x01]) + raw[-9:] if index == 1 else raw

    built = build_warc(tmp_path / "flip.warc.gz", CAPTURES, mutate=flip)
    report = verify_paths([built.path])
    line = next(p.line() for p in report.problems if "payload digest" in p.message)
    assert line.startswith(
        f"{built.path}: offset {built.offsets[1]}: record {built.ids[1]}: "
        "error: payload digest mismatch"
    )


def test_flipped_body_byte_is_a_payload_digest_mismatch(tmp_path: Path) -> None:
    def flip(index: int, rec_type: str, raw: bytes) -> bytes:
        if index != 1:
            return raw
        at = raw.index(b"Isi berita")
        return raw[:at] + b"J" + raw[at + 1 :]

    report = verify_paths([build_warc(tmp_path / "flip.warc.gz", CAPTURES, mutate=flip).path])
    assert_fails_with(report, "payload digest mismatch: WARC-Payload-Digest is sha1:")
    assert_fails_with(report, "block digest mismatch")


def test_stale_http_content_length_is_reported(tmp_path: Path) -> None:
    stale = [("Content-Type", "text/html"), ("Content-Length", str(len(HTML) + 10))]
    caps = [Capture("http://127.0.0.1:8000/a", headers=stale)]
    report = verify_paths([build_warc(tmp_path / "cl.warc.gz", caps).path])
    assert_fails_with(
        report, f"HTTP Content-Length is {len(HTML) + 10} but the stored body is {len(HTML)} bytes"
    )


def test_decoded_body_under_content_encoding_gzip_is_reported(tmp_path: Path) -> None:
    headers = [
        ("Content-Type", "text/html"),
        ("Content-Encoding", "gzip"),
        ("Content-Length", str(len(HTML))),
    ]
    caps = [Capture("http://127.0.0.1:8000/a", headers=headers)]
    report = verify_paths([build_warc(tmp_path / "ce.warc.gz", caps).path])
    assert_fails_with(report, "Content-Encoding: gzip but the stored body is not gzip data")


def test_gzip_body_under_content_encoding_gzip_passes(tmp_path: Path) -> None:
    body = gzip.compress(HTML, mtime=0)
    headers = [
        ("Content-Type", "text/html"),
        ("Content-Encoding", "gzip"),
        ("Content-Length", str(len(body))),
    ]
    caps = [Capture("http://127.0.0.1:8000/a", body=body, headers=headers)]
    assert verify_paths([build_warc(tmp_path / "ce.warc.gz", caps).path]).problems == []


def test_response_without_its_request_is_reported(tmp_path: Path) -> None:
    caps = [*CAPTURES[:2], Capture("http://127.0.0.1:8000/lone", with_request=False)]
    built = build_warc(tmp_path / "lone.warc.gz", caps)
    report = verify_paths([built.path])
    assert_fails_with(report, "response has no request record")
    problem = next(p for p in report.problems if "no request" in p.message)
    assert (problem.offset, problem.record_id) == (built.offsets[-1], built.ids[-1])


def test_file_without_any_request_is_not_asked_for_pairs(tmp_path: Path) -> None:
    caps = [Capture("http://127.0.0.1:8000/a", with_request=False)]
    assert verify_paths([build_warc(tmp_path / "noreq.warc.gz", caps).path]).problems == []


def test_truncated_file_is_reported(tmp_path: Path, valid_warc: BuiltWarc) -> None:
    data = valid_warc.path.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: valid_warc.offsets[4] - 40])  # inside the body of record 3
    report = verify_paths([cut])
    assert_fails_with(
        report, f"gzip member starting at offset {valid_warc.offsets[3]} is truncated"
    )
    assert_fails_with(report, "truncated: Content-Length is")


def test_uncompressed_truncated_file_is_reported(tmp_path: Path, valid_warc: BuiltWarc) -> None:
    plain = gzip.decompress(valid_warc.path.read_bytes())
    cut = tmp_path / "cut.warc"
    cut.write_bytes(plain[: plain.index(b"Isi berita") + 50])  # inside the first response body
    assert_fails_with(verify_paths([cut]), "truncated: Content-Length is")


def test_stale_transfer_encoding_chunked_is_reported(tmp_path: Path) -> None:
    headers = [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]
    caps = [Capture("http://127.0.0.1:8000/a", headers=headers)]
    report = verify_paths([build_warc(tmp_path / "te.warc.gz", caps).path])
    assert_fails_with(report, "stale Transfer-Encoding: chunked: the stored body is not chunked")


def test_really_chunked_body_passes(tmp_path: Path) -> None:
    body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    headers = [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")]
    caps = [Capture("http://127.0.0.1:8000/a", body=body, headers=headers)]
    assert verify_paths([build_warc(tmp_path / "te.warc.gz", caps).path]).problems == []


def test_request_line_must_match_target_uri(tmp_path: Path) -> None:
    def retarget(index: int, rec_type: str, raw: bytes) -> bytes:
        return raw.replace(b"GET /a HTTP/1.1", b"GET /b HTTP/1.1") if rec_type == "request" else raw

    caps = [Capture("http://127.0.0.1:8000/a")]
    report = verify_paths([build_warc(tmp_path / "rq.warc.gz", caps, mutate=retarget).path])
    assert_fails_with(report, "request line target '/b'")


def test_two_records_in_one_gzip_member_are_reported(tmp_path: Path, valid_warc: BuiltWarc) -> None:
    one_member = tmp_path / "one.warc.gz"
    one_member.write_bytes(gzip.compress(gzip.decompress(valid_warc.path.read_bytes()), mtime=0))
    assert_fails_with(verify_paths([one_member]), "several records share one gzip member")


def test_missing_warcinfo_is_a_warning_for_foreign_files_and_an_error_under_our_rules(
    tmp_path: Path,
) -> None:
    path = build_warc(tmp_path / "noinfo.warc.gz", CAPTURES, warcinfo=False).path
    loose = verify_paths([path])
    assert loose.ok
    assert messages(loose, Severity.WARNING) == ["first record is response, not warcinfo"]
    assert_fails_with(verify_paths([path], strict=True), "first record is response, not warcinfo")


def test_duplicate_header_field_and_missing_mandatory_field(tmp_path: Path) -> None:
    def damage(index: int, rec_type: str, raw: bytes) -> bytes:
        if index != 1:
            return raw
        raw = raw.replace(b"WARC-Date: ", b"WARC-Date: 2020-01-01T00:00:00Z\r\nWARC-Date: ", 1)
        return raw.replace(b"WARC-Target-URI: ", b"X-Target-URI: ", 1)

    report = verify_paths([build_warc(tmp_path / "dup.warc.gz", CAPTURES, mutate=damage).path])
    assert_fails_with(report, "field WARC-Date appears 2 times")
    assert_fails_with(report, "missing WARC-Target-URI (mandatory in response records)")


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(VerifyInputError, match="no such file"):
        verify_paths([tmp_path / "nope.warc.gz"])


def test_empty_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    empty = tmp_path / "empty.warc"
    empty.write_bytes(b"")
    assert_fails_with(verify_paths([empty]), "empty file")


def _with_revisit(
    path: Path,
    refers_to: str | None,
    profile: str | None = None,
    head: StatusAndHeaders | None = None,
) -> Path:
    """A WARC holding CAPTURES and a revisit of the first one's URL."""
    built = build_warc(path, CAPTURES)
    writer = WARCWriter(io.BytesIO(), gzip=False, warc_version="WARC/1.1")
    with built.path.open("rb") as fh:
        first = gzip.decompress(fh.read()).split(b"WARC-Payload-Digest: ", 2)[1]
    digest = first.split(b"\r\n", 1)[0].decode()
    revisit = writer.create_revisit_record(
        CAPTURES[0].url,
        digest,
        CAPTURES[0].url,
        DATE,
        http_headers=head
        or StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Record-ID": _record_id(path.name, 99), "WARC-Date": DATE},
    )
    if refers_to:
        revisit.rec_headers.add_header("WARC-Refers-To", refers_to)
    if profile:
        revisit.rec_headers.replace_header("WARC-Profile", profile)
    buf = io.BytesIO()
    WARCWriter(buf, gzip=True, warc_version="WARC/1.1").write_record(revisit)
    with built.path.open("ab") as out:
        out.write(buf.getvalue())
    return built.path


def test_revisit_of_a_record_in_the_file_resolves(tmp_path: Path) -> None:
    path = _with_revisit(tmp_path / "rv.warc.gz", _record_id("rv.warc.gz", 1))
    assert verify_paths([path], strict=True).problems == []


def test_revisit_of_an_unknown_record_fails_in_a_collection(tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir()
    _with_revisit(
        tmp_path / "warc" / "rv.warc.gz", "<urn:uuid:00000000-0000-0000-0000-00000000dead>"
    )
    report = verify_paths([tmp_path])
    assert_fails_with(
        report,
        "revisit target WARC-Refers-To <urn:uuid:00000000-0000-0000-0000-00000000dead> is not a "
        "record of the verified files",
    )
    loose = verify_paths([tmp_path / "warc" / "rv.warc.gz"])
    assert loose.ok  # a loose file may refer to records elsewhere: a warning
    assert any("revisit target" in m for m in messages(loose, Severity.WARNING))


def test_record_split_over_two_gzip_members_is_reported(tmp_path: Path) -> None:
    built = build_warc(tmp_path / "split.warc.gz", CAPTURES)
    data = built.path.read_bytes()
    second = gzip.decompress(data[built.offsets[1] : built.offsets[2]])
    half = len(second) // 2
    rebuilt = (
        data[: built.offsets[1]]
        + gzip.compress(second[:half], mtime=0)
        + gzip.compress(second[half:], mtime=0)
        + data[built.offsets[2] :]
    )
    built.path.write_bytes(rebuilt)
    assert_fails_with(verify_paths([built.path]), "record spans 2 gzip members")


def test_bytes_after_the_last_gzip_member_are_reported(
    tmp_path: Path, valid_warc: BuiltWarc
) -> None:
    with valid_warc.path.open("ab") as out:
        out.write(b"garbage")
    assert_fails_with(verify_paths([valid_warc.path]), "7 bytes that are not a gzip member")


def test_same_file_given_twice_is_a_duplicate_warning_not_an_error(valid_warc: BuiltWarc) -> None:
    copy = valid_warc.path.with_name("copy.warc.gz")
    copy.write_bytes(valid_warc.path.read_bytes())
    report = verify_paths([valid_warc.path, copy])
    assert report.ok
    assert report.warnings == 7
    assert verify_paths([valid_warc.path, copy], strict=True).errors == 7


def test_x_orig_transfer_encoding_needs_the_true_content_length(tmp_path: Path) -> None:
    headers = [
        ("Content-Type", "text/plain"),
        ("X-Orig-Transfer-Encoding", "chunked"),
        ("Content-Length", "5"),
    ]
    good = [Capture("http://127.0.0.1:8000/a", body=b"hello", headers=headers)]
    assert verify_paths([build_warc(tmp_path / "ok.warc.gz", good).path]).problems == []

    def drop_length(index: int, rec_type: str, raw: bytes) -> bytes:
        if rec_type != "response":
            return raw
        return raw.replace(b"Content-Length: 5\r\n", b"")

    report = verify_paths([build_warc(tmp_path / "x.warc.gz", good, mutate=drop_length).path])
    assert_fails_with(report, "X-Orig-Transfer-Encoding says the body is stored de-chunked")


def test_metadata_with_a_payload_digest_is_an_error_under_our_rules(tmp_path: Path) -> None:
    path = build_warc(tmp_path / "md.warc.gz", CAPTURES).path
    writer = WARCWriter(io.BytesIO(), gzip=False, warc_version="WARC/1.1")
    block = b"via: http://127.0.0.1:8000/\r\n"
    record = writer.create_warc_record(
        CAPTURES[0].url,
        "metadata",
        payload=io.BytesIO(block),
        length=len(block),
        warc_headers_dict={
            "WARC-Record-ID": _record_id("md", 98),
            "WARC-Date": DATE,
            "Content-Type": "application/warc-fields",
        },
    )
    buf = io.BytesIO()
    WARCWriter(buf, gzip=True, warc_version="WARC/1.1").write_record(record)
    with path.open("ab") as out:
        out.write(buf.getvalue())
    assert b"WARC-Payload-Digest" in gzip.decompress(buf.getvalue())  # warcio writes one
    assert_fails_with(verify_paths([path], strict=True), "WARC-Payload-Digest on a metadata")
    loose = verify_paths([path])
    assert loose.ok
    assert any("WARC-Payload-Digest on a metadata" in m for m in messages(loose, Severity.WARNING))


def test_a_server_not_modified_revisit_must_hold_a_304_head(tmp_path: Path) -> None:
    profile = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    path = _with_revisit(tmp_path / "nm.warc.gz", _record_id("nm.warc.gz", 1), profile=profile)
    assert_fails_with(verify_paths([path]), "server-not-modified revisit holds an HTTP 200 head")


def test_a_304_revisit_with_content_length_zero_is_a_warning_under_our_rules(
    tmp_path: Path,
) -> None:
    profile = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    path = _with_revisit(
        tmp_path / "cl.warc.gz",
        _record_id("cl.warc.gz", 1),
        profile=profile,
        head=StatusAndHeaders("304 Not Modified", [("Content-Length", "0")], protocol="HTTP/1.1"),
    )
    strict = verify_paths([path], strict=True)
    assert any(
        "304 revisit head has Content-Length: 0" in m for m in messages(strict, Severity.WARNING)
    )
    assert verify_paths([path]).problems == []


def test_warcinfo_robots_must_be_a_value_of_the_spec_under_our_rules(tmp_path: Path) -> None:
    old = build_warc(tmp_path / "obey.warc.gz", CAPTURES, info_fields={"robots": "obey"}).path
    strict = verify_paths([old], strict=True)
    assert any("warcinfo robots: 'obey'" in m for m in messages(strict, Severity.WARNING))
    good = build_warc(tmp_path / "ok.warc.gz", CAPTURES, info_fields={"robots": "classic"}).path
    assert verify_paths([good], strict=True).problems == []
