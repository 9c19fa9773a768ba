"""`arsip index DIR`: write the collection's CDXJ index (DIR/indexes/index.cdxj)."""

from __future__ import annotations

import argparse
from pathlib import Path

from warcio.exceptions import ArchiveLoadFailed

from archive.cdxj import INDEX_RELPATH, index_file, sorted_unique, write_lines_atomic
from arsip.errors import EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, UserError

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
    warc_dir = directory / "warc"
    if not warc_dir.is_dir():
        raise UserError(
            f"{directory}: not a crawl directory (no warc/ inside); give the --out DIR of a crawl",
            EXIT_INPUT,
        )
    files = sorted({p for pattern in WARC_GLOBS for p in warc_dir.glob(pattern) if p.is_file()})
    if not files:
        raise UserError(f"{warc_dir}: no WARC files (*.warc.gz) to work on", EXIT_INPUT)
    return files


def run(args: argparse.Namespace) -> int:
    """Index the collection and say where the index went."""
    files = collection_warcs(args.directory)
    out: Path = args.out or args.directory / INDEX_RELPATH
    lines: list[str] = []
    for path in files:
        try:
            lines.extend(index_file(path))
        except (ArchiveLoadFailed, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UserError(
                f"{path}: cannot be indexed, it is not a readable WARC file ({first}); "
                f"run: arsip verify {path}",
                EXIT_INPUT,
            ) from exc
        except OSError as exc:
            raise UserError(f"{path}: cannot be read: {exc.strerror or exc}", EXIT_INPUT) from exc
    try:
        count = write_lines_atomic(out, sorted_unique(lines))
    except OSError as exc:
        raise UserError(
            f"{out}: cannot write the index: {exc.strerror or exc} (choose another --out)",
            EXIT_OUTPUT,
        ) from exc
    files_text = f"{len(files)} WARC file" + ("" if len(files) == 1 else "s")
    print(f"indexed {count} records from {files_text} into {out}")
    return EXIT_OK
