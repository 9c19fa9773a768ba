"""Verify one WARC file, record by record, streaming.

`WarcVerifier` walks a WARC (plain or gzip, one member per record expected)
with its own tolerant parser, so that a broken file yields precise problems
instead of an exception: header fields (`verify_fields`), block and payload
digests and the HTTP message (`verify_block`), record framing (``CRLF CRLF``
after each block, truncation; after a framing error it skips to the next
record), gzip members (one per record), one WARC version per file,
``warcinfo`` first, and every response paired with its request when the file
holds requests. Facts for cross-file checks go to the `Collection`. ARC files
are handed to `verify_arc`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from warcio.timeutils import iso_date_to_timestamp

from archive.cdxj import is_indexed, mime_of
from archive.checked import next_record_member
from archive.limits import MAX_HEADER_LINE, MAX_WARC_HEAD
from archive.verify_arc import verify_arc
from archive.verify_block import BlockChecker
from archive.verify_collection import Collection, RecordFacts, RevisitRef
from archive.verify_fields import KNOWN_VERSIONS, Header, check_fields, parse_warc_date
from archive.verify_report import Report, Severity, Sink
from archive.verify_stream import ArchiveStream

_CHUNK = 1 << 16
_MAX_LINE = MAX_HEADER_LINE
_MAX_HEADER = MAX_WARC_HEAD
_TERMINATOR = b"\r\n\r\n"


@dataclass(slots=True)
class _Exchange:
    """What the request/response pairing check needs about one record."""

    offset: int
    record_id: str | None
    target_uri: str | None
    concurrent: list[str]


def verify_warc_into(
    report: Report,
    display: str,
    raw: IO[bytes],
    filename: str,
    collection: Collection,
    *,
    strict: bool,
) -> None:
    """Verify one archive file read from `raw` into `report`, counting it.

    After a corrupt or truncated gzip member the verification goes on at the
    next member that starts a record (`archive.checked.next_record_member`),
    so the records after the damage are checked too; the gap is reported.
    """
    sink = Sink(display, report)
    verifier = WarcVerifier(raw, sink, filename, collection, strict=strict)
    report.files += 1
    report.records += verifier.run()
    while verifier.stream.damaged_at is not None and raw.seekable():
        damaged_at = verifier.stream.damaged_at
        nxt = next_record_member(raw, damaged_at + 1)  # type: ignore[arg-type]  # a file
        if nxt is None:
            return
        sink.warning(
            f"skipped {nxt - damaged_at} bytes after the damaged gzip member at offset "
            f"{damaged_at}; verifying on from the next record at offset {nxt}",
            nxt,
        )
        raw.seek(nxt)
        verifier = WarcVerifier(
            raw, sink, filename, collection, strict=strict, start=nxt, resumed=True
        )
        report.records += verifier.run()


class WarcVerifier:
    """Verifies the records of one file, in order."""

    def __init__(
        self,
        raw: IO[bytes],
        sink: Sink,
        filename: str,
        collection: Collection,
        *,
        strict: bool,
        start: int = 0,
        resumed: bool = False,
    ) -> None:
        self.stream = ArchiveStream(raw, sink, start)
        #: reading on after damage: the first record read is not the file's first
        self.resumed = resumed
        self.sink = sink
        self.filename = filename
        self.collection = collection
        self.strict = strict
        self.records = 0
        self.version: str | None = None
        self.first_type: str | None = None
        self.shared_member: list[int] = []
        self.requests: list[_Exchange] = []
        self.responses: list[_Exchange] = []

    def run(self) -> int:
        """Verify the whole file; return the number of records read."""
        start = self.stream.peek(16)
        if not start:
            if not self.stream.damaged:  # a damaged first member was reported already
                self.sink.error("empty file: no WARC record", 0)
            return 0
        if start.startswith(b"filedesc:"):
            return verify_arc(self.stream, self.sink, strict=self.strict)
        if not start.upper().startswith(b"WARC/"):
            line = self.stream.peek(60).split(b"\n", 1)[0]
            self.sink.error(f"not a WARC record header at the start of the file: {line!r}", 0)
            if not self._resync():
                return 0
        while not self.stream.at_end():
            if not self._record():
                break
        self._finish()
        return self.records

    # -- framing -----------------------------------------------------------

    def _offset(self, position: int) -> int:
        """File offset to report for decoded `position`: its gzip member's, if gzipped."""
        if not self.stream.gzipped:
            return position
        member = self.stream.member_containing(position)
        return member[1] if member else 0

    def _resync(self) -> bool:
        """Skip to the next record (next gzip member, or next ``WARC/`` line)."""
        stream = self.stream
        begin = stream.pos
        if stream.gzipped:
            stream.ensure_known(stream.pos)
            while not stream.starts_member(stream.pos):
                nxt = stream.next_member_start(stream.pos)
                if nxt is not None:
                    stream.skip_to(nxt)
                elif not stream.read_some(_CHUNK):
                    break
        else:
            while stream.peek(5).upper() != b"WARC/" and stream.readline(_MAX_LINE):
                pass
        if stream.at_end():
            return False
        if stream.pos > begin:
            self.sink.warning(
                f"skipped {stream.pos - begin} unreadable bytes to the next record",
                self._offset(stream.pos),
            )
        return True

    def _read_header(self) -> tuple[list[bytes], str | None]:
        """Header lines up to the empty line, or the lines read and why it failed."""
        lines: list[bytes] = []
        size = 0
        while True:
            line = self.stream.readline(_MAX_LINE)
            if not line:
                return lines, "truncated: the file ends inside a record header"
            size += len(line)
            if not line.rstrip(b"\r\n"):
                return lines, None
            if size > _MAX_HEADER:
                return lines, f"record header not terminated within {_MAX_HEADER} bytes"
            lines.append(line)

    def _parse_header(self, lines: list[bytes], offset: int) -> Header:
        raw = b"".join(lines)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.sink.error("WARC header is not valid UTF-8", offset)
            text = raw.decode("utf-8", "replace")
        if any(line.endswith(b"\r\r\n") for line in lines):
            self.sink.error("WARC header lines end in CR CR LF, not CRLF", offset)
        elif any(not line.endswith(b"\r\n") for line in lines):
            self.sink.error("WARC header lines end in a bare LF, not CRLF", offset)
        rows = [row.rstrip("\r") for row in text.split("\n")]
        fields: list[tuple[str, str]] = []
        for row in rows[1:]:
            if not row:
                continue
            if row[0] in " \t":  # a folded continuation of the field above
                if fields:
                    name, value = fields[-1]
                    fields[-1] = (name, (value + " " + row.strip()).strip())
                else:
                    self.sink.error(
                        f"continuation line with no field before it: {row[:60]!r}", offset
                    )
                continue
            name, sep, value = row.partition(":")
            if not sep or not name.strip() or " " in name.strip():
                self.sink.error(f"malformed header line (not 'Name: value'): {row[:60]!r}", offset)
                continue
            fields.append((name.strip(), value.strip()))
        return Header(rows[0].strip(), fields)

    # -- one record --------------------------------------------------------

    def _record(self) -> bool:
        """Verify the record at the stream's position; False when the file cannot go on."""
        stream, sink = self.stream, self.sink
        rec_start = stream.pos
        offset = self._offset(rec_start)
        if stream.gzipped and not stream.starts_member(rec_start):
            self.shared_member.append(offset)
        lines, failure = self._read_header()
        if failure:
            sink.error(failure, offset)
            return False
        header = self._parse_header(lines, offset)
        rid = header.record_id
        if header.version not in KNOWN_VERSIONS:
            if header.version.upper() not in KNOWN_VERSIONS:
                sink.error(f"not a WARC record header (first line {header.version[:40]!r})", offset)
                return self._resync()
            sink.warning(f"version line {header.version!r} is not in upper case", offset, rid)
            header.version = header.version.upper()
        self.records += 1
        self._check_version(header, offset, rid)
        length_text = (header.get("Content-Length") or "").strip()
        length = int(length_text) if length_text.isdigit() else 0
        for severity, message in check_fields(header, length, strict=self.strict):
            sink.add(severity, message, offset, rid)
        if rid:
            self.collection.add_id(sink, rid, offset)
        if self.first_type is None:
            self.first_type = header.rec_type
        block = BlockChecker(header, length, stream.peek(16))
        got = self._stream_block(block, length)
        block_end = stream.pos
        if got < length:
            sink.error(
                f"truncated: Content-Length is {length} but the file ends after {got} bytes "
                "of the block",
                offset,
                rid,
            )
            return False
        block.report(sink, offset, rid, strict=self.strict)
        framed = self._check_terminator(offset, rid, length)
        rec_end = stream.pos
        record_length = block_end - rec_start
        if stream.gzipped:
            self._check_members(rec_start, rec_end, offset, rid)
            end_offset = stream.file_offset_at(rec_end)
            record_length = end_offset - offset if end_offset is not None else -1
        self._register(header, block, offset, record_length)
        return framed or self._resync()

    def _check_version(self, header: Header, offset: int, rid: str | None) -> None:
        if self.version is None:
            self.version = header.version
            if self.strict and header.version != "WARC/1.1":
                self.sink.error(
                    f"{header.version} file; arsip collections are WARC/1.1", offset, rid
                )
        elif header.version != self.version:
            self.sink.error(
                f"file mixes WARC versions: {header.version} here, {self.version} in the "
                "first record",
                offset,
                rid,
            )

    def _stream_block(self, block: BlockChecker, length: int) -> int:
        got = 0
        while got < length:
            data = self.stream.read_some(min(_CHUNK, length - got))
            if not data:
                break
            block.feed(data)
            got += len(data)
        return got

    def _check_terminator(self, offset: int, rid: str | None, length: int) -> bool:
        """Consume the CRLF CRLF after the block; False when it is not there."""
        end = self.stream.peek(4)
        if end == _TERMINATOR:
            self.stream.read(4)
        elif len(end) < 4 and _TERMINATOR.startswith(end):
            self.sink.error(
                "truncated: the file ends before the record's CRLF CRLF end marker", offset, rid
            )
            self.stream.read(4)
            return True
        else:
            self.sink.error(
                f"record block not followed by CRLF CRLF (found {end!r}): its Content-Length "
                f"{length} is wrong, or the file is damaged",
                offset,
                rid,
            )
            return False
        extra = 0
        while self.stream.peek(2) == b"\r\n" or self.stream.peek(1) == b"\n":
            extra += len(self.stream.readline(2))
        if extra:
            self.sink.warning(f"{extra} extra bytes of blank lines after the record", offset, rid)
        return True

    def _check_members(self, start: int, end: int, offset: int, rid: str | None) -> None:
        self.stream.ensure_known(end)
        inside = self.stream.members_between(start, end)
        if inside:
            self.sink.error(
                f"record spans {inside + 1} gzip members (each record must be exactly one member)",
                offset,
                rid,
            )

    def _register(self, header: Header, block: BlockChecker, offset: int, length: int) -> None:
        """Keep what the pairing, revisit and index checks need to know of this record."""
        rec_type, rid = header.rec_type, header.record_id
        uri = (header.get("WARC-Target-URI") or "").strip() or None
        date = (header.get("WARC-Date") or "").strip() or None
        declared = (header.get("WARC-Payload-Digest") or "").strip() or None
        concurrent = [v.strip() for v in header.get_all("WARC-Concurrent-To") if v.strip()]
        if rec_type == "request":
            self.requests.append(_Exchange(offset, rid, uri, concurrent))
        elif rec_type == "response":
            self.responses.append(_Exchange(offset, rid, uri, concurrent))
        digest = declared or (None if rec_type == "revisit" else block.payload_sha1())
        if rec_type in ("response", "resource", "revisit"):
            self.collection.add_capture(rid, uri, date, digest)
        if rec_type == "revisit":
            self.collection.revisits.append(
                RevisitRef(
                    path=self.sink.path,
                    offset=offset,
                    record_id=rid,
                    target_uri=uri,
                    profile=(header.get("WARC-Profile") or "").strip(),
                    refers_to=(header.get("WARC-Refers-To") or "").strip() or None,
                    refers_uri=(header.get("WARC-Refers-To-Target-URI") or "").strip() or None,
                    refers_date=(header.get("WARC-Refers-To-Date") or "").strip() or None,
                    digest=declared,
                )
            )
        ctype = (header.get("Content-Type") or "").strip() or None
        if uri and date and parse_warc_date(date) and is_indexed(rec_type, ctype):
            facts = RecordFacts(
                rec_type=rec_type,
                target_uri=uri,
                timestamp=iso_date_to_timestamp(date),
                length=length if length >= 0 else None,
                status=block.http_status() if rec_type in ("response", "revisit") else None,
                mime=mime_of(rec_type, block.http_content_type(), ctype),
                digest=digest,
                record_id=rid,
            )
            self.collection.add_location(self.filename, offset, facts)

    # -- whole file --------------------------------------------------------

    def _finish(self) -> None:
        if self.shared_member:
            more = len(self.shared_member) - 1
            tail = f" (and {more} more records)" if more else ""
            self.sink.error(
                f"several records share one gzip member: each record must be its own member{tail}",
                self.shared_member[0],
            )
        if self.first_type is not None and self.first_type != "warcinfo" and not self.resumed:
            severity = Severity.ERROR if self.strict else Severity.WARNING
            self.sink.add(
                severity, f"first record is {self.first_type or 'untyped'}, not warcinfo", 0
            )
        self._check_pairs()

    def _check_pairs(self) -> None:
        """Each HTTP response needs its request, when the file records requests at all."""
        if not self.requests:
            return
        by_id = {r.record_id: r for r in self.requests if r.record_id}
        linked_from: dict[str, _Exchange] = {}
        for request in self.requests:
            for target in request.concurrent:
                linked_from[target] = request
        for response in self.responses:
            uri = (response.target_uri or "").strip("<>")
            if not uri.lower().startswith(("http:", "https:")):
                continue  # dns:, whois: ... have no request record
            partner = next((by_id[c] for c in response.concurrent if c in by_id), None)
            if partner is None and response.record_id:
                partner = linked_from.get(response.record_id)
            if partner is None:
                self.sink.error(
                    "response has no request record (none linked to it by WARC-Concurrent-To)",
                    response.offset,
                    response.record_id,
                )
            elif partner.target_uri and partner.target_uri.strip("<>") != uri:
                self.sink.error(
                    f"response and its request {partner.record_id} have different WARC-Target-URI",
                    response.offset,
                    response.record_id,
                )
