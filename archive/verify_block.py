"""One record block, streamed once: digests recomputed, HTTP message checked.

`BlockChecker` is fed the block of a record chunk by chunk. It hashes the
whole block (for ``WARC-Block-Digest``) and, when the block is an HTTP
message, hands it to `verify_http.HttpBlock`, which hashes the payload (for
``WARC-Payload-Digest``: as stored, or de-chunked when the body is chunked,
since writers differ there). `report` then adds what does not hold.
"""

from __future__ import annotations

from archive.verify_digest import (
    DeclaredDigest,
    DigestFormatError,
    MultiHash,
    UnsupportedDigest,
    parse_digest,
    sha1_base32,
    spell_like,
)
from archive.verify_fields import Header
from archive.verify_http import HttpBlock, request_findings, response_findings
from archive.verify_report import Sink

HTTP_TYPES = frozenset({"request", "response", "revisit"})
_METHODS = (b"GET ", b"POST ", b"HEAD ", b"PUT ", b"DELETE ", b"OPTIONS ", b"PATCH ", b"CONNECT ")


#: How much of a warcinfo block is kept to read its fields.
_WARCINFO_KEPT = 1 << 14
#: The ``robots`` values of the WARC 1.1 annex (warcinfo fields).
_ROBOTS_VALUES = ("classic", "ignore", "custom")


def _warc_field(block: bytes, name: bytes) -> str | None:
    """The first ``name: value`` line of an application/warc-fields block."""
    for line in block.splitlines():
        key, sep, value = line.partition(b":")
        if sep and key.strip().lower() == name:
            return value.strip().decode("utf-8", "replace")
    return None


def _declared(value: str | None) -> DeclaredDigest | None:
    if not value or not value.strip():
        return None
    try:
        return parse_digest(value)
    except (DigestFormatError, UnsupportedDigest):
        return None  # check_fields reports it


class BlockChecker:
    """Consumes one record block; knows its digests and its HTTP message."""

    def __init__(self, header: Header, length: int, first_bytes: bytes) -> None:
        self.header = header
        self.block_digest = _declared(header.get("WARC-Block-Digest"))
        self.payload_digest = _declared(header.get("WARC-Payload-Digest"))
        payload_algorithms = {self.payload_digest.algorithm} if self.payload_digest else set()
        algorithms = {"sha1", *payload_algorithms}
        if self.block_digest:
            algorithms.add(self.block_digest.algorithm)
        self.block_hash = MultiHash(algorithms)
        rec_type = header.rec_type
        ctype = (header.get("Content-Type") or "").lower()
        looks_http = first_bytes.startswith((b"HTTP/", *_METHODS))
        is_http = (
            rec_type in HTTP_TYPES
            and length > 0
            and (ctype.startswith("application/http") or (not ctype and looks_http))
        )
        #: a segment's payload digest is that of the whole logical record: not checkable here
        self.segmented = bool((header.get("WARC-Segment-Number") or "").strip())
        self.http: HttpBlock | None = HttpBlock(payload_algorithms) if is_http else None
        #: the start of a warcinfo block, kept to read its fields (robots, ...)
        self.warcinfo = b"" if rec_type == "warcinfo" else None

    def feed(self, data: bytes) -> None:
        """Consume the next bytes of the block."""
        self.block_hash.update(data)
        if self.http is not None:
            self.http.feed(data)
        if self.warcinfo is not None and len(self.warcinfo) < _WARCINFO_KEPT:
            self.warcinfo += data[: _WARCINFO_KEPT - len(self.warcinfo)]

    def payload_sha1(self) -> str | None:
        """sha1 (base32) of the payload as stored; None when it cannot be told."""
        if self.http is None:
            return sha1_base32(self.block_hash.digest("sha1"))
        if self.http.head is None:
            return None
        return sha1_base32(self.http.raw_hash.digest("sha1"))

    def http_status(self) -> str | None:
        """The HTTP status code of a response/revisit block, as text."""
        head = self.http.head if self.http is not None else None
        return str(head.status) if head is not None and head.status is not None else None

    def http_content_type(self) -> str | None:
        """The HTTP Content-Type header, when the block is an HTTP message."""
        head = self.http.head if self.http is not None else None
        return head.get("Content-Type") if head is not None else None

    def report(self, sink: Sink, offset: int, rid: str | None, strict: bool) -> None:
        """Add every problem of the block, once it has been fed whole."""
        rec_type = self.header.rec_type
        declared = self.block_digest
        if declared and self.block_hash.digest(declared.algorithm) != declared.expected:
            sink.error(
                f"block digest mismatch: WARC-Block-Digest is {declared.text}, the block hashes "
                f"to {spell_like(declared, self.block_hash.digest(declared.algorithm))}",
                offset,
                rid,
            )
        if self.http is not None:
            self.http.finish()
            self._report_http(sink, offset, rid)
            if strict:
                self._arsip_head_rules(sink, offset, rid)
        elif self.payload_digest and rec_type != "revisit" and not self.segmented:
            self._check_payload(sink, offset, rid, self.block_hash, None)
        if strict and self.warcinfo is not None:
            robots = _warc_field(self.warcinfo, b"robots")
            if robots is not None and robots.lower() not in _ROBOTS_VALUES:
                sink.warning(
                    f"warcinfo robots: {robots!r} is not one of the WARC 1.1 values "
                    f"({', '.join(_ROBOTS_VALUES)})",
                    offset,
                    rid,
                )
        if strict and rec_type in ("request", "response", "resource"):
            for name in ("WARC-Block-Digest", "WARC-Payload-Digest"):
                if not (self.header.get(name) or "").strip():
                    sink.error(f"no {name} (arsip records always carry one)", offset, rid)

    def _report_http(self, sink: Sink, offset: int, rid: str | None) -> None:
        http = self.http
        assert http is not None
        rec_type = self.header.rec_type
        if http.head_error:
            sink.error(f"HTTP message unreadable: {http.head_error}", offset, rid)
            return
        truncated = bool((self.header.get("WARC-Truncated") or "").strip()) or self.segmented
        if rec_type == "request":
            findings = request_findings(http, self.header.get("WARC-Target-URI"))
        else:
            findings = response_findings(
                http,
                truncated=truncated,
                headers_only=rec_type == "revisit",
                profile=self.header.get("WARC-Profile"),
            )
        for severity, message in findings:
            sink.add(severity, message, offset, rid)
        if self.payload_digest and rec_type != "revisit" and not self.segmented:
            self._check_payload(sink, offset, rid, http.raw_hash, http.dechunked_hash)

    def _arsip_head_rules(self, sink: Sink, offset: int, rid: str | None) -> None:
        """arsip's own rule for revisit heads: the head as received, nothing added.

        A 304 answers with no body and servers rarely send ``Content-Length:
        0`` with one; arsip before its wire-exact capture added exactly that
        (docs/warc.md), so under arsip's rules it is a warning to look at.
        """
        head = self.http.head if self.http is not None else None
        if head is None or self.header.rec_type != "revisit" or head.status != 304:
            return
        if [v.strip() for v in head.get_all("Content-Length")] == ["0"]:
            sink.warning(
                "304 revisit head has Content-Length: 0, which servers rarely send: was it "
                "added by the crawler rather than received?",
                offset,
                rid,
            )

    def _check_payload(
        self,
        sink: Sink,
        offset: int,
        rid: str | None,
        stored: MultiHash,
        dechunked: MultiHash | None,
    ) -> None:
        declared = self.payload_digest
        assert declared is not None
        actual = stored.digest(declared.algorithm)
        if actual == declared.expected:
            return
        if dechunked is not None and dechunked.digest(declared.algorithm) == declared.expected:
            return  # some writers digest the de-chunked entity: accepted
        sink.error(
            f"payload digest mismatch: WARC-Payload-Digest is {declared.text}, the "
            f"stored payload hashes to {spell_like(declared, actual)}",
            offset,
            rid,
        )
