"""How much a reader of an archive reads: the live crawl's own size limits, in one place.

A WARC file is input like any other: a 2.7 KB record can declare a header
line of a gigabyte, or hold a payload that inflates to many gigabytes. Every
reader (``arsip extract``, ``reextract``, ``index``, ``verify``) bounds what
it reads to the limits the live crawl applies to what it receives, so that
a rebuilt dataset equals the live one and no file can exhaust memory:

- `MAX_PAYLOAD`: a decoded (Content-Encoding undone) payload; the crawl's
  ``DOWNLOAD_MAXSIZE`` (``crawler.settings`` takes its default from here).
  Past it the live crawl ignores the response, and so do the readers.
- `MAX_HTTP_HEAD`: an HTTP head (status line and header lines); the crawl
  refuses a response whose head is longer (it is recorded as a failed
  attempt), `archive.verify_http` takes a longer head for a broken one.
- `MAX_WARC_HEAD`: the WARC header block of one record.
- `MAX_HEADER_LINE`: one header line, WARC or HTTP (the crawl's HTTP client,
  Twisted's ``LineReceiver``, drops a connection at 16 KiB).

`archive_iterator` is warcio's ``ArchiveIterator`` reading through
`BoundedReader`, which raises `LimitExceeded` instead of reading an
over-long line or header block into memory.
"""

from __future__ import annotations

from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader

MAX_PAYLOAD = 50 * 1024 * 1024
MAX_HTTP_HEAD = 1 << 20
MAX_WARC_HEAD = 1 << 18
MAX_HEADER_LINE = 1 << 16


class LimitExceeded(ValueError):
    """A record is larger than a reader's limit (a line, a header block, a payload)."""


def too_large(what: str, limit: int) -> LimitExceeded:
    """The error for `what` over `limit` bytes, worded for a report line."""
    return LimitExceeded(f"{what} is over the limit of {_size(limit)}")


def _size(n: int) -> str:
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"


class BoundedReader(DecompressingBufferedReader):  # type: ignore[misc]  # warcio is untyped
    """warcio's reader, with header lines and header blocks bounded.

    A header block is the run of non-empty lines read one after the other
    (``readline``) up to an empty line, without a ``read`` between them: a
    record's WARC headers, or its HTTP head. Both are held to the larger
    bound, `MAX_HTTP_HEAD`. Payloads are read with ``read`` and are not
    bounded here (readers bound what they decode).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lines = 0

    def readline(self, length: int | None = None) -> bytes:
        wanted = MAX_HEADER_LINE + 1 if length is None else min(length, MAX_HEADER_LINE + 1)
        line: bytes = super().readline(wanted)
        if len(line) > MAX_HEADER_LINE:
            raise too_large("a header line", MAX_HEADER_LINE)
        if not line.strip():
            self._lines = 0
            return line
        self._lines += len(line)
        if self._lines > MAX_HTTP_HEAD:
            raise too_large("a header block", MAX_HTTP_HEAD)
        return line

    def read(self, length: int | None = None) -> bytes:
        self._lines = 0
        data: bytes = super().read(length)
        return data


def archive_iterator(fh: IO[bytes], **kwargs: Any) -> ArchiveIterator:
    """``ArchiveIterator(fh, **kwargs)`` whose header lines and blocks are bounded."""
    iterator = ArchiveIterator(fh, **kwargs)
    iterator.reader = BoundedReader(iterator.fh, block_size=iterator.reader.block_size)
    return iterator


__all__ = [
    "MAX_HEADER_LINE",
    "MAX_HTTP_HEAD",
    "MAX_PAYLOAD",
    "MAX_WARC_HEAD",
    "BoundedReader",
    "LimitExceeded",
    "archive_iterator",
    "too_large",
]
