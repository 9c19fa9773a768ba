"""`arsip index DIR`: write the collection's CDXJ index (DIR/indexes/index.cdxj).

A WARC file that warcio cannot read to its end is indexed up to its last
whole record and named in one line on stderr (what stopped the reading,
and ``arsip verify`` to see more); the command then exits 6. When nothing
at all could be indexed because of such files, no index is written and it
exits 4. What warcio would print itself about an odd record becomes one
``arsip: index: warning: ...`` line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from archive.cdxj import INDEX_RELPATH, scan_file, sorted_unique, write_lines_atomic
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
    files = sorted({p for pattern in WARC_GLOBS for p in warc_dir.glob(pattern) if p.is_file()})
    if not files:
        raise UserError(f"{warc_dir}: no WARC files (*.warc.gz) to work on", EXIT_INPUT)
    return files


def _read(files: list[Path]) -> tuple[list[str], list[str]]:
    """(index lines, problem lines) of *files*; warcio's warnings are printed as they come."""
    lines: list[str] = []
    problems: list[str] = []
    for path in files:
        try:
            scan = scan_file(path)
        except OSError as exc:
            problems.append(f"{path}: cannot be read: {exc.strerror or exc}")
            continue
        for warning in scan.warnings:
            print(f"arsip: index: warning: {path}: warcio: {warning}", file=sys.stderr)
        lines.extend(scan.lines)
        if scan.error is None:
            continue
        if scan.lines:
            problems.append(
                f"{path}: indexed up to record {scan.records}, then stopped at {scan.error}; "
                f"the rest of the file is not indexed; run: arsip verify {path}"
            )
        else:
            problems.append(
                f"{path}: cannot be indexed, it is not a readable WARC file ({scan.error}); "
                f"run: arsip verify {path}"
            )
    return lines, problems


def run(args: argparse.Namespace) -> int:
    """Index the collection and say where the index went (exit 6: some records unread)."""
    files = collection_warcs(args.directory)
    out: Path = args.out or layout.index_path(args.directory)
    lines, problems = _read(files)
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
