"""`arsip index DIR`: write the collection's CDXJ index (DIR/indexes/index.cdxj).

Every record is checked as it is read (gzip CRC, length, block and payload
digests: `archive.checked`): a damaged record gets no index line and one
line on stderr (file, offset, record id, what is wrong); after a corrupt or
truncated gzip member the reading goes on at the next record, and the gap
is reported the same way. The command then exits 6 (partial). When nothing
at all could be indexed because of such files, no index is written and it
exits 4. What warcio would print itself about an odd record becomes one
``arsip: index: warning: ...`` line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from archive.cdxj import (
    INDEX_RELPATH,
    NotModifiedResolver,
    scan_file,
    sorted_unique,
    write_lines_atomic,
)
from archive.files import describe_unreadable
from arsip.core import layout
from arsip.errors import EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, EXIT_PARTIAL, UserError

WARC_GLOBS = ("*.warc.gz", "*.warc")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `index` subcommand."""
    p = sub.add_parser(
        "index",
        help="write the CDXJ index of a crawl directory (preservation)",
        description="Index every WARC file of DIR/warc into a pywb-compatible CDXJ file "
        f"(default DIR/{INDEX_RELPATH.as_posix()}): SURT key, 14-digit timestamp and "
        "url, mime, status, digest, length, offset, filename for each response, revisit, "
        "resource and metadata record; byte-sorted, written atomically.",
    )
    p.add_argument("directory", type=Path, metavar="DIR", help="crawl directory (holds warc/)")
    p.add_argument(
        "--out", type=Path, metavar="FILE", help=f"where to write (default DIR/{INDEX_RELPATH})"
    )
    p.set_defaults(func=run)


def collection_warcs(directory: Path) -> list[Path]:
    """The finished WARC files of a crawl directory, sorted by name (UserError if none)."""
    warc_dir = layout.warc_dir(directory)
    if not warc_dir.is_dir():
        raise UserError(
            f"{directory}: not a crawl directory (no warc/ inside); give the --out DIR of a crawl",
            EXIT_INPUT,
        )
    found = {p for pattern in WARC_GLOBS for p in warc_dir.glob(pattern) if not p.is_dir()}
    for path in sorted(found):
        wrong = describe_unreadable(path)
        if wrong is not None:
            raise UserError(wrong, EXIT_INPUT)
    files = sorted(p for p in found if p.is_file())
    if not files:
        raise UserError(f"{warc_dir}: no WARC files (*.warc.gz) to work on", EXIT_INPUT)
    return files


def index_lines(files: list[Path]) -> tuple[list[str], list[str]]:
    """(index lines, problem lines) of *files*; warcio's warnings are printed as they come."""
    lines: list[str] = []
    problems: list[str] = []
    originals = NotModifiedResolver()  # files are given oldest first (by name)
    for path in files:
        try:
            scan = scan_file(path, originals=originals)
        except OSError as exc:
            problems.append(f"{path}: cannot be read: {exc.strerror or exc}")
            continue
        for warning in scan.warnings:
            print(f"arsip: index: warning: {path}: warcio: {warning}", file=sys.stderr)
        lines.extend(scan.lines)
        if not scan.damage:
            continue
        if scan.records:
            problems.extend(f"{line}; not indexed" for line in scan.damage)
        else:
            problems.append(
                f"{path}: cannot be indexed, it is not a readable WARC file "
                f"({scan.damage[0].split(': ', 2)[-1]}); run: arsip verify {path}"
            )
    return lines, problems


def run(args: argparse.Namespace) -> int:
    """Index the collection and say where the index went (exit 6: some records unread)."""
    files = collection_warcs(args.directory)
    out: Path = args.out or layout.index_path(args.directory)
    lines, problems = index_lines(files)
    if problems and not lines:  # nothing to index but what failed: no index, one line each
        if len(problems) > 1:
            for line in problems:
                print(f"arsip: index: {line}", file=sys.stderr)
            raise UserError(
                f"{args.directory / 'warc'}: none of its {len(files)} WARC files could be "
                "indexed (see above); no index written",
                EXIT_INPUT,
            )
        raise UserError(problems[0], EXIT_INPUT)
    for line in problems:
        print(f"arsip: index: {line}", file=sys.stderr)
    try:
        count = write_lines_atomic(out, sorted_unique(lines))
    except OSError as exc:
        raise UserError(
            f"{out}: cannot write the index: {exc.strerror or exc} (choose another --out)",
            EXIT_OUTPUT,
        ) from exc
    files_text = f"{len(files)} WARC file" + ("" if len(files) == 1 else "s")
    print(f"indexed {count} records from {files_text} into {out}")
    return EXIT_PARTIAL if problems else EXIT_OK
