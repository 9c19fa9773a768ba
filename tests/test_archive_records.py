"""archive.records: messages, framing headers, warcinfo fields, dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from archive.records import (
    HttpRequestMessage,
    HttpResponseMessage,
    WarcinfoFields,
    adjust_framing,
    format_warc_date,
    is_chunked,
    new_record_id,
    reason_phrase,
    stored_head,
    warc_fields_block,
)


def test_warc_date_is_utc_with_milliseconds() -> None:
    wib = timezone(timedelta(hours=7))
    assert format_warc_date(datetime(2021, 12, 9, 8, 0, 0, 123999, tzinfo=wib)) == (
        "2021-12-09T01:00:00.123Z"
    )
    assert format_warc_date(datetime(2021, 12, 9, tzinfo=UTC)) == "2021-12-09T00:00:00.000Z"


def test_record_ids_are_unique_urn_uuids() -> None:
    first, second = new_record_id(), new_record_id()
    assert first != second
    assert first.startswith("<urn:uuid:") and first.endswith(">")


@pytest.mark.parametrize(
    ("status", "phrase"),
    [
        (200, "OK"),
        (301, "Moved Permanently"),
        (404, "Not Found"),
        (503, "Service Unavailable"),
        (599, ""),
    ],
)
def test_reason_phrases(status: int, phrase: str) -> None:
    assert reason_phrase(status) == phrase


def test_messages_serialize_start_line_and_headers_as_bytes() -> None:
    request = HttpRequestMessage("GET", "/cari?q=arsip", [(b"Host", b"anri.go.id")])
    assert request.head() == b"GET /cari?q=arsip HTTP/1.1\r\nHost: anri.go.id\r\n\r\n"
    response = HttpResponseMessage(599, [(b"X-A", b"\xe9")], protocol="HTTP/1.0")
    assert response.head() == b"HTTP/1.0 599 \r\nX-A: \xe9\r\n\r\n"
    assert HttpResponseMessage(200, reason="Baik").status_line == "HTTP/1.1 200 Baik"


def test_transfer_encoding_is_renamed_and_length_fits_the_stored_body() -> None:
    headers = [(b"Transfer-Encoding", b"chunked"), (b"Content-Type", b"text/html")]
    assert adjust_framing(headers, 12) == [
        (b"X-Orig-Transfer-Encoding", b"chunked"),
        (b"Content-Type", b"text/html"),
        (b"Content-Length", b"12"),
    ]


def test_a_different_original_length_is_kept_aside() -> None:
    headers = [(b"content-length", b"100"), (b"Set-Cookie", b"a"), (b"Set-Cookie", b"b")]
    assert adjust_framing(headers, 40) == [
        (b"content-length", b"40"),
        (b"Set-Cookie", b"a"),
        (b"Set-Cookie", b"b"),
        (b"X-Orig-Content-Length", b"100"),
    ]
    assert adjust_framing([(b"Content-Length", b"40")], 40) == [(b"Content-Length", b"40")]


@pytest.mark.parametrize("status", [204, 304, 101])
def test_no_length_is_invented_for_bodiless_statuses(status: int) -> None:
    assert adjust_framing([(b"ETag", b'"x"')], 0, status) == [(b"ETag", b'"x"')]


def test_warcinfo_fields_skip_empty_values_and_keep_order() -> None:
    info = WarcinfoFields(crawl_id="c1", robots="ignore", software="arsip/1", extra=(("x-k", "v"),))
    assert [name for name, _ in info.fields("h")] == [
        "software",
        "format",
        "conformsTo",
        "hostname",
        "robots",
        "crawl-id",
        "x-k",
    ]


def test_warc_fields_refuse_line_breaks() -> None:
    assert warc_fields_block([("via", "http://a/")]) == b"via: http://a/\r\n"
    with pytest.raises(ValueError, match="warc-fields"):
        warc_fields_block([("via", "a\r\nInjected: 1")])


def test_stored_head_keeps_every_byte_unless_the_body_was_dechunked() -> None:
    head = (
        b"HTTP/1.1 200 Baik Sekali\r\nx-A: 1\r\nSet-Cookie: a\r\nETag: e\r\nSet-Cookie: b\r\n\r\n"
    )
    assert stored_head(head, 5, dechunked=False) is head
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding:  chunked\r\ncontent-length: 9\r\nX: y\r\n\r\n"
    assert is_chunked(chunked) and not is_chunked(head)
    assert stored_head(chunked, 12, dechunked=True) == (
        b"HTTP/1.1 200 OK\r\nX-Orig-Transfer-Encoding:  chunked\r\n"
        b"X-Orig-content-length: 9\r\nX: y\r\nContent-Length: 12\r\n\r\n"
    )


def test_a_request_from_the_wire_keeps_its_bytes() -> None:
    sent = b"GET /a?b=1 HTTP/1.1\r\nUser-Agent: x\r\nHost: h\r\n\r\n"
    message = HttpRequestMessage.from_wire(sent + b"body")
    assert (message.method, message.target, message.protocol) == ("GET", "/a?b=1", "HTTP/1.1")
    assert message.head() == sent and message.body == b"body"
    with pytest.raises(ValueError):
        HttpRequestMessage.from_wire(b"GET / HTTP/1.1\r\nHost: h\r\n")
