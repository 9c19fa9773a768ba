"""Verify what arsip preserves: WARC files, crawl directories, WACZ files and bags.

`verify_paths` takes any mix of

- a WARC (or ARC) file, plain or gzip: every record is checked
  (`archive.verify_warc`);
- a crawl directory (``DIR/warc/*.warc.gz``, optional
  ``DIR/indexes/index.cdxj``): its WARCs as one collection, under arsip's own
  rules (strict), plus the index against the records;
- a WACZ file: package metadata, hashes, pages, the WARCs inside and the index
  (`archive.verify_package`);
- a BagIt bag: bagit's validation, then its payload as a crawl directory.

and returns a `Report`: one `Problem` per thing wrong, each an error (the
run fails) or a warning. Loose WARC files are judged by the WARC standard
only ("foreign" archives predate our rules); ``strict=True`` applies arsip's
rules to them too (warcinfo first, WARC/1.1, digests present, revisits
resolvable).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from archive.cdxj import INDEX_RELPATH, CdxjIndex
from archive.verify_collection import Collection
from archive.verify_package import verify_bag, verify_wacz
from archive.verify_report import Problem, Report, Severity, Sink
from archive.verify_warc import verify_warc_into
from arsip.core import layout

__all__ = ["Problem", "Report", "Severity", "VerifyInputError", "verify_paths"]

WARC_SUFFIXES = (".warc.gz", ".warc", ".arc.gz", ".arc")
ZIP_MAGIC = b"PK\x03\x04"


class VerifyInputError(ValueError):
    """A path that cannot be verified at all (missing, unreadable, not a known kind)."""


def verify_paths(paths: Sequence[Path], *, strict: bool | None = None) -> Report:
    """Verify every path; `strict` None means: arsip rules for crawl dirs only."""
    kinds = [_kind(path) for path in paths]
    report = Report()
    loose = Collection(bool(strict))
    for path, kind in zip(paths, kinds, strict=True):
        if kind == "bag":
            _verify_bag(path, report, strict)
        elif kind == "crawl":
            verify_crawl_dir(path, report, True if strict is None else strict)
        elif kind == "wacz":
            _guarded(report, str(path), partial(verify_wacz, path, report, bool(strict)))
        else:
            _verify_file(path, path.name, report, loose, bool(strict))
    loose.check_revisits(report)
    return report


def _kind(path: Path) -> str:
    if not path.exists():
        raise VerifyInputError(f"{path}: no such file or directory")
    if not os.access(path, os.R_OK):
        raise VerifyInputError(f"{path}: not readable (check its permissions)")
    if path.is_dir():
        if (path / "bagit.txt").is_file():
            return "bag"
        if layout.warc_dir(path).is_dir():
            return "crawl"
        raise VerifyInputError(
            f"{path}: not a crawl directory (no warc/ inside) nor a bag (no bagit.txt); "
            "give WARC files, a WACZ file, a bag or a crawl directory"
        )
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise VerifyInputError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    return "wacz" if magic == ZIP_MAGIC or path.suffix == ".wacz" else "warc"


def _guarded(report: Report, display: str, action: Callable[[], None]) -> None:
    """Run one file's verification; an I/O error becomes a problem, not a crash."""
    try:
        action()
    except OSError as exc:
        Sink(display, report).error(f"cannot read: {exc.strerror or exc}")


def _verify_file(
    path: Path, filename: str, report: Report, collection: Collection, strict: bool
) -> None:
    def run() -> None:
        with path.open("rb") as fh:
            verify_warc_into(report, str(path), fh, filename, collection, strict=strict)

    _guarded(report, str(path), run)


def verify_crawl_dir(directory: Path, report: Report, strict: bool = True) -> None:
    """Verify a crawl directory's WARC files as one collection, and its index."""
    warc_dir = layout.warc_dir(directory)
    sink = Sink(str(directory), report)
    files = sorted(p for p in warc_dir.iterdir() if p.is_file() and p.name.endswith(WARC_SUFFIXES))
    for unfinished in sorted(warc_dir.glob("*.open")):
        sink.warning(
            f"{unfinished.name} is still open (crawl running or interrupted): not verified"
        )
    if not files:
        sink.error(f"no WARC files in {warc_dir}")
        return
    collection = Collection(strict)
    for path in files:
        _verify_file(path, path.name, report, collection, strict)
    collection.check_revisits(report)
    index_path = layout.index_path(directory)
    if index_path.is_file():
        index_sink = Sink(str(index_path), report)
        try:
            collection.check_index(
                index_sink, CdxjIndex(index_path).read_lines(), {p.name for p in files}
            )
        except (OSError, UnicodeDecodeError) as exc:
            index_sink.error(f"cannot read the index: {exc}")
    else:
        sink.warning(f"no index at {INDEX_RELPATH} (run: arsip index {directory})")


def _verify_bag(path: Path, report: Report, strict: bool | None) -> None:
    verify_bag(path, report)
    data = path / "data"
    if layout.warc_dir(data).is_dir():
        verify_crawl_dir(data, report, True if strict is None else strict)
        return
    files = sorted(p for p in data.rglob("*") if p.is_file() and p.name.endswith(WARC_SUFFIXES))
    if not files:
        Sink(str(path), report).error("the bag holds no WARC files")
        return
    collection = Collection(bool(strict))
    for warc in files:
        _verify_file(warc, warc.name, report, collection, bool(strict))
    collection.check_revisits(report)
