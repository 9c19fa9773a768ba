"""What goes into a record: captured HTTP messages, warcinfo fields, dates.

This module knows nothing about Scrapy: a capture layer turns whatever its
HTTP client exposes into `HttpRequestMessage` / `HttpResponseMessage`, and
the writer serializes them byte for byte. Header names and values are bytes
so that nothing is re-encoded on the way into the WARC (warcio would
percent-encode non-ASCII header values; see `RawHttpHead`).
"""

from __future__ import annotations

import http
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata

from warcio.statusandheaders import StatusAndHeaders

#: Value of the warcinfo ``format`` field.
WARC_FORMAT = "WARC File Format 1.1"
#: Value of the warcinfo ``conformsTo`` field.
WARC_CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
#: WARC version written in every record.
WARC_VERSION = "WARC/1.1"
#: The revisit profiles' short names: what arsip puts in ``meta["revisit"]`` and stats,
#: and how the profile URI of every WARC version (1.0, 1.1, the drafts) ends.
IDENTICAL_PAYLOAD = "identical-payload-digest"
NOT_MODIFIED = "server-not-modified"
#: ``WARC-Profile`` of a revisit whose payload has the digest of an earlier capture (6.7.2).
REVISIT_IDENTICAL_PAYLOAD_DIGEST = f"http://netpreserve.org/warc/1.1/revisit/{IDENTICAL_PAYLOAD}"
#: ``WARC-Profile`` of a revisit recording a server's "not modified" answer (6.7.3).
REVISIT_SERVER_NOT_MODIFIED = f"http://netpreserve.org/warc/1.1/revisit/{NOT_MODIFIED}"
#: The revisit profiles, by short name.
REVISIT_PROFILES = {
    IDENTICAL_PAYLOAD: REVISIT_IDENTICAL_PAYLOAD_DIGEST,
    NOT_MODIFIED: REVISIT_SERVER_NOT_MODIFIED,
}

Header = tuple[bytes, bytes]

#: Statuses whose responses carry no body, so no Content-Length is invented for them.
_NO_BODY_STATUSES = frozenset({204, 304})


def format_warc_date(when: datetime) -> str:
    """`when` as a WARC-Date in UTC with milliseconds: ``2021-12-09T08:00:00.123Z``."""
    utc = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def new_record_id() -> str:
    """A fresh ``WARC-Record-ID``: ``<urn:uuid:...>``."""
    return f"<urn:uuid:{uuid.uuid4()}>"


def reason_phrase(status: int) -> str:
    """The standard reason phrase of `status` (``404`` → ``Not Found``), "" if unknown."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def default_software() -> str:
    """``arsip/VERSION (warcio/VERSION)`` for the warcinfo ``software`` field."""
    return f"arsip/{_version('arsip')} (warcio/{_version('warcio')})"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def _head(start_line: str, headers: Iterable[Header]) -> bytes:
    lines = [start_line.encode("latin-1"), b"\r\n"]
    for name, value in headers:
        lines += [name, b": ", value, b"\r\n"]
    lines.append(b"\r\n")
    return b"".join(lines)


@dataclass(frozen=True, slots=True)
class HttpRequestMessage:
    """An HTTP request as it was sent.

    `target` is the request-target of the request line: the path and query
    (``/berita?page=2``), or an absolute URL when sent to a proxy.
    """

    method: str
    target: str
    headers: Sequence[Header] = ()
    body: bytes = b""
    protocol: str = "HTTP/1.1"

    @property
    def start_line(self) -> str:
        """``GET /path?q HTTP/1.1``."""
        return f"{self.method} {self.target} {self.protocol}"

    def head(self) -> bytes:
        """Request line and header lines, CRLF-terminated, ending with the empty line."""
        return _head(self.start_line, self.headers)


@dataclass(frozen=True, slots=True)
class HttpResponseMessage:
    """An HTTP response as it was received; `body` still content-encoded.

    `reason` None means "the standard phrase of `status`" (HTTP clients
    rarely expose the phrase the server really sent).
    """

    status: int
    headers: Sequence[Header] = ()
    body: bytes = b""
    protocol: str = "HTTP/1.1"
    reason: str | None = None

    @property
    def status_line(self) -> str:
        """``HTTP/1.1 404 Not Found`` (the reason may be empty: ``HTTP/1.1 599 ``)."""
        reason = reason_phrase(self.status) if self.reason is None else self.reason
        return f"{self.protocol} {self.status} {reason}"

    def head(self) -> bytes:
        """Status line and header lines, CRLF-terminated, ending with the empty line."""
        return _head(self.status_line, self.headers)


def adjust_framing(headers: Iterable[Header], body_length: int, status: int = 200) -> list[Header]:
    """Headers that describe the body as stored rather than the transport framing.

    The HTTP client removed the transfer coding (chunks) and the record holds
    the de-chunked body, so a ``Transfer-Encoding`` header would be a false
    claim: it becomes ``X-Orig-Transfer-Encoding``. ``Content-Length`` is set
    to `body_length` (in place, or appended when missing, except for 1xx,
    204 and 304 responses); a different original value is kept as
    ``X-Orig-Content-Length``. Every other header is kept, in order, duplicates
    included.
    """
    result: list[Header] = []
    originals: list[bytes] = []
    length = str(body_length).encode("ascii")
    for name, value in headers:
        lower = name.lower()
        if lower == b"transfer-encoding":
            result.append((b"X-Orig-Transfer-Encoding", value))
        elif lower == b"content-length":
            if not originals:
                result.append((name, length))
            originals.append(value)
        else:
            result.append((name, value))
    for original in originals:
        if original.strip() != length:
            result.append((b"X-Orig-Content-Length", original))
    if not originals and status >= 200 and status not in _NO_BODY_STATUSES:
        result.append((b"Content-Length", length))
    return result


@dataclass(frozen=True, slots=True)
class RefersTo:
    """The earlier record a ``revisit`` record stands for: the one holding the payload.

    Written as ``WARC-Refers-To``, ``WARC-Refers-To-Target-URI``,
    ``WARC-Refers-To-Date`` and (the payload being the original's)
    ``WARC-Payload-Digest``.
    """

    record_id: str
    target_uri: str
    date: str
    payload_digest: str


@dataclass(frozen=True, slots=True)
class WarcinfoFields:
    """The fields of the ``warcinfo`` record that opens every file.

    Written as ``application/warc-fields`` in this order (empty values
    skipped): ``software``, ``format``, ``conformsTo``, ``hostname``,
    ``operator``, ``robots``, ``http-header-user-agent``, ``isPartOf``
    (the collection), ``crawl-id``, ``description``, then `extra`.
    """

    crawl_id: str = ""
    collection: str = ""
    operator: str = ""
    robots: str = ""
    user_agent: str = ""
    description: str = ""
    software: str = field(default_factory=default_software)
    extra: tuple[tuple[str, str], ...] = ()

    def fields(self, hostname: str) -> list[tuple[str, str]]:
        """The ordered (name, value) pairs for a file written on `hostname`."""
        pairs = [
            ("software", self.software),
            ("format", WARC_FORMAT),
            ("conformsTo", WARC_CONFORMS_TO),
            ("hostname", hostname),
            ("operator", self.operator),
            ("robots", self.robots),
            ("http-header-user-agent", self.user_agent),
            ("isPartOf", self.collection),
            ("crawl-id", self.crawl_id),
            ("description", self.description),
            *self.extra,
        ]
        return [(name, value) for name, value in pairs if value]


def warc_fields_block(pairs: Iterable[tuple[str, str]]) -> bytes:
    """An ``application/warc-fields`` body: ``name: value`` lines, UTF-8, CRLF."""
    for name, value in pairs:
        if any(c in name + value for c in "\r\n") or ":" in name:
            raise ValueError(f"warc-fields cannot hold {name!r}: {value!r}")
    return b"".join(f"{name}: {value}\r\n".encode() for name, value in pairs)


class RawHttpHead(StatusAndHeaders):  # type: ignore[misc]  # warcio is untyped
    """warcio's status-and-headers object that writes our exact bytes.

    warcio re-serializes HTTP headers from parsed (name, value) strings and
    percent-encodes any non-ASCII value; this subclass keeps the head exactly
    as captured, so the block digest covers what was received.
    """

    def __init__(self, raw: bytes) -> None:
        first, _, rest = raw.partition(b"\r\n")
        start = first.decode("latin-1")
        # warcio's own convention: a request's "protocol" is its method.
        protocol, _, statusline = start.partition(" ")
        headers = []
        for line in rest.split(b"\r\n"):
            if line:
                name, _, value = line.partition(b":")
                headers.append((name.decode("latin-1"), value.strip().decode("latin-1")))
        super().__init__(statusline, headers, protocol=protocol)
        self.raw = raw

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        """Use the captured bytes as they are (warcio calls this before writing)."""
        self.headers_buff = self.raw
