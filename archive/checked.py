"""Read records only once they are known to be whole: gzip CRC, length and digests.

`iter_checked` walks a WARC or ARC file (gzipped per record, or plain) and
yields a `CheckedRecord` only for a record whose bytes are proven intact:
its gzip member ended with a matching CRC32 and size, its block holds the
``Content-Length`` it declares, and its ``WARC-Block-Digest`` (and
``WARC-Payload-Digest``, when the record has a payload) match the bytes. A
record that fails any of these is passed to `on_damage` as a `Damage` (file,
offset, record id, what is wrong: one printable line) and never handed out,
so no reader turns a damaged byte into data.

After a corrupt or truncated gzip member (or, in a plain file, bytes that
are no record), reading resynchronises: it scans forward for the next gzip
member that inflates to the start of a WARC or ARC record (``WARC/`` or an
ARC header line), reports the gap, and goes on from there.

Each record is inflated into a spooled temporary file (in memory up to
`SPOOL_MEMORY`, on disk beyond), checked, then parsed by warcio from there:
memory stays bounded whatever the record size.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import tempfile
import traceback
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from archive.limits import archive_iterator
from archive.verify_digest import DigestFormatError, UnsupportedDigest, parse_digest

#: Decoded bytes of one record kept in memory before the spool goes to disk.
SPOOL_MEMORY = 8 << 20
_CHUNK = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b\x08"
#: The first line of an ARC v1 record: URL, IP address, 14-digit date, type, length.
_ARC_LINE = re.compile(rb"^\S+ \S+ \d{14} \S+ \d+\r?\n")
#: How far a member's start is inflated to see whether it starts a record.
_PROBE = 512
#: WARC header blocks longer than this are left to warcio.
_HEAD_MAX = 1 << 16


@dataclass(frozen=True, slots=True)
class Damage:
    """A record (or a stretch of bytes) that is not handed out, and why."""

    path: str
    offset: int
    what: str  # printable, one line
    record_id: str | None = None

    def line(self) -> str:
        """``PATH: offset N: record <id>: what`` (the record part when known)."""
        record = f"record {self.record_id}: " if self.record_id else ""
        return f"{self.path}: offset {self.offset}: {record}{self.what}"


@dataclass(slots=True)
class CheckedRecord:
    """An intact record: where it is and warcio's parsed record (stream at its block)."""

    offset: int
    length: int
    #: warcio's ArcWarcRecord; None when the caller's *wanted* turned it down (its
    #: digests were checked all the same; see `iter_checked`).
    record: Any
    #: The WARC header fields (names lower case), when the fast check read them.
    fields: Mapping[str, str] | None = None

    def header(self, name: str) -> str | None:
        """A WARC header field (the first of that name), as warcio gives it."""
        if self.record is not None:
            value: str | None = self.record.rec_headers.get_header(name)
            return value
        return self.fields.get(name.lower()) if self.fields is not None else None

    # the names warcio's ArchiveIterator offers, for readers written against it
    def get_record_offset(self) -> int:
        return self.offset

    def get_record_length(self) -> int:
        return self.length


def printable(data: bytes | str, limit: int = 60) -> str:
    """`data` as one short printable line: never raw binary bytes in a message."""
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    shown = "".join(c if c.isprintable() and c != "\\" else repr(c)[1:-1] for c in text[:limit])
    return shown + ("…" if len(text) > limit else "")


def starts_record(decoded: bytes) -> bool:
    """True if `decoded` begins like a WARC or ARC record."""
    return decoded.startswith((b"WARC/", b"filedesc://")) or bool(_ARC_LINE.match(decoded))


def next_record_member(fh: BinaryIO, start: int) -> int | None:
    """Offset of the first gzip member at or after `start` that starts a record, or None."""
    pos = start
    fh.seek(pos)
    window = fh.read(_CHUNK + 2)
    while window:
        found = window.find(_GZIP_MAGIC)
        while found >= 0:
            candidate = pos + found
            if _member_starts_record(fh, candidate):
                return candidate
            found = window.find(_GZIP_MAGIC, found + 1)
        pos += max(len(window) - 2, 1)
        fh.seek(pos)
        window = fh.read(_CHUNK + 2)
        if len(window) < 3:
            return None
    return None


def _member_starts_record(fh: BinaryIO, offset: int) -> bool:
    fh.seek(offset)
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(fh.read(_CHUNK), _PROBE)
    except zlib.error:
        return False
    return starts_record(out)


def next_record_line(fh: BinaryIO, start: int) -> int | None:
    """Offset of the first ``WARC/1.`` line at or after `start` in a plain file, or None."""
    fh.seek(start)
    pos = start
    at_line_start = True
    while True:
        line = fh.readline(1 << 20)
        if not line:
            return None
        if at_line_start and line.startswith(b"WARC/1."):
            return pos
        at_line_start = line.endswith(b"\n")
        pos += len(line)


def iter_checked(
    fh: BinaryIO,
    path: str,
    on_damage: Callable[[Damage], None],
    *,
    arc2warc: bool = False,
    parse_http: bool = True,
    on_warning: Callable[[int, str], None] | None = None,
    wanted: Callable[[Mapping[str, str]], bool] | None = None,
) -> Iterator[CheckedRecord]:
    """Every intact record of the archive `fh` (seekable), in order; see the module doc.

    `path` is the name used in messages. `parse_http` False leaves the HTTP
    head unparsed (warcio's ``no_record_parse``). What warcio would print
    about an odd but readable record goes to `on_warning` (offset, one line).
    `wanted`, given a plain WARC record's header fields (names lower case),
    says whether the caller reads the record; one it turns down is checked
    (gzip, length, digests) but not parsed by warcio: it comes with
    ``record`` None and its ``fields`` (a rebuild reads a few records of many).
    """
    fh.seek(0)
    gzipped = fh.read(2) == _GZIP_MAGIC[:2]
    fh.seek(0)
    pieces = _members(fh, path, on_damage) if gzipped else _plain(fh, path, on_damage)
    for offset, length, spool in pieces:
        with spool:
            yield from _records_of(
                spool,
                offset,
                length,
                path,
                on_damage,
                arc2warc=arc2warc,
                parse_http=parse_http,
                on_warning=on_warning,
                gzipped=gzipped,
                wanted=wanted,
            )


def _spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # the caller closes it


def _members(
    fh: BinaryIO, path: str, on_damage: Callable[[Damage], None]
) -> Iterator[tuple[int, int, IO[bytes]]]:
    """(offset, length, inflated bytes) of each whole gzip member; damage reported, skipped."""
    size = fh.seek(0, io.SEEK_END)
    pos = 0
    while pos < size:
        fh.seek(pos)
        spool = _spool()
        consumed, error = _inflate_member(fh, spool)
        if error is None:
            yield pos, consumed, spool
            pos += consumed
            continue
        spool.close()
        nxt = next_record_member(fh, pos + 1)
        end = size if nxt is None else nxt
        if nxt is None:
            what = f"{error}; {end - pos} bytes to the end of the file are not read"
        else:
            what = f"{error}; {end - pos} bytes skipped, reading on at offset {nxt}"
        on_damage(Damage(path, pos, what))
        if nxt is None:
            return
        pos = nxt


def _inflate_member(fh: BinaryIO, out: IO[bytes]) -> tuple[int, str | None]:
    """Inflate the gzip member at the file position into `out`: (bytes used, error)."""
    inflater = zlib.decompressobj(wbits=31)  # checks the CRC32 and size at the end
    consumed = 0
    while True:
        data = fh.read(_CHUNK)
        if not data:
            if consumed == 0:
                return 0, "not a gzip member"
            return consumed, "the file ends inside this gzip member (truncated)"
        try:
            chunk = data
            while chunk and not inflater.eof:
                out.write(inflater.decompress(chunk, _CHUNK))
                chunk = inflater.unconsumed_tail
        except zlib.error as exc:
            return consumed, _gzip_error(str(exc), consumed == 0 and data[:3] != _GZIP_MAGIC)
        if inflater.eof:
            consumed += len(data) - len(inflater.unused_data)
            return consumed, None
        consumed += len(data)


def _gzip_error(message: str, no_member: bool) -> str:
    """What zlib's `message` means for the member, in words."""
    if no_member:
        return "bytes that are not a gzip member"
    if "data check" in message:
        return "gzip member is damaged (its CRC32 does not match the data)"
    if "length check" in message:
        return "gzip member is damaged (its size field does not match the data)"
    return f"gzip member is damaged (corrupt deflate data: {printable(message)})"


def _plain(
    fh: BinaryIO, path: str, on_damage: Callable[[Damage], None]
) -> Iterator[tuple[int, int, IO[bytes]]]:
    """(offset, length, bytes) of each record of an uncompressed file, found by warcio."""
    pos = 0
    size = fh.seek(0, io.SEEK_END)
    while pos < size:
        fh.seek(pos)
        iterator = archive_iterator(fh, no_record_parse=True, arc2warc=True)
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                record = next(iterator, None)
                if record is None:
                    return
                iterator.read_to_end()
            length = iterator.get_record_length()
            missing = getattr(record.raw_stream, "limit", 0)
        except Exception as exc:  # warcio raises many types on broken input
            length, missing = 0, 0
            reason = f"{type(exc).__name__}: {printable(str(exc))}"
            error: str | None = f"no readable record here ({reason})"
        else:
            error = None
            if missing:
                error = f"the file ends inside this record ({missing} bytes missing)"
        if error is None and length > 0:
            fh.seek(pos + length)
            trailer = fh.read(16)  # warcio leaves the record's CRLF CRLF out of its length
            extent = length + len(trailer) - len(trailer.lstrip(b"\r\n"))
            fh.seek(pos)
            spool = _spool()
            _copy(fh, spool, extent)
            yield pos, length, spool  # the length warcio (and read_record_at) give
            pos += extent
            continue
        nxt = next_record_line(fh, pos + 1)
        end = size if nxt is None else nxt
        tail = f"reading on at offset {nxt}" if nxt is not None else "to the end of the file"
        on_damage(Damage(path, pos, f"{error}; {end - pos} bytes skipped, {tail}"))
        if nxt is None:
            return
        pos = nxt


def _copy(src: BinaryIO, dst: IO[bytes], length: int) -> None:
    while length > 0:
        data = src.read(min(length, _CHUNK))
        if not data:
            return
        dst.write(data)
        length -= len(data)


def _records_of(
    spool: IO[bytes],
    offset: int,
    length: int,
    path: str,
    on_damage: Callable[[Damage], None],
    *,
    arc2warc: bool,
    parse_http: bool,
    on_warning: Callable[[int, str], None] | None,
    gzipped: bool,
    wanted: Callable[[Mapping[str, str]], bool] | None = None,
) -> Iterator[CheckedRecord]:
    """The records in one member (usually one): checked first, then parsed for the caller."""
    spool.seek(0)
    start = spool.read(_PROBE)
    if not starts_record(start):
        on_damage(Damage(path, offset, f"not a WARC or ARC record: {printable(start, 40)!r}"))
        return
    fast = _fast_verdict(spool)
    if fast is not None and fast[1] is None and wanted is not None and not wanted(fast[2]):
        yield CheckedRecord(offset, length, None, fast[2])  # intact, and not read further
        return
    spool.seek(0)
    verdicts = (
        [(fast[0], fast[1], "")] if fast is not None else list(_check_all(spool, arc2warc))
    )
    if gzipped and len(verdicts) > 1:
        # a record's place is its member: records sharing one cannot be pointed at
        on_damage(
            Damage(
                path,
                offset,
                f"{len(verdicts)} records share one gzip member (a whole-file gzip?), so "
                "they cannot be located; not read (warcio recompress makes one member each)",
            )
        )
        return
    spool.seek(0)
    iterator = archive_iterator(spool, arc2warc=arc2warc, no_record_parse=not parse_http)
    records = iter(iterator)
    for index, (record_id, problem, warning) in enumerate(verdicts):
        if warning and on_warning is not None:
            on_warning(offset, warning)
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                record = next(records)
        except Exception as exc:  # warcio on broken input
            on_damage(Damage(path, offset, f"unreadable record ({_reason(exc)})", record_id))
            return
        if problem is not None:
            on_damage(Damage(path, offset, problem, record_id))
            iterator.read_to_end()
            continue
        yield CheckedRecord(offset, length, record)
        if index < len(verdicts) - 1:
            iterator.read_to_end()


def _check_all(spool: IO[bytes], arc2warc: bool) -> Iterator[tuple[str | None, str | None, str]]:
    """(record id, problem or None, what warcio printed) for each record in `spool`."""
    iterator = archive_iterator(spool, arc2warc=arc2warc, no_record_parse=True)
    records = iter(iterator)
    while True:
        printed = io.StringIO()
        try:
            with contextlib.redirect_stderr(printed):
                record = next(records, None)
                problem = None if record is None else _check_block(record)
        except Exception as exc:  # warcio on broken input
            yield None, f"unreadable record ({_reason(exc)})", ""
            return
        if record is None:
            return
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        yield record_id, problem, printable(" ".join(printed.getvalue().split()), 300)


def _reason(exc: Exception) -> str:
    """What stopped warcio, in one printable line."""
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, AttributeError) and frames and frames[-1].name == "load_http_headers":
        # warcio calls uri.startswith() on the WARC-Target-URI of every request,
        # response and revisit record, and cannot read one that has none
        return "a request, response or revisit record without WARC-Target-URI"
    return f"{type(exc).__name__}: {printable(str(exc))}"


class _BlockHashes:
    """The block digest and (for HTTP records: after the head's empty line) the payload
    digest a record declares, computed over its block as it is fed."""

    def __init__(
        self, rec_type: str, declared_block: str | None, declared_payload: str | None
    ) -> None:
        self.declared_block = declared_block
        self.declared_payload = declared_payload
        self.block = _hasher(declared_block)
        self.payload = None
        if rec_type in ("response", "request", "resource") and declared_payload:
            self.payload = _hasher(declared_payload)
        self.in_payload = not (rec_type in ("response", "request") and self.payload is not None)
        self._head = b""

    def feed(self, data: bytes) -> None:
        if self.block is not None:
            self.block.update(data)
        if self.payload is None:
            return
        if self.in_payload:
            self.payload.update(data)
            return
        self._head += data
        end = self._head.find(b"\r\n\r\n")
        if end >= 0:
            self.in_payload = True
            self.payload.update(self._head[end + 4 :])
            self._head = b""

    def problem(self) -> str | None:
        """What does not match, or None."""
        block, payload = self.declared_block, self.declared_payload
        if self.block is not None and not self.block.matches():
            return f"WARC-Block-Digest does not match the block ({printable(block or '')})"
        if self.payload is not None and self.in_payload and not self.payload.matches():
            return f"WARC-Payload-Digest does not match the payload ({printable(payload or '')})"
        return None


def _check_block(record: Any) -> str | None:
    """What is wrong with the block of `record` (read to its end here), or None."""
    headers = record.rec_headers
    hashes = _BlockHashes(
        record.rec_type,
        headers.get_header("WARC-Block-Digest"),
        headers.get_header("WARC-Payload-Digest"),
    )
    while data := record.raw_stream.read(_CHUNK):
        hashes.feed(data)
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        return f"the record is cut short: {missing} of its bytes are missing"
    return hashes.problem()


def _fast_verdict(spool: IO[bytes]) -> tuple[str | None, str | None, dict[str, str]] | None:
    """(record id, problem, header fields) of a spool holding exactly one plain WARC
    record, read without warcio; None for anything else (warcio then reads it:
    `_check_all`). Field names are lower case, values decoded as warcio does
    (UTF-8, else ISO-8859-1), a target URI without the angle brackets some
    writers put around it."""
    spool.seek(0)
    head = spool.read(_HEAD_MAX)
    end = head.find(b"\r\n\r\n")
    if not head.startswith(b"WARC/1.") or end < 0:
        return None
    fields: dict[str, str] = {}
    for line in head[:end].split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if not sep or line[:1] in (b" ", b"\t"):
            return None  # continuation lines and oddities: warcio's business
        fields.setdefault(_text(name.strip()).lower(), _text(value.strip()))
    uri = fields.get("warc-target-uri")
    if uri is not None and uri.startswith("<") and uri.endswith(">"):
        fields["warc-target-uri"] = uri[1:-1]  # as warcio corrects it (Wget 1.19)
    length_text = fields.get("content-length", "")
    if not length_text.isdigit():
        return None
    hashes = _BlockHashes(
        fields.get("warc-type", ""),
        fields.get("warc-block-digest"),
        fields.get("warc-payload-digest"),
    )
    spool.seek(end + 4)
    remaining = int(length_text)
    while remaining > 0:
        data = spool.read(min(_CHUNK, remaining))
        if not data:
            break
        hashes.feed(data)
        remaining -= len(data)
    record_id = fields.get("warc-record-id")
    if remaining:
        return record_id, f"the record is cut short: {remaining} of its bytes are missing", fields
    if spool.read(4) != b"\r\n\r\n" or spool.read(1):
        return None  # no record separator, or more records: warcio says what it sees
    return record_id, hashes.problem(), fields


def _text(raw: bytes) -> str:
    """Header bytes as warcio decodes them: UTF-8, else ISO-8859-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _Digest:
    """A declared digest being computed: its hashlib object and the value expected."""

    def __init__(self, algorithm: str, expected: bytes) -> None:
        self.hash = hashlib.new(algorithm)
        self.expected = expected

    def update(self, data: bytes) -> None:
        self.hash.update(data)

    def matches(self) -> bool:
        return self.hash.digest() == self.expected


def _hasher(declared: str | None) -> _Digest | None:
    """The digest to compute for a declared ``ALGORITHM:VALUE`` (None: none or uncheckable)."""
    if not declared:
        return None
    try:
        parsed = parse_digest(declared)
    except (DigestFormatError, UnsupportedDigest):  # not checkable here (verify says so)
        return None
    return _Digest(parsed.algorithm, parsed.expected)
