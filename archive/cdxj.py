"""CDXJ index of WARC files, as pywb and ``cdxj-indexer`` write it.

One line per indexed record::

    SURT-KEY 14-DIGIT-TIMESTAMP {"url": ..., "mime": ..., "status": ...,
                                 "digest": ..., "length": ..., "offset": ...,
                                 "filename": ...}

The records indexed, the JSON fields and their order are those of
``cdxj-indexer`` with its default options: ``response``, ``revisit``,
``resource`` and ``metadata`` records (a ``resource``/``metadata`` record whose
Content-Type is ``application/warc-fields`` is left out); ``mime`` is
``warc/revisit`` for revisits, the HTTP Content-Type for responses and the
WARC Content-Type otherwise; ``offset``/``length`` locate the record (its gzip
member in a ``.warc.gz``). Lines are byte-sorted, duplicates dropped, and the
file is replaced atomically (temporary file + ``os.replace``).

`CdxjIndex.append_records` merges new lines into an existing index, so a
writer can keep the index current after each WARC file it closes.

`index_file` raises on a file warcio cannot read to its end; `scan_file`
(for ``arsip index``) keeps the lines of the records read before the
failure, says why it stopped, and turns what warcio prints on stderr about
odd records into one line each instead of letting it through.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import io
import json
import re
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import surt
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from archive import files
from archive.verify_digest import sha1_base32
from arsip.core import layout

#: Record types that get an index line (cdxj-indexer's defaults).
INDEXED_TYPES: tuple[str, ...] = ("response", "revisit", "resource", "metadata")

#: Where `arsip index DIR` writes, relative to the collection directory.
INDEX_RELPATH = Path(layout.INDEXES_DIR) / layout.INDEX_FILE

_MIME_END = re.compile(r"[;\s]")
_CHUNK = 1 << 16
#: The end of a file's records (a sentinel: None means "a record not indexed").
_END = object()


@dataclass(frozen=True, slots=True)
class CdxjEntry:
    """One index line: SURT key, 14-digit timestamp and the JSON fields."""

    urlkey: str
    timestamp: str
    fields: dict[str, str]

    def line(self) -> str:
        """The line as written to the index (no trailing newline)."""
        return f"{self.urlkey} {self.timestamp} {json.dumps(self.fields)}"

    @classmethod
    def parse(cls, line: str) -> CdxjEntry:
        """Read a line back; `ValueError` when it is not ``KEY TS {json}``."""
        parts = line.rstrip("\r\n").split(" ", 2)
        if len(parts) != 3 or not parts[2].startswith("{"):
            raise ValueError("not a CDXJ line (expected: SURT TIMESTAMP {json})")
        key, stamp, blob = parts
        data = json.loads(blob)
        if not isinstance(data, dict):
            raise ValueError("CDXJ JSON block is not an object")
        return cls(key, stamp, {str(k): str(v) for k, v in data.items()})


def url_key(url: str) -> str:
    """The SURT form of `url` used as the sort key (the URL itself if SURT fails)."""
    try:
        key: str = surt.surt(url)
    except Exception:  # surt raises anything on odd URLs; cdxj-indexer falls back too
        return url
    return key


def is_indexed(rec_type: str, warc_content_type: str | None) -> bool:
    """Whether a record of this type gets an index line."""
    if rec_type not in INDEXED_TYPES:
        return False
    return not (
        rec_type in ("resource", "metadata") and warc_content_type == "application/warc-fields"
    )


def mime_of(
    rec_type: str, http_content_type: str | None, warc_content_type: str | None
) -> str | None:
    """The ``mime`` field: the media type without parameters (None: no header to read)."""
    if rec_type == "revisit":
        return "warc/revisit"
    value = http_content_type if rec_type in ("response", "request") else warc_content_type
    if not value:
        return None
    return _MIME_END.split(value, 1)[0].strip()


def _payload_sha1(record: Any) -> str:
    """sha1 (base32) of the stored payload, as warcio computes a missing digest."""
    hasher = hashlib.sha1()
    while True:
        buf = record.raw_stream.read(_CHUNK)
        if not buf:
            break
        hasher.update(buf)
    return sha1_base32(hasher.digest())


class PendingEntry:
    """An entry read from a warcio record, waiting for the record's location.

    warcio knows a record's offset and length only once the record has been
    read to its end, and a missing payload digest can only be computed while
    the payload is still unread: so the fields are taken first (this
    constructor), the location added afterwards (`locate`).
    """

    def __init__(self, record: Any) -> None:
        rec_headers = record.rec_headers
        # a StatusAndHeaders without lines is falsy: warcio's indexer treats it as absent
        http = record.http_headers or None
        rec_type: str = record.rec_type
        url: str = rec_headers.get_header("WARC-Target-URI") or ""
        self._fields: dict[str, str] = {"url": url}
        mime = mime_of(
            rec_type,
            http.get_header("Content-Type") if http is not None else None,
            rec_headers.get_header("Content-Type"),
        )
        if mime is not None:
            self._fields["mime"] = mime
        if rec_type in ("response", "revisit") and http is not None:
            self._fields["status"] = http.get_statuscode()
        digest = rec_headers.get_header("WARC-Payload-Digest")
        if not digest and rec_type != "revisit":
            digest = _payload_sha1(record)
        if digest:
            self._fields["digest"] = digest
        self._key = url_key(url)
        self._stamp = iso_date_to_timestamp(rec_headers.get_header("WARC-Date"))

    def locate(self, filename: str, offset: int, length: int) -> CdxjEntry:
        """The finished entry, with the record's place in its file."""
        fields = dict(self._fields)
        fields["length"] = str(length)
        fields["offset"] = str(offset)
        fields["filename"] = filename
        return CdxjEntry(self._key, self._stamp, fields)


def entry_for_record(record: Any, filename: str, offset: int, length: int) -> CdxjEntry | None:
    """The entry of one warcio record whose location is known (None: not indexed).

    This is the incremental entry point for a writer: it has the record it
    just wrote and the offset/length its write returned.
    """
    if not is_indexed(record.rec_type, record.rec_headers.get_header("Content-Type")):
        return None
    return PendingEntry(record).locate(filename, offset, length)


def iter_entries(stream: IO[bytes], filename: str) -> Iterator[CdxjEntry]:
    """Entries of every indexed record of one WARC/ARC stream, in file order.

    Records are streamed (warcio's `ArchiveIterator`); a missing payload
    digest is computed on the fly. `warcio.exceptions.ArchiveLoadFailed` is
    raised on a file warcio cannot read.
    """
    for entry in _record_entries(stream, filename):
        if entry is not None:
            yield entry


def _record_entries(stream: IO[bytes], filename: str) -> Iterator[CdxjEntry | None]:
    """One value per record, in file order: its entry, or None when it is not indexed.

    Each record is read to its end before its value is given, so an entry is
    only ever made for a whole record.
    """
    records = ArchiveIterator(stream, arc2warc=True)
    for record in records:
        if not is_indexed(record.rec_type, record.rec_headers.get_header("Content-Type")):
            records.read_to_end()
            yield None
            continue
        pending = PendingEntry(record)
        yield pending.locate(filename, records.get_record_offset(), records.get_record_length())


def index_file(path: Path, filename: str | None = None) -> list[str]:
    """Index lines of one WARC file (unsorted, file order)."""
    with path.open("rb") as fh:
        return [e.line() for e in iter_entries(fh, filename or path.name)]


@dataclass(slots=True)
class FileScan:
    """What indexing one file gave: the lines of its whole records, and its troubles."""

    lines: list[str] = field(default_factory=list)
    records: int = 0  # records read to their end (indexed or not)
    warnings: list[str] = field(default_factory=list)  # "record N: what warcio printed"
    error: str | None = None  # why the reading stopped before the end of the file


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _reason(exc: Exception) -> str:
    """What stopped warcio, in one line (its first sentence)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, AttributeError) and frames and frames[-1].name == "load_http_headers":
        # warcio calls uri.startswith() on the WARC-Target-URI of every request,
        # response and revisit record, and cannot read past one that has none
        return "a request, response or revisit record without WARC-Target-URI"
    text = _one_line(str(exc)).split(". ", 1)[0]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def scan_file(path: Path, filename: str | None = None) -> FileScan:
    """Index lines of one WARC file, read as far as warcio can.

    warcio raises many exception types on broken input (``ArchiveLoadFailed``,
    ``ValueError``, ``EOFError``, zlib errors, and an ``AttributeError`` on a
    record without ``WARC-Target-URI``): any of them ends the file, and
    ``error`` says which record and why. What warcio writes to stderr while
    it reads a record (its ``WARNING: Record not followed by newline ...``)
    is captured into ``warnings``. ``OSError`` from opening the file is
    raised (the caller names the file).
    """
    scan = FileScan()
    with path.open("rb") as fh:
        entries = _record_entries(fh, filename or path.name)
        while True:
            captured = io.StringIO()
            try:
                with contextlib.redirect_stderr(captured):
                    entry = next(entries, _END)
            except Exception as exc:  # warcio on broken input: say why, keep what was read
                scan.error = f"record {scan.records + 1}: {_reason(exc)}"
                entry = _END
            finally:
                if captured.getvalue().strip():
                    number = scan.records + 1
                    scan.warnings.append(f"record {number}: {_one_line(captured.getvalue())}")
            if entry is _END:
                return scan
            scan.records += 1
            if isinstance(entry, CdxjEntry):
                scan.lines.append(entry.line())


def sorted_unique(lines: Iterable[str]) -> list[str]:
    """Byte-order sort (UTF-8), duplicates removed, as ``cdxj-indexer -s`` does."""
    return sorted(set(lines), key=lambda s: s.encode("utf-8"))


def write_lines_atomic(path: Path, lines: Iterable[str]) -> int:
    """Write `lines` (already sorted) to `path` through a temporary file + rename."""

    def write(out: IO[bytes]) -> int:
        count = 0
        for line in lines:
            out.write(line.encode("utf-8") + b"\n")
            count += 1
        return count

    return files.write_atomically(path, write)


class CdxjIndex:
    """A sorted CDXJ file that can be rebuilt or extended record by record."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read_lines(self) -> Iterator[str]:
        """The index's lines, in file order, without newlines (nothing if absent)."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                line = line.rstrip("\n")
                if line:
                    yield line

    def entries(self) -> Iterator[CdxjEntry]:
        """The index's entries (`ValueError` on a malformed line)."""
        for line in self.read_lines():
            yield CdxjEntry.parse(line)

    def rebuild(self, warc_paths: Iterable[Path]) -> int:
        """Index every file in `warc_paths` from scratch; return the number of lines."""
        lines: list[str] = []
        for path in warc_paths:
            lines.extend(index_file(path))
        return write_lines_atomic(self.path, sorted_unique(lines))

    def append_records(self, entries: Iterable[CdxjEntry | str]) -> int:
        """Merge new entries into the index (sorted, no duplicates), atomically.

        The existing file is streamed, not loaded; returns the number of
        lines the index has afterwards.
        """
        new = sorted_unique(e if isinstance(e, str) else e.line() for e in entries)
        merged = heapq.merge(self.read_lines(), new, key=lambda s: s.encode("utf-8"))
        return write_lines_atomic(self.path, _dedupe(merged))

    def append_warc(self, warc_path: Path) -> int:
        """Index one more WARC file (e.g. one the writer has just closed)."""
        return self.append_records(index_file(warc_path))


def _dedupe(lines: Iterable[str]) -> Iterator[str]:
    last: str | None = None
    for line in lines:
        if line != last:
            yield line
        last = line
