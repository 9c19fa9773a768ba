"""Verify an ARC file (the WARC's predecessor) structurally.

ARC records have no ids, types or digests to check: what can be verified is
the framing. Each record is one header line (``URL IP DATE MIME LENGTH`` in
version 1, ten fields in version 2), then LENGTH bytes, then a newline; the
first record (``filedesc://``) says which version the file is. HTTP
responses inside are checked like WARC ones (status line, Content-Length,
Content-Encoding).
"""

from __future__ import annotations

import re

from archive.limits import MAX_HEADER_LINE
from archive.verify_http import HttpBlock, response_findings
from archive.verify_report import Sink
from archive.verify_stream import ArchiveStream

_CHUNK = 1 << 16
_MAX_LINE = MAX_HEADER_LINE
_HEADER_LIKE = re.compile(rb"^[A-Za-z][A-Za-z0-9+.\-]*:\S* .* \d+\r?\n$")


def verify_arc(stream: ArchiveStream, sink: Sink, *, strict: bool) -> int:
    """Verify the ARC file behind `stream`; return the number of records read."""
    if strict:
        sink.error("ARC file: arsip collections hold WARC/1.1 files only", 0)
    sink.warning("ARC file: only record framing and HTTP messages are checked (no digests)", 0)
    arc = _ArcVerifier(stream, sink)
    while not stream.at_end() and arc.record():
        pass
    if arc.shared:
        sink.error(
            f"{len(arc.shared)} ARC records share a gzip member with the record before",
            arc.shared[0],
        )
    return arc.records


class _ArcVerifier:
    def __init__(self, stream: ArchiveStream, sink: Sink) -> None:
        self.stream = stream
        self.sink = sink
        self.records = 0
        self.fields_per_line = 5  # version 1; version 2 (Alexa) header lines have 10
        self.shared: list[int] = []

    def record(self) -> bool:
        """Verify one record; False when the file cannot be read further."""
        stream, sink = self.stream, self.sink
        offset = _offset(stream, stream.pos)
        if stream.gzipped and not stream.starts_member(stream.pos):
            self.shared.append(offset)
        text = stream.readline(_MAX_LINE).rstrip(b"\r\n").decode("latin-1")
        parts = text.split(" ")
        if self.records == 0 and len(parts) >= 10:
            self.fields_per_line = 10
        if len(parts) < self.fields_per_line:
            sink.error(
                f"ARC header line has {len(parts)} fields, expected {self.fields_per_line}: "
                f"{text[:80]!r}",
                offset,
            )
            return _resync(stream)
        # the URL may hold spaces: the other fields are counted from the right
        url = " ".join(parts[: len(parts) - self.fields_per_line + 1])
        date, length_text = parts[len(parts) - self.fields_per_line + 2], parts[-1]
        self.records += 1
        if " " in url:
            sink.warning(f"{url[:80]!r}: URL contains a space", offset)
        if not (date.isdigit() and len(date) in (12, 14)):
            sink.error(f"{url[:80]}: archive date {date!r} is not a 14-digit timestamp", offset)
        if not length_text.isdigit():
            sink.error(f"{url[:80]}: archive length {length_text!r} is not a number", offset)
            return _resync(stream)
        if not self._body(url, int(length_text), offset):
            return False
        return _end_of_record(stream, sink, url, offset) or _resync(stream)

    def _body(self, url: str, length: int, offset: int) -> bool:
        first_record = self.records == 1
        http = HttpBlock(set()) if url.lower().startswith("http") and not first_record else None
        got = 0
        while got < length:
            data = self.stream.read_some(min(_CHUNK, length - got))
            if not data:
                break
            if first_record and got == 0 and data[:1] == b"2":
                self.fields_per_line = 10  # the filedesc block starts with the version
            if http is not None:
                http.feed(data)
            got += len(data)
        if got < length:
            self.sink.error(
                f"{url[:80]}: truncated: length is {length} but the file ends after {got} bytes",
                offset,
            )
            return False
        if http is not None and length:
            http.finish()
            if http.head_error:
                self.sink.error(f"{url[:80]}: HTTP message unreadable: {http.head_error}", offset)
            for severity, message in response_findings(http, truncated=False, headers_only=False):
                self.sink.add(severity, f"{url[:80]}: {message}", offset)
        return True


def _offset(stream: ArchiveStream, position: int) -> int:
    if not stream.gzipped:
        return position
    member = stream.member_containing(position)
    return member[1] if member else 0


def _end_of_record(stream: ArchiveStream, sink: Sink, url: str, offset: int) -> bool:
    """Consume the newline after a record (CRLF tolerated); False when it is missing."""
    nxt = stream.peek(2)
    if nxt[:1] == b"\n":
        stream.read(1)
    elif nxt == b"\r\n":
        stream.read(2)
    elif nxt:
        sink.error(f"{url[:80]}: record not followed by a newline (its length is wrong?)", offset)
        return False
    while stream.peek(1) == b"\n" or stream.peek(2) == b"\r\n":
        stream.readline(2)
    return True


def _resync(stream: ArchiveStream) -> bool:
    """Skip lines until one looks like an ARC header line; False at the end."""
    while not stream.at_end():
        line = stream.peek(4096).split(b"\n", 1)[0] + b"\n"
        if _HEADER_LIKE.match(line):
            return True
        stream.readline(_MAX_LINE)
    return False
