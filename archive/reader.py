"""Read WARC records back: one record at a known offset, or a whole file tolerantly.

`read_record_at` follows an item's pointer (file, offset) to its record and
returns the stored bytes as they are: the WARC headers, the HTTP head and
the payload (still content-encoded). `iter_records` walks any WARC or ARC
file (ARC records converted by warcio's ``arc2warc``) and never raises on a
malformed file: what warcio could not read is reported as a `ReadProblem`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import zlib
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.recovery import iter_gzip_members
from archive.verify_digest import base32

logger = logging.getLogger(__name__)

#: Record types whose block is an HTTP message (head, empty line, payload).
HTTP_RECORD_TYPES = frozenset({"request", "response", "revisit"})


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record as stored: WARC header fields, the HTTP head if any, and the payload."""

    offset: int
    length: int
    warc_headers: tuple[tuple[str, str], ...]
    block: bytes
    http_head: bytes  # status/request line and header lines with the empty line; b"" if none

    def header(self, name: str) -> str | None:
        """The first WARC header field called `name` (any case), or None."""
        wanted = name.lower()
        return next((v for k, v in self.warc_headers if k.lower() == wanted), None)

    @property
    def rec_type(self) -> str:
        """``WARC-Type`` (``response``, ``request``, ...)."""
        return self.header("WARC-Type") or ""

    @property
    def payload(self) -> bytes:
        """The block minus the HTTP head: the body exactly as stored."""
        return self.block[len(self.http_head) :]

    @property
    def http_start_line(self) -> bytes:
        """``HTTP/1.1 200 OK`` or ``GET /path HTTP/1.1`` (b"" without an HTTP head)."""
        return self.http_head.split(b"\r\n", 1)[0]

    def http_headers(self) -> list[tuple[bytes, bytes]]:
        """The HTTP header lines as (name, value) bytes, in order, duplicates kept."""
        pairs = []
        for line in self.http_head.split(b"\r\n")[1:]:
            if line:
                name, _, value = line.partition(b":")
                pairs.append((name, value.strip()))
        return pairs

    def digest_problems(self) -> list[str]:
        """Mismatches between the stored digests and the stored bytes ([] when all match)."""
        problems = []
        checks = (("WARC-Block-Digest", self.block), ("WARC-Payload-Digest", self.payload))
        for name, data in checks:
            declared = self.header(name)
            if declared is None:
                continue
            algorithm, _, _ = declared.partition(":")
            actual = f"{algorithm}:{compute_digest(data, algorithm)}"
            if actual.upper() != declared.upper():
                problems.append(f"{name} is {declared}, the data gives {actual}")
        return problems


def compute_digest(data: bytes, algorithm: str = "sha1") -> str:
    """The base32 digest of `data` as WARC writes it (without the ``sha1:`` label)."""
    return base32(hashlib.new(algorithm, data).digest())


def read_record_at(
    path: str | os.PathLike[str], offset: int, length: int | None = None
) -> StoredRecord:
    """The record that starts at `offset` in `path` (gzipped per record, or plain).

    `length`, when given (an item's ``warc.length``), must match the record's
    length on disk. Raises ValueError when no whole record is found there.
    The record's block is read into memory (pages and documents, not videos).
    """
    with open(path, "rb") as fh:
        fh.seek(offset)
        iterator = ArchiveIterator(fh, no_record_parse=True)
        try:
            record = next(iterator)
        except StopIteration:
            raise ValueError(f"no record at offset {offset} of {path}") from None
        except ArchiveLoadFailed as exc:
            raise ValueError(f"no record at offset {offset} of {path}: {exc}") from exc
        block = record.raw_stream.read()
        declared = int(record.rec_headers.get_header("Content-Length") or -1)
        if declared != len(block):
            raise ValueError(
                f"record at offset {offset} of {path} is cut short: "
                f"{len(block)} of {declared} bytes"
            )
        found_length = iterator.get_record_length()
    if length is not None and length != found_length:
        raise ValueError(
            f"record at offset {offset} of {path} is {found_length} bytes long, not {length}"
        )
    headers = tuple((str(k), str(v)) for k, v in record.rec_headers.headers)
    rec_type = str(record.rec_headers.get_header("WARC-Type") or "")
    http_head = b""
    if rec_type in HTTP_RECORD_TYPES:
        end = block.find(b"\r\n\r\n")
        http_head = block[: end + 4] if end >= 0 else b""
    return StoredRecord(offset, found_length, headers, block, http_head)


# -- tolerant iteration ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """One record met by `iter_records` (its payload is not kept)."""

    offset: int
    length: int
    format: str  # "warc", or "arc" (an ARC file, its records converted to WARC by warcio)
    rec_type: str
    record_id: str | None
    date: str | None
    target_uri: str | None
    http_status: str | None
    payload_digest: str | None


ProblemKind = Literal["unreadable", "truncated", "trailing", "irregular"]


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """Something wrong in a file.

    `kind` is ``unreadable`` (the file cannot be opened, or warcio cannot
    parse on: reading stops there), ``truncated`` (a record holds fewer bytes
    than it declares), ``trailing`` (bytes after the last record that are no
    whole record) or ``irregular`` (readable, but warcio had to guess: a
    missing record separator, spaces in a URI, ...). All but ``irregular``
    mean data is missing or unreadable.
    """

    path: str
    offset: int | None
    kind: ProblemKind
    message: str

    @property
    def severity(self) -> Literal["error", "warning"]:
        """``warning`` for an irregular but readable file, else ``error``."""
        return "warning" if self.kind == "irregular" else "error"


@dataclass(slots=True)
class ScanResult:
    """The records `scan` could read from a file, and the problems it met."""

    path: str
    entries: list[RecordEntry] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)

    @property
    def error(self) -> ReadProblem | None:
        """The first problem of severity ``error``, if any."""
        return next((p for p in self.problems if p.severity == "error"), None)

    @property
    def stopped(self) -> ReadProblem | None:
        """The ``unreadable`` problem that stopped the reading early, if any."""
        return next((p for p in self.problems if p.kind == "unreadable"), None)


def iter_records(
    path: str | os.PathLike[str], problems: list[ReadProblem] | None = None
) -> Iterator[RecordEntry]:
    """Yield every record of a WARC or ARC file, until its end or until it cannot be parsed.

    Never raises for a malformed file: problems (`ReadProblem`) are appended
    to `problems`, or logged when it is None. Reading is linear and bounded
    by the file size, so it cannot hang.
    """
    name = str(path)
    found = problems if problems is not None else []

    def report(offset: int | None, kind: ProblemKind, message: str) -> None:
        problem = ReadProblem(name, offset, kind, message)
        found.append(problem)
        if problems is None:
            logger.warning("%s (offset %s): %s", name, offset, message)

    try:
        fh = open(path, "rb")  # noqa: SIM115  # closed in the finally below
    except OSError as exc:
        report(None, "unreadable", f"cannot open: {exc}")
        return
    try:
        file_format, gzipped = sniff_format(fh)
        iterator = ArchiveIterator(fh, arc2warc=True)
        last: RecordEntry | None = None
        while True:
            # warcio writes its warnings to stderr; catch them only around warcio's
            # own work (never across a yield) and turn them into problems.
            stderr = io.StringIO()
            offset = _safe_offset(iterator)
            try:
                with redirect_stderr(stderr):
                    record: Any = next(iterator, None)
                    entry = None if record is None else _entry(iterator, record, file_format)
            # warcio raises many kinds of exceptions on malformed input
            # (ArchiveLoadFailed, AttributeError, ValueError, zlib.error, ...):
            # each is reported with its type, which is the point of this reader.
            except Exception as exc:
                _report_stderr(stderr, offset, report)
                report(offset, "unreadable", f"{type(exc).__name__}: {str(exc).strip()}")
                return
            _report_stderr(stderr, offset, report)
            if entry is None:
                unread = os.fstat(fh.fileno()).st_size - (_safe_offset(iterator) or 0)
                if unread > 0:
                    report(offset, "trailing", f"{unread} byte(s) at the end are no whole record")
                elif last is not None and gzipped and _member_unfinished(fh, last.offset):
                    report(last.offset, "truncated", "the last gzip member has no end")
                return
            missing = getattr(record.raw_stream, "limit", 0)
            if missing > 0:
                report(entry.offset, "truncated", f"record cut short: {missing} byte(s) missing")
            last = entry
            yield entry
    finally:
        fh.close()


def scan(path: str | os.PathLike[str]) -> ScanResult:
    """All records of `path` that can be read, and the problems met (never raises)."""
    result = ScanResult(str(path))
    result.entries.extend(iter_records(path, result.problems))
    return result


def sniff_format(fh: BinaryIO) -> tuple[str, bool]:
    """("arc" or "warc", gzipped?): "arc" if the file starts with ``filedesc://``.

    Reads the first bytes of *fh* and seeks back to the start.
    """
    start = fh.read(512)
    fh.seek(0)
    gzipped = start.startswith(b"\x1f\x8b")
    if gzipped:
        try:
            start = zlib.decompressobj(wbits=31).decompress(start)
        except zlib.error:
            return "warc", gzipped
    return ("arc" if start.startswith(b"filedesc://") else "warc"), gzipped


def _member_unfinished(fh: BinaryIO, offset: int) -> bool:
    """True if the gzip member at `offset` is cut before its end (CRC and size)."""
    fh.seek(offset)
    member = next(iter_gzip_members(fh), None)
    return member is not None and not member.complete


def _entry(iterator: Any, record: Any, file_format: str) -> RecordEntry:
    headers = record.rec_headers
    status = None
    if record.http_headers and record.rec_type in ("response", "revisit"):
        status = record.http_headers.get_statuscode()
    return RecordEntry(
        offset=iterator.get_record_offset(),  # reads to the end of the record
        length=iterator.get_record_length(),
        format=file_format,
        rec_type=str(record.rec_type),
        record_id=headers.get_header("WARC-Record-ID"),
        date=headers.get_header("WARC-Date"),
        target_uri=headers.get_header("WARC-Target-URI"),
        http_status=status or None,
        payload_digest=headers.get_header("WARC-Payload-Digest"),
    )


def _safe_offset(iterator: Any) -> int | None:
    # warcio keeps the offset of the record it is about to read here.
    offset = getattr(iterator, "offset", None)
    return offset if isinstance(offset, int) and offset >= 0 else None


def _report_stderr(
    stderr: io.StringIO, offset: int | None, report: Callable[[int | None, ProblemKind, str], None]
) -> None:
    text = " ".join(stderr.getvalue().split())
    if text:
        report(offset, "irregular", text)


__all__ = [
    "HTTP_RECORD_TYPES",
    "ReadProblem",
    "RecordEntry",
    "ScanResult",
    "StoredRecord",
    "compute_digest",
    "iter_records",
    "read_record_at",
    "scan",
]
