"""Article records out of WARC files, with warcio or FastWARC, for re-extraction.

Both readers yield `ArticleRecord` (URL, HTTP headers, payload with the
content coding undone) for each ``response`` record with status 200, an
HTML type and an article URL of the profile. warcio undoes chunking and
Content-Encoding itself; for FastWARC we do it here (gzip, deflate, br).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from bench.harness import installed


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    url: str
    headers: dict[str, str]
    body: bytes


IsArticle = Callable[[str], bool]


def read_warcio(paths: Sequence[Path], is_article: IsArticle) -> Iterator[ArticleRecord]:
    for path in paths:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                http = record.http_headers
                if http.get_statuscode() != "200" or not is_article(url):
                    continue
                if "html" not in (http.get_header("Content-Type") or ""):
                    continue
                headers = {k: v for k, v in http.headers}
                yield ArticleRecord(url, headers, record.content_stream().read())


def _dechunk(data: bytes) -> bytes:
    out, pos = bytearray(), 0
    while True:
        end = data.find(b"\r\n", pos)
        if end < 0:
            return bytes(out)
        size = int(data[pos:end].split(b";")[0] or b"0", 16)
        if size == 0:
            return bytes(out)
        out += data[end + 2 : end + 2 + size]
        pos = end + 2 + size + 2


def _decode(body: bytes, headers: dict[str, str]) -> bytes:
    lowered = {k.lower(): v.lower() for k, v in headers.items()}
    if "chunked" in lowered.get("transfer-encoding", ""):
        body = _dechunk(body)
    coding = lowered.get("content-encoding", "").strip()
    if coding in ("gzip", "x-gzip"):
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if coding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)
    if coding == "br":
        import brotli  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415 - optional dependency (a peer)

        return bytes(brotli.decompress(body))
    return body


def read_fastwarc(paths: Sequence[Path], is_article: IsArticle) -> Iterator[ArticleRecord]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType  # noqa: PLC0415 - optional dependency (a peer)

    for path in paths:
        with path.open("rb") as fh:
            for record in ArchiveIterator(
                fh, record_types=WarcRecordType.response, parse_http=True
            ):
                http = record.http_headers
                if http is None or http.status_code != 200:
                    continue
                url = record.headers.get("WARC-Target-URI") or ""
                if not is_article(url):
                    continue
                headers = {k: v for k, v in http.items()}
                if "html" not in headers.get("Content-Type", ""):
                    continue
                yield ArticleRecord(url, headers, _decode(record.reader.read(), headers))


READERS: dict[str, tuple[str, Callable[[Sequence[Path], IsArticle], Iterator[ArticleRecord]]]] = {
    "warcio": ("warcio", read_warcio),
    "fastwarc": ("fastwarc", read_fastwarc),
}


def available(name: str) -> bool:
    return installed(READERS[name][0])
