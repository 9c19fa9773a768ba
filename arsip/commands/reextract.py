"""`arsip reextract WARC_OR_DIR... --out DIR [--profile NAME] [--force]`.

Rebuilds DIR/json/CRAWL_ID.jsonl and DIR/arsip.sqlite from WARC files
alone (no network): every article response in the WARC files goes through
the same extraction, validation, JSON Lines writer and dataset update as
in the live crawl, with its capture time (WARC-Date) as ``fetched_at`` and
the ``crawl-id`` of its file's warcinfo record as ``crawl_id``, so the
rebuilt items equal the live crawl's. A folder argument means the WARC
files under it (only under its ``warc/`` folder when it has one: a
collection folder works).
Files are read oldest first, records in file order; JSON Lines hold the
items in that order (the live crawl's order depends on its concurrency).
Revisit records (a 304, or a body identical to an earlier capture) give
the item of the original response they refer to, as in the live crawl.

The profile (article URL patterns, site name, zone) is ``--profile``, else
the shipped profile named like the WARC's collection (``isPartOf`` in its
warcinfo, ``anri`` for an ``arsip crawl anri``), else chosen by URL host.

The result is built in a hidden folder inside DIR and moved into place
when complete, with DIR's crawl lock held (a crawl running there: exit 7).
A DIR that already holds a dataset or JSON Lines is refused (exit 5)
unless ``--force`` is given (they are then replaced as a whole); a
read-only dataset is refused (exit 5) even then, and DIR left as it was. Records
that cannot be used (cut short, undecodable body, invalid item, a revisit
without its original) are reported on stderr, one line each, and counted;
the command then exits 6.

``--jobs N`` extracts in N processes (default: every core); reading and
writing stay in one, in record order, so the output is the same for any N.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from arsip.errors import EXIT_OK, EXIT_PARTIAL


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``reextract`` subcommand."""
    parser = subparsers.add_parser(
        "reextract",
        help="rebuild JSON Lines and the dataset from WARC files alone",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "inputs", nargs="+", type=Path, metavar="WARC_OR_DIR", help="WARC files or folders"
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="collection folder to rebuild"
    )
    parser.add_argument(
        "--profile", metavar="NAME", help="site profile name or .toml path (default: see above)"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace the dataset and JSON Lines already in DIR"
    )
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=0,
        metavar="N",
        help="processes that extract (default 0: every core; 1: this process only, "
        "for debugging); the output is the same for any N",
    )
    parser.set_defaults(func=run)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes (0: all cores)")
    return value


def run(args: argparse.Namespace) -> int:
    """Rebuild and print a summary; exit 6 when some records could not be used."""
    from arsip.parallel import resolve_jobs  # noqa: PLC0415 - start-up time: arsip --help loads every command
    from arsip.reextract import reextract, summary  # noqa: PLC0415 - start-up time: arsip --help loads every command

    def report(line: str) -> None:
        print(f"arsip: reextract: {line}", file=sys.stderr, flush=True)

    stats = reextract(
        args.inputs,
        args.out,
        profile=args.profile,
        force=args.force,
        jobs=resolve_jobs(args.jobs),
        report=report,
    )
    print("\n".join(summary(stats, args.out)))
    return EXIT_PARTIAL if stats.unusable else EXIT_OK
