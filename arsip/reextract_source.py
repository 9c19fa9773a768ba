"""Article captures out of WARC files, as the live crawl saw them (for ``arsip reextract``).

`read_captures(path, ...)` streams one WARC (or ARC) file record by record
and yields a `Capture` for each response the live crawl would have turned
into an item: status 200, an HTML content type, a URL matching the
profile's article patterns (after a 301 the live item is made from the
redirect target's response, which is the record at the target URL; the
301 record itself is skipped like any non-200). Its body is de-chunked and
its Content-Encoding undone the way Scrapy's HttpCompressionMiddleware does
(gzip, x-gzip, deflate incl. raw deflate, br, zstd; the outermost coding
first; decoding stops at a coding it does not know), since the spider saw
decoded bodies while the WARC holds them as received.

A ``revisit`` record at an article URL (``server-not-modified``: the
server answered 304 to a conditional request; ``identical-payload-digest``:
the same body as an earlier capture, not stored again) is resolved to the
response record it refers to (``WARC-Refers-To``, else target URI and
payload digest), among the article responses read before it. As in the
live crawl (see ``crawler.middlewares.warc_capture``), the item is made
from that original's payload, its ``warc`` pointer is the original record
and its ``fetched_at`` the revisit's WARC-Date; the headers are the
original's for a 304 (the conditional middleware hands Scrapy the archived
response) and the revisit's own otherwise.

Nothing is loaded whole: records are read one at a time. What is kept
between records is the warcinfo fields, and the location of every article
response in an `OriginalsIndex` (a SQLite file, so memory stays flat).
Whatever cannot be used is passed to *report* as one line (and the file is
read on when it can be).
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import importlib
import io
import sqlite3
import struct
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeadersParser, StatusAndHeadersParserException

from archive.checked import Damage, iter_checked, printable
from archive.limits import MAX_HTTP_HEAD, MAX_PAYLOAD, LimitExceeded, archive_iterator, too_large
from archive.reader import compute_digest, read_record_at, sniff_format
from archive.records import NOT_MODIFIED
from crawler.profiles import Profile, profile_for_url

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_WEB_SCHEMES = ("http://", "https://")
_KNOWN_CODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd"})
_CHUNK_SIZE = 65536  # as Scrapy's decoders read

Report = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Capture:
    """An article response as the spider received it, and where it is archived."""

    url: str
    body: bytes  # decoded: no chunking, no content coding
    headers: dict[str, str]  # as the spider passed them to extract()
    warc_date: str
    pointer: dict[str, Any]  # filename, offset, length, record_id, payload_digest
    profile: Profile


@dataclass(slots=True)
class Extracted:
    """What became of one capture (`arsip.reextract_work.extract_capture`): a valid item,
    or the one line saying why not."""

    item: Any = None
    problem: str | None = None
    #: (text, stem) of the title and body, for the dataset's full-text index:
    #: stemmed beside the extraction, in the worker (`pipelines.db.stemming.know`).
    stems: tuple[tuple[str | None, str | None], ...] = ()


@dataclass(slots=True)
class FileInfo:
    """The warcinfo fields of a file, and counters of what was read in it."""

    fields: dict[str, str] = field(default_factory=dict)
    date: str | None = None
    last_date: str | None = None
    records: int = 0
    skipped: int = 0  # responses that are no article (other URLs, statuses, types)

    @property
    def crawl_id(self) -> str | None:
        return self.fields.get("crawl-id") or None

    @property
    def collection(self) -> str | None:
        return self.fields.get("isPartOf") or None


class OriginalsIndex:
    """Article responses read so far (their record locations), for resolving revisits.

    Kept in a SQLite file (*path*; ``:memory:`` for small jobs) so that a
    huge archive does not grow the process.
    """

    def __init__(self, path: Path | str = ":memory:") -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS originals (record_id TEXT PRIMARY KEY, url TEXT,"
            " digest_key TEXT, digest TEXT, path TEXT, filename TEXT, offset INTEGER,"
            " length INTEGER)"
        )
        self.conn.execute("CREATE INDEX IF NOT EXISTS by_digest ON originals (url, digest_key)")
        self.conn.execute("BEGIN")

    def add(self, path: Path, url: str, pointer: dict[str, Any]) -> None:
        """Remember the article response at *pointer* (in the file at *path*)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO originals VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pointer["record_id"],
                url,
                (pointer["payload_digest"] or "").upper(),
                pointer["payload_digest"],
                str(path),
                pointer["filename"],
                pointer["offset"],
                pointer["length"],
            ),
        )

    def find(
        self, refers_to: str | None, url: str, digest: str | None
    ) -> tuple[Path, dict[str, Any]] | None:
        """The file and pointer of a revisit's original (by record id, else URL and digest)."""
        row = None
        if refers_to:
            row = self.conn.execute(
                "SELECT * FROM originals WHERE record_id = ?", (refers_to,)
            ).fetchone()
        if row is None and digest:
            row = self.conn.execute(
                "SELECT * FROM originals WHERE url = ? AND digest_key = ? ORDER BY rowid LIMIT 1",
                (url, digest.upper()),
            ).fetchone()
        if row is None:
            return None
        record_id, _url, _key, digest_found, path, filename, offset, length = row
        pointer = {
            "filename": filename,
            "offset": offset,
            "length": length,
            "record_id": record_id,
            "payload_digest": digest_found,
        }
        return Path(path), pointer

    def close(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")
        self.conn.close()


# -- bodies ----------------------------------------------------------------------


def _check(size: int, max_size: int) -> None:
    if max_size and size > max_size:
        raise too_large("the decoded body", max_size)


def _gunzip(data: bytes, max_size: int) -> bytes:
    """As much as can be gunzipped (``scrapy.utils.gz.gunzip``, copied: importing
    Scrapy would cost ``arsip reextract`` ~0.3 s), at most *max_size* bytes."""
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
        output = io.BytesIO()
        chunk = b"."
        while chunk:
            try:
                chunk = stream.read1(_CHUNK_SIZE)
            except (OSError, EOFError, struct.error):
                if output.getbuffer().nbytes > 0:  # complete when there is some data
                    break
                raise
            output.write(chunk)
            _check(output.getbuffer().nbytes, max_size)
        return output.getvalue()


def _inflate(data: bytes, max_size: int) -> bytes:
    """zlib or raw deflate (as some servers send; Scrapy accepts it too), bounded."""
    inflater = zlib.decompressobj()
    try:
        first = inflater.decompress(data, _CHUNK_SIZE)
    except zlib.error:
        inflater = zlib.decompressobj(wbits=-15)
        first = inflater.decompress(data, _CHUNK_SIZE)
    output = io.BytesIO()
    output.write(first)
    while inflater.unconsumed_tail and not inflater.eof:
        output.write(inflater.decompress(inflater.unconsumed_tail, _CHUNK_SIZE))
        _check(output.getbuffer().nbytes, max_size)
    _check(output.getbuffer().nbytes, max_size)
    return output.getvalue()


#: Compressed bytes given to the brotli decoder at a time: its API has no output
#: bound, so the input is fed in small pieces and the output counted after each.
_BROTLI_STEP = 256


def _unbrotli(data: bytes, max_size: int) -> bytes:
    decompressor = importlib.import_module("brotli").Decompressor()
    output = io.BytesIO()
    for start in range(0, len(data), _BROTLI_STEP):
        output.write(decompressor.decompress(data[start : start + _BROTLI_STEP]))
        _check(output.getbuffer().nbytes, max_size)
    return output.getvalue()


def _unzstd(data: bytes, max_size: int) -> bytes:
    try:
        zstd = importlib.import_module("compression.zstd")  # Python 3.14+
    except ImportError:
        zstd = importlib.import_module("backports.zstd")
    output = io.BytesIO()
    with zstd.ZstdFile(io.BytesIO(data)) as stream:
        chunk = b"."
        while chunk:
            try:
                chunk = stream.read(_CHUNK_SIZE)
            except EOFError:  # as much as a truncated body holds (as Scrapy does)
                break
            output.write(chunk)
            _check(output.getbuffer().nbytes, max_size)
    return output.getvalue()


_DECODERS: dict[str, Callable[[bytes, int], bytes]] = {
    "gzip": _gunzip,
    "x-gzip": _gunzip,
    "deflate": _inflate,
    "br": _unbrotli,
    "zstd": _unzstd,
}


def decode_body(
    body: bytes, content_encoding: list[str], max_size: int = MAX_PAYLOAD
) -> tuple[bytes, list[str]]:
    """*body* with its content codings undone, last applied first; returns the body and
    the codings left (those after an unknown one). Raises on corrupt data, and
    `LimitExceeded` once a decoded body passes *max_size* bytes (0: no limit), as
    the live crawl's HttpCompressionMiddleware stops at ``DOWNLOAD_MAXSIZE``."""
    codings = [part.strip().lower() for value in content_encoding for part in value.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    while codings and codings[-1] in _KNOWN_CODINGS:
        body = _DECODERS[codings.pop()](body, max_size)
    return body, codings


def dechunk(data: bytes) -> bytes:
    """The payload of a ``Transfer-Encoding: chunked`` body (foreign WARCs keep it); a
    body that is not chunked after all is taken as it is (as warcio and pywb do)."""
    reader = ChunkedDataReader(io.BytesIO(data), raise_exceptions=False)
    result: bytes = reader.read()
    return result


def spider_headers(pairs: list[tuple[str, str]], remaining: list[str]) -> dict[str, str]:
    """The response headers as the spider handed them to extract(): Scrapy's title-cased
    names, repeated values joined with ", ", Content-Encoding gone once decoded."""
    headers: dict[str, list[str]] = {}
    for name, value in pairs:
        headers.setdefault(name.strip().title(), []).append(value)
    headers.pop("Content-Encoding", None)
    if remaining:
        headers["Content-Encoding"] = [", ".join(remaining)]
    return {name: ", ".join(values) for name, values in headers.items()}


def _one_line(text: str) -> str:
    """`text` on one line, any control or binary character escaped (never raw bytes)."""
    return printable(" ".join(text.split()), 300)


# -- records ---------------------------------------------------------------------


def _records(
    fh: Any,
    report: Report,
    warn: Report,
    label: str,
    *,
    arc: bool = False,
    wanted: Callable[[Mapping[str, str]], bool] | None = None,
) -> Iterator[tuple[Any, Any]]:
    """(place, record) for each intact record (`archive.checked`: gzip CRC, length and
    digests hold); each damaged record or unreadable stretch is passed to *report* as
    one line and the reading goes on at the next record; what warcio had to guess at
    is passed to *warn*. HTTP heads are parsed only for the records that may be
    articles (`_http`)."""

    def damaged(damage: Damage) -> None:
        report(f"{damage.line()}; not used")

    def warned(offset: int, text: str) -> None:
        warn(f"warning: {label}: offset {offset}: warcio: {text}")

    for checked in iter_checked(
        fh, label, damaged, arc2warc=arc, parse_http=False, on_warning=warned, wanted=wanted
    ):
        yield checked, checked.record


def _warcinfo(record: Any) -> dict[str, str]:
    text = record.content_stream().read(MAX_HTTP_HEAD).decode("utf-8", "replace")
    found: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip() and name.strip() not in found:
            found[name.strip()] = value.strip()
    return found


def read_warcinfo(path: Path) -> FileInfo:
    """The fields of the file's warcinfo record (its first record), when it has one."""
    info = FileInfo()
    try:
        with path.open("rb") as fh, contextlib.redirect_stderr(io.StringIO()):
            record = next(iter(archive_iterator(fh, arc2warc=True)), None)
            if record is not None and record.rec_type == "warcinfo":
                info.fields = _warcinfo(record)
                info.date = record.rec_headers.get_header("WARC-Date")
    except Exception:  # an unreadable file: read_captures reports it
        return FileInfo()
    return info


def read_captures(
    path: Path,
    info: FileInfo,
    profile: Profile | None,
    index: OriginalsIndex,
    report: Report,
    *,
    warn: Report | None = None,
) -> Iterator[Capture]:
    """The article captures of the file at *path*, in record order (see the module doc).

    *profile* None picks the shipped profile by each URL's host. *info*
    gets the file's warcinfo fields (unless it has them already), its first
    and last WARC-Date and the counters. *report* gets one line per record
    that cannot be used, *warn* (default *report*) one per irregularity
    warcio read past.
    """
    label = path.name
    pending: list[str] = []  # lines of one record, told once its stderr is restored
    reading = _Reading(path, index, pending.append)

    def wanted(fields: Mapping[str, str]) -> bool:
        """Whether the loop below reads the record past its headers (warcio parses it)."""
        kind = fields.get("warc-type")
        if not kind or kind == "warcinfo":
            return True
        url = fields.get("warc-target-uri") or ""
        if kind not in ("response", "revisit") or not url.startswith(_WEB_SCHEMES):
            return False
        chosen = profile or profile_for_url(url)
        return not (chosen.article_patterns and not chosen.is_article(url))

    with path.open("rb") as fh:
        arc = sniff_format(fh)[0] == "arc"
        records = _records(fh, report, warn or report, label, arc=arc, wanted=wanted)
        for iterator, record in records:
            info.records += 1
            # a record turned down by `wanted` is None: its headers come from the check
            kind = record.rec_type if record is not None else iterator.header("WARC-Type")
            date = iterator.header("WARC-Date")
            if date:
                info.date = info.date or date
                info.last_date = date
            if not kind:
                report(f"{label}: record {info.records}: no WARC-Type; skipped")
                continue
            if kind == "warcinfo":
                if not info.fields:
                    info.fields = _warcinfo(record)
                continue
            url = iterator.header("WARC-Target-URI") or ""
            if kind not in ("response", "revisit") or not url.startswith(_WEB_SCHEMES):
                continue  # requests, metadata, dns: lookups, ...
            chosen = profile or profile_for_url(url)
            if chosen.article_patterns and not chosen.is_article(url):
                info.skipped += 1
                continue
            captured = io.StringIO()
            try:
                with contextlib.redirect_stderr(captured):  # warcio prints its warnings
                    capture = _candidate(reading, iterator, record, url, chosen)
            except Exception as exc:  # warcio raises many types on broken input
                reason = _one_line(str(exc)) or type(exc).__name__
                pending.append(f"{label}: {url}: cannot read the record ({reason}); stopped")
                capture = None
                record = None
            if _one_line(captured.getvalue()):
                (warn or report)(
                    f"warning: {label}: {url}: warcio: {_one_line(captured.getvalue())}"
                )
            for line in pending:
                report(line)
            pending.clear()
            if record is None:
                return
            if capture is None:
                info.skipped += 1
            else:
                yield capture


def _candidate(
    reading: _Reading, iterator: Any, record: Any, url: str, profile: Profile
) -> Capture | None:
    """The capture of a response or revisit record at an article URL, if it makes one."""
    http = _http(record, f"{reading.path.name}: {url}", reading.report)
    if http is None:
        return None
    if record.rec_type == "revisit":
        return _revisit(reading, record, http, url, profile)
    if record.rec_headers.get_header("WARC-Truncated"):
        return None  # a body cut short: the live crawl retried it or left it (skip `truncated`)
    if _is_html_200(http):
        return _capture(reading, iterator, record, http, url, profile)
    if http.get_statuscode() == "200":
        # not an article, but a later revisit of it must find it (and then skip it)
        _remember(reading, iterator, record, url)
    return None


def _remember(reading: _Reading, iterator: Any, record: Any, url: str) -> None:
    """Put a full 200 response that makes no capture in the originals index."""
    headers = record.rec_headers
    digest = headers.get_header("WARC-Payload-Digest")
    if not digest:  # ARC files and some tools write none: computed as warcio would
        hasher = hashlib.sha1()
        while chunk := record.raw_stream.read(_CHUNK_SIZE):
            hasher.update(chunk)
        digest = "sha1:" + base64.b32encode(hasher.digest()).decode("ascii")
    pointer = {
        "filename": reading.path.name,
        "offset": iterator.get_record_offset(),
        "length": iterator.get_record_length(),
        "record_id": headers.get_header("WARC-Record-ID") or "",
        "payload_digest": digest,
    }
    reading.index.add(reading.path, url, pointer)


def _http(record: Any, where: str, report: Report) -> Any:
    """The record's HTTP head (warcio's StatusAndHeaders), the stream left at the payload;
    None (reported) when there is none."""
    parser = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)
    try:
        http = parser.parse(record.raw_stream)
    except LimitExceeded as exc:
        report(f"{where}: {exc}; skipped")
        return None
    except (StatusAndHeadersParserException, ValueError, UnicodeDecodeError, EOFError) as exc:
        reason = _one_line(str(exc)) or type(exc).__name__
        report(f"{where}: no readable HTTP head ({reason}); not used")
        return None
    if not http.statusline and not http.headers:
        report(f"{where}: the record holds no HTTP response; not used")
        return None
    return http


def _is_html_200(http: Any) -> bool:
    """True for a 200 response with an HTML content type."""
    content_type = (http.get_header("Content-Type") or "").lower().strip()
    return bool(http.get_statuscode() == "200" and content_type.startswith(_HTML_TYPES))


def _decoded(
    pairs: list[tuple[str, str]], payload: bytes, where: str, report: Report
) -> tuple[bytes, list[str]] | None:
    """The payload de-chunked and decoded per the headers *pairs* (None: reported)."""
    try:
        if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in pairs):
            payload = dechunk(payload)
        codings = [v for k, v in pairs if k.lower() == "content-encoding"]
        return decode_body(payload, codings)
    except LimitExceeded as exc:  # the live crawl ignored it too (DOWNLOAD_MAXSIZE)
        report(f"{where}: {exc} (DOWNLOAD_MAXSIZE); skipped, as the live crawl skips it")
        return None
    except Exception as exc:  # zlib/brotli/zstd/chunk errors: one line, not used
        report(f"{where}: cannot decode the body ({type(exc).__name__}: {_one_line(str(exc))})")
        return None


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the record handlers need to know about the file being read."""

    path: Path
    index: OriginalsIndex
    report: Report


def _capture(  # noqa: PLR0917  # one record, seen from its file
    reading: _Reading, iterator: Any, record: Any, http: Any, url: str, profile: Profile
) -> Capture | None:
    """A full 200 HTML response at an article URL."""
    path, index, report = reading.path, reading.index, reading.report
    headers = record.rec_headers
    where = f"{path.name}: {url}"
    pairs = [(str(k), str(v)) for k, v in http.headers]
    payload = record.raw_stream.read(MAX_PAYLOAD + 1)
    if len(payload) > MAX_PAYLOAD:  # the live crawl cuts a body there (WARC-Truncated)
        report(f"{where}: {too_large('the payload', MAX_PAYLOAD)}; skipped")
        return None
    if getattr(record.raw_stream, "limit", 0):
        report(f"{where}: the record is cut short; not used")
        return None
    pointer = {
        "filename": path.name,
        "offset": iterator.get_record_offset(),
        "length": iterator.get_record_length(),
        "record_id": headers.get_header("WARC-Record-ID") or "",
        # ARC files and some tools write no payload digest: computed as warcio would
        "payload_digest": headers.get_header("WARC-Payload-Digest")
        or f"sha1:{compute_digest(payload)}",
    }
    index.add(path, url, pointer)
    decoded = _decoded(pairs, payload, where, report)
    if decoded is None:
        return None
    body, remaining = decoded
    return Capture(
        url=url,
        body=body,
        headers=spider_headers(pairs, remaining),
        warc_date=headers.get_header("WARC-Date") or "",
        pointer=pointer,
        profile=profile,
    )


def _revisit(
    reading: _Reading, record: Any, http: Any, url: str, profile: Profile
) -> Capture | None:
    """A revisit at an article URL, made into the capture of its original's payload."""
    path, index, report = reading.path, reading.index, reading.report
    headers = record.rec_headers
    where = f"{path.name}: {url}"
    not_modified = NOT_MODIFIED in (headers.get_header("WARC-Profile") or "")
    status = http.get_statuscode()
    if not_modified and status != "304":
        return None
    if not not_modified and not _is_html_200(http):
        return None
    found = index.find(
        headers.get_header("WARC-Refers-To"),
        headers.get_header("WARC-Refers-To-Target-URI") or url,
        headers.get_header("WARC-Payload-Digest"),
    )
    if found is None:
        report(
            f"{where}: a revisit whose original response is not in the WARC files read "
            "before it; not used"
        )
        return None
    original_path, pointer = found
    try:
        stored = read_record_at(original_path, pointer["offset"], pointer["length"])
    except (OSError, ValueError) as exc:
        report(f"{where}: cannot read the revisit's original record ({_one_line(str(exc))})")
        return None
    damage = stored.digest_problems()
    if damage:
        report(
            f"{where}: the revisit's original record {pointer['record_id']} "
            f"(offset {pointer['offset']} of {pointer['filename']}) is damaged "
            f"({_one_line(damage[0])}); not used"
        )
        return None
    original = [
        (name.decode("latin-1"), value.decode("latin-1")) for name, value in stored.http_headers()
    ]
    if not_modified and not _is_html_200(_Head(original, stored.http_start_line)):
        return None
    decoded = _decoded(original, stored.payload, where, report)
    if decoded is None:
        return None
    body, remaining = decoded
    # A 304 is answered with the archived response; a 200 keeps its own headers.
    shown = original if not_modified else [(str(k), str(v)) for k, v in http.headers]
    return Capture(
        url=url,
        body=body,
        headers=spider_headers(shown, remaining),
        warc_date=headers.get_header("WARC-Date") or "",
        pointer=pointer,
        profile=profile,
    )


class _Head:
    """Status and headers of a stored HTTP head, shaped like warcio's StatusAndHeaders."""

    def __init__(self, pairs: list[tuple[str, str]], start_line: bytes) -> None:
        self.pairs = pairs
        parts = start_line.decode("latin-1").split(" ", 2)
        self.status = parts[1] if len(parts) > 1 else ""

    def get_statuscode(self) -> str:
        return self.status

    def get_header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.pairs if k.lower() == wanted), None)
