"""Verify the containers: a WACZ file and a BagIt bag (and the WARCs inside).

WACZ: the ZIP opens; ``datapackage.json`` lists every file with the right
size and hash; ``datapackage-digest.json`` holds that file's sha256;
``pages/pages.jsonl`` is there with its header; the WARCs under
``archive/`` are stored uncompressed and verify; the index
(``indexes/index.cdx.gz`` + ``index.idx``, or ``indexes/index.cdxj``) points
at the right records. Bag: bagit's own validation (manifests, Payload-Oxum,
completeness), then the WARCs and index under ``data/``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zipfile import ZIP_STORED, BadZipFile, ZipFile

import bagit

from archive.verify_collection import Collection
from archive.verify_report import Report, Severity, Sink
from archive.verify_warc import verify_warc_into

_CHUNK = 1 << 20
_RESOURCE_NAME = re.compile(r"^[-a-z0-9._/]+$")
#: What reading a damaged ZIP member raises (CRC errors come as BadZipFile).
ZIP_ERRORS = (BadZipFile, zlib.error, EOFError, OSError)
_MAX_PAGE_ERRORS = 5


def verify_wacz(path: Path, report: Report, strict: bool) -> None:
    """Verify a WACZ file: package metadata, pages, WARCs and index."""
    sink = Sink(str(path), report)
    try:
        zf = ZipFile(path)
    except (BadZipFile, OSError) as exc:
        sink.error(f"not a readable ZIP/WACZ file: {exc}")
        report.files += 1
        return
    with zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        if len(set(names)) != len(names):
            sink.error("the ZIP holds two entries with the same name")
        package = _datapackage(zf, sink, strict)
        if package is not None:
            _check_resources(zf, package, names, sink)
        page_urls = _check_pages(zf, sink)
        collection = Collection(strict)
        warcs = [n for n in names if n.startswith("archive/")]
        if not warcs:
            sink.error("no WARC files under archive/")
        for name in warcs:
            info = zf.getinfo(name)
            if info.compress_type != ZIP_STORED:
                sink.error(
                    f"{name} is compressed inside the ZIP; WACZ requires it stored (ZIP_STORED)"
                )
            try:
                with zf.open(info) as member:
                    verify_warc_into(
                        report, f"{path}#{name}", member, _basename(name), collection, strict=strict
                    )
            except ZIP_ERRORS as exc:
                sink.error(f"{name}: cannot be read from the ZIP: {exc}")
        collection.check_revisits(report)
        lines = _index_lines(zf, names, sink)
        if lines is None:
            sink.error("no index: indexes/index.cdx.gz with index.idx, or indexes/index.cdxj")
            return
        try:
            collection.check_index(sink, lines, {_basename(n) for n in warcs})
        except ZIP_ERRORS as exc:
            sink.error(f"the index cannot be read from the ZIP: {exc}")
            return
        missing = [u for u in page_urls if u not in collection.index_urls]
        for url in missing[:_MAX_PAGE_ERRORS]:
            sink.warning(f"pages/pages.jsonl lists {url}, which the index does not hold")
        if len(missing) > _MAX_PAGE_ERRORS:
            sink.warning(
                f"pages/pages.jsonl: {len(missing) - _MAX_PAGE_ERRORS} more pages not in the index"
            )


def _basename(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _datapackage(zf: ZipFile, sink: Sink, strict: bool) -> dict[str, Any] | None:
    try:
        raw = zf.read("datapackage.json")
    except KeyError:
        sink.error("datapackage.json is missing")
        return None
    except ZIP_ERRORS as exc:
        sink.error(f"datapackage.json cannot be read from the ZIP: {exc}")
        return None
    try:
        package = json.loads(raw)
    except ValueError as exc:
        sink.error(f"datapackage.json is not JSON: {exc}")
        return None
    if not isinstance(package, dict):
        sink.error("datapackage.json is not a JSON object")
        return None
    if package.get("profile") != "data-package":
        sink.error(f"datapackage.json profile is {package.get('profile')!r}, not 'data-package'")
    if not package.get("wacz_version"):
        sink.error("datapackage.json has no wacz_version")
    try:
        digest_doc = json.loads(zf.read("datapackage-digest.json"))
    except ZIP_ERRORS as exc:
        sink.error(f"datapackage-digest.json cannot be read from the ZIP: {exc}")
        return package
    except KeyError:
        sink.add(
            Severity.ERROR if strict else Severity.WARNING, "datapackage-digest.json is missing"
        )
        return package
    except ValueError as exc:
        sink.error(f"datapackage-digest.json is not JSON: {exc}")
        return package
    expected = str(digest_doc.get("hash", "")) if isinstance(digest_doc, dict) else ""
    actual = "sha256:" + hashlib.sha256(raw).hexdigest()
    if expected != actual:
        sink.error(
            f"datapackage-digest.json gives {expected or 'no hash'}, "
            f"datapackage.json hashes to {actual}"
        )
    return package


def _check_resources(zf: ZipFile, package: dict[str, Any], names: list[str], sink: Sink) -> None:
    resources = package.get("resources")
    if not isinstance(resources, list) or not resources:
        sink.error("datapackage.json lists no resources")
        return
    listed: set[str] = set()
    for res in resources:
        if not isinstance(res, dict) or not isinstance(res.get("path"), str):
            sink.error(f"datapackage.json resource without a path: {str(res)[:100]}")
            continue
        rpath = res["path"]
        listed.add(rpath)
        if not _RESOURCE_NAME.match(str(res.get("name", ""))):
            sink.error(
                f"{rpath}: resource name {res.get('name')!r} does not match ^[-a-z0-9._/]+$ "
                "(Frictionless data-package profile)"
            )
        try:
            info = zf.getinfo(rpath)
        except KeyError:
            sink.error(f"datapackage.json lists {rpath}, which is not in the WACZ")
            continue
        if res.get("bytes") != info.file_size:
            sink.error(
                f"{rpath}: datapackage.json says {res.get('bytes')} bytes, "
                f"the file has {info.file_size}"
            )
        algo, _, expected = str(res.get("hash", "")).partition(":")
        if algo not in ("sha256", "sha512", "sha1", "md5"):
            sink.error(f"{rpath}: datapackage.json hash {res.get('hash')!r} is not ALGORITHM:HEX")
            continue
        hasher = hashlib.new(algo)
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    hasher.update(chunk)
        except ZIP_ERRORS as exc:
            sink.error(f"{rpath}: cannot be read from the ZIP: {exc}")
            continue
        if hasher.hexdigest() != expected.lower():
            sink.error(
                f"{rpath}: hash mismatch: datapackage.json says {algo}:{expected}, "
                f"the file hashes to {algo}:{hasher.hexdigest()}"
            )
    for name in names:
        if name not in listed and name not in ("datapackage.json", "datapackage-digest.json"):
            sink.error(f"{name} is in the WACZ but not listed in datapackage.json")


def _check_pages(zf: ZipFile, sink: Sink) -> list[str]:
    """Check pages/pages.jsonl; return the URLs it lists."""
    urls: list[str] = []
    try:
        raw = zf.read("pages/pages.jsonl")
    except KeyError:
        sink.error("pages/pages.jsonl is missing")
        return urls
    except ZIP_ERRORS as exc:
        sink.error(f"pages/pages.jsonl cannot be read from the ZIP: {exc}")
        return urls
    bad = 0
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:
            data = None
        if number == 1:
            fmt = str(data.get("format", "")) if isinstance(data, dict) else ""
            if not fmt.startswith("json-pages-1.0"):
                sink.error("pages/pages.jsonl line 1 is not a json-pages-1.0 header")
            continue
        if not isinstance(data, dict) or not isinstance(data.get("url"), str) or "ts" not in data:
            bad += 1
            if bad <= _MAX_PAGE_ERRORS:
                sink.error(f"pages/pages.jsonl line {number} is not a page (JSON with url and ts)")
            continue
        urls.append(data["url"])
    if bad > _MAX_PAGE_ERRORS:
        sink.error(f"pages/pages.jsonl: {bad - _MAX_PAGE_ERRORS} more lines are not pages")
    return urls


def _index_lines(zf: ZipFile, names: list[str], sink: Sink) -> Iterator[str] | None:
    if "indexes/index.cdx.gz" in names:
        return _compressed_index(zf, names, sink)
    if "indexes/index.cdxj" in names:
        return _plain_lines(zf, "indexes/index.cdxj")
    return None


def _plain_lines(zf: ZipFile, name: str) -> Iterator[str]:
    with zf.open(name) as fh:
        for raw in fh:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line:
                yield line


def _idx_blocks(zf: ZipFile, sink: Sink) -> list[tuple[int, int, str | None]]:
    blocks: list[tuple[int, int, str | None]] = []
    for line in _plain_lines(zf, "indexes/index.idx"):
        if line.startswith("!"):
            continue
        _, brace, blob = line.partition(" {")
        try:
            meta = json.loads(brace.strip() + blob)
            blocks.append((int(meta["offset"]), int(meta["length"]), meta.get("digest")))
        except (ValueError, KeyError, TypeError):
            sink.error(f"indexes/index.idx: unreadable line {line[:80]!r}")
    return blocks


def _compressed_index(zf: ZipFile, names: list[str], sink: Sink) -> Iterator[str]:
    """Lines of index.cdx.gz, block by block as index.idx describes them."""
    if "indexes/index.idx" not in names:
        sink.error("indexes/index.cdx.gz without indexes/index.idx")
        return
    expected_offset = 0
    with zf.open("indexes/index.cdx.gz") as fh:
        for offset, length, digest in _idx_blocks(zf, sink):
            if offset != expected_offset:
                sink.error(
                    f"indexes/index.idx: block at {offset} but the previous one ended at "
                    f"{expected_offset}"
                )
                return
            data = fh.read(length)
            expected_offset = offset + length
            if digest and "sha256:" + hashlib.sha256(data).hexdigest() != digest:
                sink.error(
                    f"indexes/index.cdx.gz: block at offset {offset} does not match its "
                    "digest in index.idx"
                )
            try:
                text = zlib.decompress(data, 16 + zlib.MAX_WBITS).decode("utf-8")
            except (zlib.error, UnicodeDecodeError) as exc:
                sink.error(f"indexes/index.cdx.gz: block at offset {offset} is unreadable: {exc}")
                continue
            yield from (line for line in text.split("\n") if line)
        if fh.read(1):
            sink.error("indexes/index.cdx.gz has data after the last block index.idx lists")


def verify_bag(path: Path, report: Report) -> Sink:
    """Validate a BagIt bag with bagit (manifests, oxum, completeness); return its sink."""
    sink = Sink(str(path), report)
    logging.getLogger("bagit").setLevel(logging.WARNING)  # it logs every file at INFO
    try:
        bag = bagit.Bag(str(path))
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        details = list(getattr(exc, "details", None) or [])
        for detail in details:
            sink.error(f"bag: {detail}")
        if not details:
            sink.error(f"bag validation failed: {getattr(exc, 'message', exc)}")
    except bagit.BagError as exc:
        sink.error(f"not a valid bag: {exc}")
    return sink
