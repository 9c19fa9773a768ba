"""Package WARC files as a WACZ 1.1.1 file (Web Archive Collection Zipped).

Layout written, as py-wacz writes it::

    archive/NAME.warc.gz         the WARC files, ZIP_STORED (seekable in place)
    indexes/index.cdx.gz         the CDXJ index, gzip-compressed in blocks, ZIP_STORED
    indexes/index.idx            one line per block: first key, offset, length, sha256
    pages/pages.jsonl            {"format": "json-pages-1.0", ...} then one page a line
    datapackage.json             Frictionless data package: every file's sha256 and size
    datapackage-digest.json      sha256 of datapackage.json

The pages (url, ts, title) come from the caller: `archive/` knows no
articles. The file is built under a temporary name and renamed at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

from archive import files
from archive.cdxj import index_file, sorted_unique

WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
#: Index lines per compressed block (py-wacz's default).
BLOCK_LINES = 1024
_CHUNK = 1 << 20
_NAME_UNSAFE = re.compile(r"[^-a-z0-9._/]")


@dataclass(frozen=True, slots=True)
class Page:
    """One entry of pages/pages.jsonl."""

    url: str
    ts: str  # ISO 8601, e.g. 2026-11-27T22:20:48.123Z
    title: str | None = None

    def as_json(self) -> str:
        """The page's line (without newline)."""
        data: dict[str, str] = {"url": self.url, "ts": self.ts}
        if self.title:
            data["title"] = self.title
        return json.dumps(data, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class WaczResult:
    """What was written."""

    path: Path
    warcs: int
    index_lines: int
    pages: int
    size: int


def resource_name(path: str) -> str:
    """A Frictionless resource name for `path`: lower case, only ``-a-z0-9._/``.

    WARC names carry characters such as ``~`` (``...-PID~HOST.warc.gz``) that
    the data-package profile refuses in a name; the path keeps them.
    """
    return _NAME_UNSAFE.sub("-", os.path.basename(path).lower())


@dataclass(slots=True)
class _Resource:
    path: str
    sha256: str
    size: int

    def as_dict(self) -> dict[str, object]:
        return {
            "name": resource_name(self.path),
            "path": self.path,
            "hash": f"sha256:{self.sha256}",
            "bytes": self.size,
        }


def write_wacz(
    out: Path,
    warc_paths: Sequence[Path],
    pages: Iterable[Page] = (),
    *,
    title: str,
    software: str,
    description: str | None = None,
    created: datetime | None = None,
) -> WaczResult:
    """Write `warc_paths` (with their index and `pages`) to the WACZ file `out`.

    `ValueError` when there is no WARC or two share a name;
    `warcio.exceptions.ArchiveLoadFailed` when a WARC cannot be indexed.
    """
    if not warc_paths:
        raise ValueError("no WARC files to package")
    names = [p.name for p in warc_paths]
    if len(set(names)) != len(names):
        raise ValueError("two WARC files share a name; archive/ needs unique names")
    when = created or datetime.now(UTC)

    def write(fh: IO[bytes]) -> tuple[int, int]:
        with ZipFile(fh, "w", allowZip64=True) as zf:
            writer = _Writer(zf, when)
            index_lines = writer.index(warc_paths)
            for path in warc_paths:
                writer.stored_file(path, f"archive/{path.name}")
            page_count = writer.pages(pages)
            package: dict[str, object] = {
                "profile": "data-package",
                "resources": [r.as_dict() for r in writer.resources],
                "title": title,
                "created": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "wacz_version": WACZ_VERSION,
                "software": software,
            }
            if description:
                package["description"] = description
            package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
            writer.small_file("datapackage.json", package_bytes, listed=False)
            digest = {
                "path": "datapackage.json",
                "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
            }
            writer.small_file(
                "datapackage-digest.json", json.dumps(digest, indent=2).encode(), listed=False
            )
        return index_lines, page_count

    index_lines, page_count = files.write_atomically(out, write)
    return WaczResult(out, len(warc_paths), index_lines, page_count, out.stat().st_size)


class _Writer:
    """Adds the parts of a WACZ to an open ZIP, keeping each file's size and sha256."""

    def __init__(self, zf: ZipFile, when: datetime) -> None:
        self.zf = zf
        utc = when.astimezone(UTC)
        self.stamp = (max(utc.year, 1980), utc.month, utc.day, utc.hour, utc.minute, utc.second)
        self.resources: list[_Resource] = []

    def small_file(self, name: str, data: bytes, *, listed: bool = True) -> None:
        """A deflated file (index.idx, pages, datapackage)."""
        info = ZipInfo(name, self.stamp)
        info.compress_type = ZIP_DEFLATED
        self.zf.writestr(info, data)
        if listed:
            self.resources.append(_Resource(name, hashlib.sha256(data).hexdigest(), len(data)))

    def stored_file(self, source: Path, name: str) -> None:
        """Copy `source` in uncompressed (a WARC must stay seekable), hashing on the way."""
        info = ZipInfo.from_file(source, name)
        info.compress_type = ZIP_STORED
        hasher = hashlib.sha256()
        size = 0
        with source.open("rb") as src, self.zf.open(info, "w", force_zip64=True) as dst:
            while chunk := src.read(_CHUNK):
                hasher.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        self.resources.append(_Resource(name, hasher.hexdigest(), size))

    def index(self, warc_paths: Sequence[Path]) -> int:
        """indexes/index.cdx.gz (gzip blocks, stored) and indexes/index.idx (one line a block)."""
        lines = sorted_unique(line for path in warc_paths for line in index_file(path))
        meta = {"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}
        idx = [f"!meta 0 {json.dumps(meta)}"]
        info = ZipInfo("indexes/index.cdx.gz", self.stamp)
        info.compress_type = ZIP_STORED
        hasher = hashlib.sha256()
        offset = 0
        with self.zf.open(info, "w", force_zip64=True) as data:
            for start in range(0, len(lines), BLOCK_LINES):
                block = lines[start : start + BLOCK_LINES]
                compressed = _gzip_block("".join(line + "\n" for line in block).encode("utf-8"))
                data.write(compressed)
                hasher.update(compressed)
                entry = {
                    "offset": offset,
                    "length": len(compressed),
                    "digest": "sha256:" + hashlib.sha256(compressed).hexdigest(),
                }
                idx.append(f"{block[0].split(' {', 1)[0]} {json.dumps(entry)}")
                offset += len(compressed)
        self.resources.append(_Resource("indexes/index.cdx.gz", hasher.hexdigest(), offset))
        self.small_file("indexes/index.idx", "".join(line + "\n" for line in idx).encode())
        return len(lines)

    def pages(self, pages: Iterable[Page]) -> int:
        """pages/pages.jsonl: the header line, then each (url, ts) once."""
        lines = [json.dumps(PAGES_HEADER)]
        seen: set[tuple[str, str]] = set()
        for page in pages:
            if (page.url, page.ts) not in seen:
                seen.add((page.url, page.ts))
                lines.append(page.as_json())
        self.small_file("pages/pages.jsonl", "".join(line + "\n" for line in lines).encode())
        return len(lines) - 1


def _gzip_block(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return comp.compress(data) + comp.flush()


def read_pages_jsonl(stream: IO[str]) -> Iterator[Page]:
    """Pages from a pages.jsonl-style stream: objects with url, ts and optional title."""
    for line in stream:
        line = line.strip()
        if not line:
            continue
        data = json.loads(line)
        if not isinstance(data, dict) or "format" in data:
            continue
        url, ts, title = data.get("url"), data.get("ts"), data.get("title")
        if isinstance(url, str) and isinstance(ts, str):
            yield Page(url, ts, title if isinstance(title, str) else None)
