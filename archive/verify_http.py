"""The HTTP message inside a request/response/revisit block, checked while streaming.

`HttpBlock` is fed the record block chunk by chunk. It splits off the HTTP
head (start line + header lines + empty line), then follows the stored body:
its length, its payload digests (as stored, and de-chunked when the body is
chunked), its first bytes (to see whether a ``Content-Encoding: gzip`` body
really is gzip) and, under ``Transfer-Encoding: chunked``, its chunk framing.
`HttpBlock.findings` then says what does not hold, as (severity, message).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from archive.limits import MAX_HTTP_HEAD
from archive.verify_digest import MultiHash
from archive.verify_report import Severity

MAX_HEAD = MAX_HTTP_HEAD  # an HTTP head longer than this is taken as broken
_SNIFF = 4
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


class ChunkDecoder:
    """Streaming parser of ``Transfer-Encoding: chunked`` framing."""

    def __init__(self) -> None:
        self._state = "size"
        self._line = bytearray()
        self._remaining = 0
        self._crlf = b""
        self.consumed = 0  # body bytes seen
        self.chunks = 0
        self.error: str | None = None
        self.extra = 0  # bytes after the last chunk

    @property
    def complete(self) -> bool:
        """Whether the zero-size last chunk and the trailer were seen."""
        return self._state == "done"

    def feed(self, data: bytes) -> bytes:
        """Consume body bytes; return the de-chunked data they carry."""
        out = bytearray()
        i = 0
        while i < len(data) and self.error is None:
            if self._state == "data":
                take = min(self._remaining, len(data) - i)
                out += data[i : i + take]
                i += take
                self._remaining -= take
                if self._remaining == 0:
                    self._state = "crlf"
            elif self._state == "crlf":
                self._crlf += data[i : i + 1]
                i += 1
                if self._crlf in (b"\r\n", b"\n"):
                    self._state, self._crlf = "size", b""
                elif self._crlf != b"\r":
                    self._fail(i - 1, "chunk data not followed by CRLF")
            elif self._state == "done":
                self.extra += len(data) - i
                i = len(data)
            else:  # "size" or "trailer": line based
                end = data.find(b"\n", i)
                piece = data[i : end + 1] if end >= 0 else data[i:]
                self._line += piece
                i += len(piece)
                if self._state == "size" and self._line[0] not in _HEX_DIGITS:
                    self._fail(i, f"bad chunk-size line {bytes(self._line[:40])!r}")
                elif len(self._line) > 4096:
                    self._fail(i, "chunk-size line too long")
                elif end >= 0:
                    self._end_line(i)
        self.consumed += len(data)
        return bytes(out)

    def _end_line(self, at: int) -> None:
        line = bytes(self._line).strip()
        self._line.clear()
        if self._state == "trailer":
            if not line:
                self._state = "done"
            return
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16) if size_text else -1
        except ValueError:
            size = -1
        if size < 0:
            self._fail(at, f"bad chunk-size line {line[:40]!r}")
            return
        self.chunks += 1
        if size == 0:
            self._state = "trailer"
        else:
            self._state, self._remaining = "data", size

    def _fail(self, at: int, why: str) -> None:
        self.error = f"{why} at body byte {self.consumed + at}"


@dataclass(slots=True)
class HttpHead:
    """The parsed HTTP head of a block."""

    start_line: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    size: int = 0
    crlf: bool = True
    unterminated: bool = False

    def get_all(self, name: str) -> list[str]:
        """Values of every header called `name` (any case)."""
        wanted = name.lower()
        return [v for k, v in self.headers if k.lower() == wanted]

    def get(self, name: str) -> str | None:
        """The first value of header `name`, or None."""
        values = self.get_all(name)
        return values[0] if values else None

    @property
    def is_response(self) -> bool:
        """Whether the start line is a status line."""
        return self.start_line.startswith("HTTP/")

    @property
    def status(self) -> int | None:
        """The status code of a response head (None when unreadable)."""
        parts = self.start_line.split(None, 2)
        if len(parts) >= 2 and self.is_response and parts[1].isdigit() and len(parts[1]) == 3:
            return int(parts[1])
        return None


class HttpBlock:
    """Feed it a record block; it checks the HTTP message it holds."""

    def __init__(self, payload_algorithms: set[str]) -> None:
        self._algorithms = set(payload_algorithms) | {"sha1"}
        self._head_buf = bytearray()
        self.head: HttpHead | None = None
        self.head_error: str | None = None
        self.body_length = 0
        self.raw_hash = MultiHash(self._algorithms)
        self.dechunked_hash: MultiHash | None = None
        self.chunks: ChunkDecoder | None = None
        self.entity_start = b""  # first bytes of the (de-chunked) body

    def feed(self, data: bytes) -> None:
        """Consume the next bytes of the block."""
        if self.head is None and self.head_error is None:
            self._head_buf += data
            end, sep = _head_end(self._head_buf)
            if end < 0:
                if len(self._head_buf) > MAX_HEAD:
                    self.head_error = f"HTTP head not terminated within {MAX_HEAD} bytes"
                return
            raw_head = bytes(self._head_buf[:end])
            rest = bytes(self._head_buf[end + len(sep) :])
            self._head_buf.clear()
            self.head = _parse_head(raw_head, end + len(sep), sep == b"\r\n\r\n")
            if self.head.is_response and _is_chunked(self.head):
                self.chunks = ChunkDecoder()
                self.dechunked_hash = MultiHash(self._algorithms)
            data = rest
        if self.head is None or not data:
            return
        self.body_length += len(data)
        self.raw_hash.update(data)
        entity = data
        if self.chunks is not None and self.dechunked_hash is not None:
            entity = self.chunks.feed(data)
            self.dechunked_hash.update(entity)
        if len(self.entity_start) < _SNIFF:
            self.entity_start += entity[: _SNIFF - len(self.entity_start)]

    def finish(self) -> None:
        """Call once the whole block has been fed."""
        if self.head is None and self.head_error is None:
            if self._head_buf.endswith(b"\n"):
                # header lines complete, only the empty line missing (old pywb requests)
                self.head = _parse_head(bytes(self._head_buf), len(self._head_buf), False)
                self.head.unterminated = True
            elif self._head_buf:
                self.head_error = "HTTP head not terminated by an empty line"
            else:
                self.head_error = "block is empty: no HTTP message"


def _head_end(buf: bytearray) -> tuple[int, bytes]:
    """Where the head ends: CRLF CRLF, or LF LF / CR CR LF from sloppy servers."""
    best = -1
    best_sep = b""
    for sep in (b"\r\n\r\n", b"\n\n", b"\r\r\n"):
        idx = buf.find(sep)
        if idx >= 0 and (best < 0 or idx < best):
            best, best_sep = idx, sep
    return best, best_sep


def _parse_head(raw: bytes, size: int, crlf: bool) -> HttpHead:
    text = raw.decode("latin-1")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    head = HttpHead(lines[0].strip(), size=size, crlf=crlf)
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and head.headers:
            name, value = head.headers[-1]
            head.headers[-1] = (name, value + " " + line.strip())
            continue
        name, sep, value = line.partition(":")
        if sep:
            head.headers.append((name.strip(), value.strip()))
    return head


def _is_chunked(head: HttpHead) -> bool:
    codings = ",".join(head.get_all("Transfer-Encoding")).lower()
    return "chunked" in [c.strip() for c in codings.split(",")]


def _content_encodings(head: HttpHead) -> list[str]:
    joined = ",".join(head.get_all("Content-Encoding")).lower()
    return [c.strip() for c in joined.split(",") if c.strip() and c.strip() != "identity"]


def response_findings(
    block: HttpBlock, *, truncated: bool, headers_only: bool, profile: str | None = None
) -> list[tuple[Severity, str]]:
    """What is wrong with a response (or revisit) message's framing and encoding.

    A head that keeps a de-chunked body's framing renamed (docs/warc.md:
    ``X-Orig-Transfer-Encoding``) must carry the true ``Content-Length``; a
    revisit's head must fit its profile: ``server-not-modified`` is a 304,
    ``identical-payload-digest`` a 2xx (`profile` is its ``WARC-Profile``).
    """
    found: list[tuple[Severity, str]] = []
    head = block.head
    if head is None:
        return found
    if not head.is_response or head.status is None:
        found.append((Severity.ERROR, f"HTTP status line unreadable: {head.start_line[:80]!r}"))
        return found
    found.extend(_head_warnings(head))
    if head.get_all("X-Orig-Transfer-Encoding") and not head.get_all("Content-Length"):
        found.append(
            (
                Severity.ERROR,
                "X-Orig-Transfer-Encoding says the body is stored de-chunked, but the head "
                "has no Content-Length for it",
            )
        )
    if headers_only:
        found.extend(_revisit_head_findings(head, profile))
        if block.body_length:
            found.append(
                (Severity.WARNING, f"revisit record stores {block.body_length} body bytes")
            )
        return found
    lenient = Severity.WARNING if truncated else Severity.ERROR
    chunked = block.chunks is not None
    bodiless = head.status in (204, 304) or 100 <= head.status < 200
    if chunked and block.chunks is not None:
        chunks = block.chunks
        if chunks.chunks == 0 and (chunks.error or block.body_length):
            found.append(
                (
                    lenient,
                    "stale Transfer-Encoding: chunked: the stored body is not chunked "
                    f"({chunks.error or 'no chunk-size line'}); the header must go when the "
                    "body is stored de-chunked",
                )
            )
        elif chunks.error:
            found.append((lenient, f"chunked body is malformed: {chunks.error}"))
        elif not chunks.complete and block.body_length:
            found.append((lenient, "chunked body ends before its last (zero-size) chunk"))
        elif chunks.extra:
            found.append((Severity.WARNING, f"{chunks.extra} bytes after the last chunk"))
    lengths = {v.strip() for v in head.get_all("Content-Length")}
    if len(lengths) > 1:
        found.append(
            (Severity.ERROR, f"conflicting HTTP Content-Length headers: {sorted(lengths)}")
        )
    elif lengths and not chunked:
        text = lengths.pop()
        if not text.isdigit():
            found.append((Severity.ERROR, f"HTTP Content-Length {text!r} is not a number"))
        elif int(text) != block.body_length and not (bodiless and block.body_length == 0):
            declared = int(text)
            if block.body_length == 0 and declared > 0:
                found.append(
                    (
                        Severity.WARNING,
                        f"HTTP Content-Length is {declared} but no body is stored "
                        "(a HEAD request?)",
                    )
                )
            else:
                found.append(
                    (
                        lenient,
                        f"HTTP Content-Length is {declared} but the stored body is "
                        f"{block.body_length} bytes",
                    )
                )
    encodings = _content_encodings(head)
    if encodings and block.entity_start:
        last = encodings[-1]
        if last in ("gzip", "x-gzip") and not block.entity_start.startswith(b"\x1f\x8b"):
            found.append(
                (
                    Severity.ERROR,
                    f"Content-Encoding: {last} but the stored body is not gzip data "
                    f"(starts {block.entity_start!r}): stored decoded instead of as received?",
                )
            )
    return found


def _revisit_head_findings(head: HttpHead, profile: str | None) -> list[tuple[Severity, str]]:
    """A revisit's HTTP head against what its profile says happened."""
    status = head.status or 0
    if profile and profile.endswith("/server-not-modified") and status != 304:
        return [
            (
                Severity.ERROR,
                f"server-not-modified revisit holds an HTTP {status} head: the server's "
                "304 is what it must keep",
            )
        ]
    if profile and profile.endswith("/identical-payload-digest") and not 200 <= status < 300:
        return [
            (
                Severity.ERROR,
                f"identical-payload-digest revisit holds an HTTP {status} head: a payload "
                "came with a 2xx",
            )
        ]
    return []


def _head_warnings(head: HttpHead) -> list[tuple[Severity, str]]:
    if head.unterminated:
        return [
            (Severity.WARNING, "HTTP head has no empty line: the block ends after the header lines")
        ]
    if not head.crlf:
        return [(Severity.WARNING, "HTTP head not terminated by CRLF CRLF (bare LF or CR CR LF)")]
    return []


def request_findings(block: HttpBlock, target_uri: str | None) -> list[tuple[Severity, str]]:
    """What is wrong with a request message: its start line and its target."""
    found: list[tuple[Severity, str]] = []
    head = block.head
    if head is None:
        return found
    found.extend(_head_warnings(head))
    parts = head.start_line.split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        found.append((Severity.ERROR, f"HTTP request line unreadable: {head.start_line[:80]!r}"))
        return found
    method, target = parts[0], parts[1]
    if not target_uri or method.upper() == "CONNECT" or target == "*":
        return found
    expected = request_url(target, head.get("Host"), target_uri)
    if expected is not None and not same_url(expected, target_uri):
        found.append(
            (
                Severity.ERROR,
                f"request line target {target!r} (host {head.get('Host')!r}) does not match "
                f"WARC-Target-URI {target_uri!r}",
            )
        )
    return found


def request_url(target: str, host: str | None, target_uri: str) -> str | None:
    """The absolute URL a request line + Host header ask for."""
    if "://" in target:
        return target
    base = urlsplit(target_uri.strip("<>"))
    if not base.scheme:
        return None
    authority = host.strip() if host else base.netloc
    return f"{base.scheme}://{authority}{target}"


def same_url(a: str, b: str) -> bool:
    """URL equality up to case of scheme/host, default ports, fragment and %-escapes."""
    return _norm(a) == _norm(b)


def _norm(url: str) -> tuple[str, str, int | None, str, str]:
    parts = urlsplit(url.strip().strip("<>"))
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port == _DEFAULT_PORTS.get(scheme):
        port = None
    host = (parts.hostname or "").lower()
    path = unquote(parts.path or "/")
    return scheme, host, port, path, unquote(parts.query)
