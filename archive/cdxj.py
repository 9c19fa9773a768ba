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
(for ``arsip index``) reads through `archive.checked`: only records whose
gzip CRC, length and digests hold get a line, each damaged record or
unreadable stretch is reported (and skipped, reading on at the next record),
and what warcio prints on stderr about odd records becomes one line each.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import surt
from warcio.timeutils import iso_date_to_timestamp

from archive import files
from archive.checked import iter_checked
from archive.limits import archive_iterator
from archive.verify_digest import sha1_base32
from arsip.core import layout

#: Record types that get an index line (cdxj-indexer's defaults).
INDEXED_TYPES: tuple[str, ...] = ("response", "revisit", "resource", "metadata")

#: Where `arsip index DIR` writes, relative to the collection directory.
INDEX_RELPATH = Path(layout.INDEXES_DIR) / layout.INDEX_FILE

_MIME_END = re.compile(r"[;\s]")
_CHUNK = 1 << 16


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
        self.rec_type = rec_type
        self.record_id: str | None = rec_headers.get_header("WARC-Record-ID")
        profile = rec_headers.get_header("WARC-Profile") or ""
        self.not_modified_of: str | None = None
        self.refers_to_capture: tuple[str, str] | None = None
        if rec_type == "revisit" and profile.endswith("/server-not-modified"):
            self.not_modified_of = rec_headers.get_header("WARC-Refers-To")
            refers_date = rec_headers.get_header("WARC-Refers-To-Date")
            if refers_date:
                refers_uri = rec_headers.get_header("WARC-Refers-To-Target-URI") or url
                self.refers_to_capture = (refers_uri, iso_date_to_timestamp(refers_date))

    def locate(
        self,
        filename: str,
        offset: int,
        length: int,
        originals: NotModifiedResolver | None = None,
    ) -> CdxjEntry:
        """The finished entry, with the record's place in its file.

        With `originals`, a ``server-not-modified`` revisit whose original
        response was met before gets a line that replays as that response
        (see `NotModifiedResolver`), and a 200 response is remembered.
        """
        fields = dict(self._fields)
        fields["length"] = str(length)
        fields["offset"] = str(offset)
        fields["filename"] = filename
        entry = CdxjEntry(self._key, self._stamp, fields)
        if originals is not None:
            return originals.resolve(self, entry)
        return entry


class NotModifiedResolver:
    """Index lines for ``server-not-modified`` revisits that replay as their original.

    A 304 revisit holds the 304's head as received, and pywb 2.10 replays a
    revisit with *its* head and the original's payload: a 304 with a body,
    which browsers show as a blank page (docs/warc.md, "Recrawls that
    replay"). So the line of such a revisit keeps its own URL key and
    timestamp (the capture happened then) but locates, and describes, the
    original response it refers to (``mime``, ``status``, ``digest``,
    ``length``, ``offset``, ``filename``): what a client that revalidated
    its copy would show. The revisit's own place is kept in
    ``revisit_filename`` / ``revisit_offset`` / ``revisit_length`` (pywb
    ignores these fields; ``arsip verify`` checks them). A revisit whose
    original was not met first keeps cdxj-indexer's plain line.

    Originals are remembered by record id across the files given in order
    (one small dict per 200 response). `earlier_lines`, the lines of an
    index being extended, stand for the files read before: an original there
    is found by the revisit's ``WARC-Refers-To-Target-URI`` and
    ``WARC-Refers-To-Date`` (its URL and 14-digit timestamp).
    """

    def __init__(self, earlier_lines: Iterable[str] = ()) -> None:
        self._originals: dict[str, dict[str, str]] = {}
        self._by_capture: dict[tuple[str, str], dict[str, str]] = {}
        for line in earlier_lines:
            try:
                entry = CdxjEntry.parse(line)
            except ValueError:
                continue
            fields = entry.fields
            plain_200 = fields.get("status") == "200" and fields.get("mime") != "warc/revisit"
            if plain_200 and "revisit_offset" not in fields and "url" in fields:
                key = (fields["url"], entry.timestamp)
                self._by_capture.setdefault(key, _original_fields(fields))

    def resolve(self, pending: PendingEntry, entry: CdxjEntry) -> CdxjEntry:
        """`entry` itself, or the line replaying the original for a 304 revisit."""
        fields = entry.fields
        if pending.rec_type == "response" and fields.get("status") == "200":
            if pending.record_id:
                self._originals[pending.record_id] = _original_fields(fields)
            return entry
        original = self._originals.get(pending.not_modified_of or "")
        if original is None and pending.refers_to_capture is not None:
            original = self._by_capture.get(pending.refers_to_capture)
        if original is None:
            return entry
        resolved = {"url": fields["url"], **original}
        resolved["revisit_filename"] = fields["filename"]
        resolved["revisit_offset"] = fields["offset"]
        resolved["revisit_length"] = fields["length"]
        return CdxjEntry(entry.urlkey, entry.timestamp, resolved)


def _original_fields(fields: dict[str, str]) -> dict[str, str]:
    """What a 304 revisit's line takes from its original's."""
    names = ("mime", "status", "digest", "length", "offset", "filename")
    return {k: fields[k] for k in names if k in fields}


def entry_for_record(record: Any, filename: str, offset: int, length: int) -> CdxjEntry | None:
    """The entry of one warcio record whose location is known (None: not indexed).

    This is the incremental entry point for a writer: it has the record it
    just wrote and the offset/length its write returned.
    """
    if not is_indexed(record.rec_type, record.rec_headers.get_header("Content-Type")):
        return None
    return PendingEntry(record).locate(filename, offset, length)


def iter_entries(
    stream: IO[bytes], filename: str, originals: NotModifiedResolver | None = None
) -> Iterator[CdxjEntry]:
    """Entries of every indexed record of one WARC/ARC stream, in file order.

    Records are streamed (warcio's `ArchiveIterator`); a missing payload
    digest is computed on the fly. `warcio.exceptions.ArchiveLoadFailed` is
    raised on a file warcio cannot read.
    """
    for entry in _record_entries(stream, filename, originals):
        if entry is not None:
            yield entry


def _record_entries(
    stream: IO[bytes], filename: str, originals: NotModifiedResolver | None = None
) -> Iterator[CdxjEntry | None]:
    """One value per record, in file order: its entry, or None when it is not indexed.

    Each record is read to its end before its value is given, so an entry is
    only ever made for a whole record.
    """
    records = archive_iterator(stream, arc2warc=True)
    for record in records:
        if not is_indexed(record.rec_type, record.rec_headers.get_header("Content-Type")):
            records.read_to_end()
            yield None
            continue
        pending = PendingEntry(record)
        offset, length = records.get_record_offset(), records.get_record_length()
        yield pending.locate(filename, offset, length, originals)


def index_file(
    path: Path, filename: str | None = None, originals: NotModifiedResolver | None = None
) -> list[str]:
    """Index lines of one WARC file (unsorted, file order); `originals` is shared by
    the files of one collection, given oldest first (see `NotModifiedResolver`)."""
    with path.open("rb") as fh:
        return [e.line() for e in iter_entries(fh, filename or path.name, originals)]


@dataclass(slots=True)
class FileScan:
    """What indexing one file gave: the lines of its intact records, and its troubles."""

    lines: list[str] = field(default_factory=list)
    records: int = 0  # intact records read (indexed or not)
    warnings: list[str] = field(default_factory=list)  # "offset N: what warcio printed"
    damage: list[str] = field(default_factory=list)  # one line per damaged record or gap


def scan_file(
    path: Path, filename: str | None = None, originals: NotModifiedResolver | None = None
) -> FileScan:
    """Index lines of the intact records of one WARC/ARC file (`archive.checked`).

    A record whose gzip member, length or digests do not hold gets no line
    and one ``damage`` line instead (file, offset, record id, what is wrong);
    after a corrupt or truncated member the reading resynchronises at the
    next record. What warcio prints about odd records goes to ``warnings``.
    ``OSError`` from opening the file is raised (the caller names the file).
    """
    scan = FileScan()
    name = filename or path.name
    with path.open("rb") as fh:
        for checked in iter_checked(
            fh,
            str(path),
            lambda damage: scan.damage.append(damage.line()),
            arc2warc=True,
            on_warning=lambda offset, text: scan.warnings.append(f"offset {offset}: {text}"),
        ):
            scan.records += 1
            record = checked.record
            if is_indexed(record.rec_type, record.rec_headers.get_header("Content-Type")):
                pending = PendingEntry(record)
                entry = pending.locate(name, checked.offset, checked.length, originals)
                scan.lines.append(entry.line())
    return scan


def index_collection(warc_paths: Iterable[Path], out: Path) -> tuple[int, list[str]]:
    """Rebuild the index `out` from `warc_paths` (oldest first), reading as `scan_file`
    does; return (lines written, damage lines). ``OSError`` propagates."""
    lines: list[str] = []
    damage: list[str] = []
    originals = NotModifiedResolver()
    for path in warc_paths:
        scan = scan_file(path, originals=originals)
        lines.extend(scan.lines)
        damage.extend(scan.damage)
    return write_lines_atomic(out, sorted_unique(lines)), damage


def extend_index(index_path: Path, warc_paths: Iterable[Path]) -> tuple[int, list[str]]:
    """Add the records of `warc_paths` (files not in the index yet, oldest first) to the
    index at `index_path`, read as `scan_file` does; return (lines, damage lines)."""
    index = CdxjIndex(index_path)
    originals = NotModifiedResolver(index.read_lines())
    lines: list[str] = []
    damage: list[str] = []
    for path in warc_paths:
        scan = scan_file(path, originals=originals)
        lines.extend(scan.lines)
        damage.extend(scan.damage)
    return index.append_records(lines), damage


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
        originals = NotModifiedResolver()
        for path in warc_paths:
            lines.extend(index_file(path, originals=originals))
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
