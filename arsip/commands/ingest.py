"""`arsip ingest DIR... --out COLLECTION`: merge a distributed crawl's worker directories.

Exit codes: 0 done; 2 wrong arguments; 4 a directory that is not a crawl
directory, or a WARC file that clashes with one already in the collection;
5 a collection that cannot be written; 7 a worker still crawling in one of
the directories, or a crawl running in the collection.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from arsip.errors import EXIT_OK
from arsip.ingest import ingest


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `ingest` subcommand."""
    p = sub.add_parser(
        "ingest",
        help="merge the workers' directories of a distributed crawl into a collection "
        "(preservation)",
        description="Merge the output directories of a distributed crawl's workers "
        "(arsip crawl --redis) into one collection: their WARC files hard-linked (or copied) "
        "into COLLECTION/warc (a killed worker's .open file cut after its last whole "
        "record), the CDXJ index extended, every article once in COLLECTION/json/CRAWL_ID.jsonl "
        "and upserted into COLLECTION/arsip.sqlite. The workers' directories are not changed; "
        "running it again adds only what is new.",
    )
    p.add_argument(
        "sources", nargs="+", type=Path, metavar="DIR", help="a worker's output directory"
    )
    p.add_argument(
        "--out", type=Path, required=True, metavar="COLLECTION", help="the collection directory"
    )
    p.add_argument(
        "--copy",
        action="store_true",
        help="copy the WARC files (default: hard-link them when on the same file system)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Ingest and print what was done."""
    report = ingest(list(args.sources), args.out, link=not args.copy)
    print("\n".join(report.lines()))
    sys.stdout.flush()
    return EXIT_OK
