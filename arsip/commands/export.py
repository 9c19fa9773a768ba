"""`arsip export --format jsonl|csv|parquet [--since DATE] [--out FILE] [--db PATH]`.

Writes the current version of every article, with its provenance (WARC
record, replay path, first/last seen, content hash), to FILE, and
describes it in ``datapackage.json`` beside FILE (a Frictionless data
package: ``frictionless validate datapackage.json`` checks it). FILE is
written as a temporary file and renamed, so it is never seen half
written. Default FILE: ``exports/articles.FORMAT`` in the dataset's
folder; ``--out -`` writes JSON Lines or CSV to standard output (no data
package).

``--since DATE`` (YYYY-MM-DD or an ISO time in UTC) keeps the articles
last seen on or after it, for incremental exports. Parquet needs the
optional extra: ``pip install 'arsip[parquet]'``. Layouts and types: see
``pipelines/datapackage.py`` and ``pipelines/db/export.py``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from arsip.commands.query import add_dataset_options, dataset_path
from arsip.errors import EXIT_OK, EXIT_USAGE, UserError

_SINCE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,6})?)?)?Z?)?$")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``export`` subcommand."""
    parser = subparsers.add_parser(
        "export",
        help="export the articles as JSON Lines, CSV or Parquet with a data package",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--format", choices=("jsonl", "csv", "parquet"), required=True, help="file format"
    )
    parser.add_argument(
        "--since", metavar="DATE", help="only articles last seen on or after DATE (UTC)"
    )
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="where to write (default DATASET_FOLDER/exports/articles.FORMAT; - for stdout)",
    )
    add_dataset_options(parser, out=False)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the export and its data package; print where they are."""
    from pipelines.datapackage import package_name  # noqa: PLC0415 - start-up time: arsip --help loads every command
    from pipelines.db.export import export, stream  # noqa: PLC0415 - start-up time: arsip --help loads every command

    if args.since is not None and not _SINCE_RE.match(args.since):
        raise UserError(
            f"--since {args.since!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ",
            EXIT_USAGE,
        )
    db = dataset_path(args)
    if args.out == "-":
        if args.format == "parquet":
            raise UserError("Parquet cannot go to standard output; give --out FILE", EXIT_USAGE)
        stream(db, args.format, sys.stdout.buffer, since=args.since)
        sys.stdout.flush()
        return EXIT_OK
    out = Path(args.out) if args.out else db.parent / "exports" / f"articles.{args.format}"
    if out.is_dir():
        out = out / f"articles.{args.format}"
    name = package_name(db.parent.resolve().name or "articles")
    result = export(db, out, args.format, since=args.since, package_name=name)
    noun = "article" if result.rows == 1 else "articles"
    print(f"exported {result.rows} {noun} to {result.path} ({result.bytes} bytes)")
    if result.descriptor is not None:
        print(f"data package: {result.descriptor}")
    return EXIT_OK
