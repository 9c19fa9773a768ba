"""`arsip query "SQL" [--db PATH] [--format table|json|csv]`: read-only SQL on the dataset.

The statement runs on a read-only connection: SQLite itself refuses any
write (``INSERT``, ``DELETE``, ``DROP``, ``PRAGMA`` that writes, ...) and
``ATTACH``, so the database file is left byte for byte as it was. Exactly
one statement per call.

Where the dataset is (every researcher command): ``--db PATH``, the SQLite
file or a collection folder holding ``arsip.sqlite``; or ``--out DIR``, the
collection folder as given to ``arsip crawl --out``. Default
``data/anri/arsip.sqlite`` (the default output of ``arsip crawl anri``).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from arsip.core import layout
from arsip.errors import EXIT_INPUT, EXIT_OK, UserError
from pipelines.defaults import DATASET_FILE

#: The dataset used when neither --db nor --out is given.
DEFAULT_DB = Path("data") / "anri" / DATASET_FILE
#: Widest cell of the table format (longer values end in "…").
CELL_WIDTH = 60


def add_dataset_options(parser: argparse.ArgumentParser, *, out: bool = True) -> None:
    """Add ``--db PATH`` and (unless *out* is False) ``--out DIR``, exclusive, to *parser*."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--db",
        metavar="PATH",
        help=f"the dataset: a SQLite file or a collection folder (default {DEFAULT_DB})",
    )
    parser.set_defaults(collection=None)
    if not out:
        return
    group.add_argument(
        "--out",
        metavar="DIR",
        dest="collection",
        help="the collection folder (as given to 'arsip crawl --out'); uses DIR/arsip.sqlite",
    )


def dataset_path(args: argparse.Namespace) -> Path:
    """The dataset file that ``--db``/``--out`` name; UserError when there is none."""
    given = args.db or args.collection
    path = Path(given) if given else DEFAULT_DB
    if path.is_dir():
        path = layout.dataset_path(path)
    if not path.is_file():
        hint = "--db or --out" if given else "--db PATH (default " + str(DEFAULT_DB) + ")"
        raise UserError(
            f"no dataset at {path}; run 'arsip crawl' or 'arsip reextract' first, "
            f"or point {hint} at one",
            EXIT_INPUT,
        )
    return path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``query`` subcommand."""
    parser = subparsers.add_parser(
        "query",
        help="run one read-only SQL statement on the dataset (researchers)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sql", metavar="SQL", help="one SQL statement (read-only)")
    add_dataset_options(parser)
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output: aligned table (default), a JSON array of objects, or CSV with a header",
    )
    parser.set_defaults(func=run)


def _cell(value: Any) -> Any:
    """A value JSON and CSV can hold (BLOBs as hex)."""
    return value.hex() if isinstance(value, bytes) else value


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = " ".join(str(_cell(value)).split())
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1] + "…"


def write_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    """Rows as aligned columns (numbers right-aligned), a rule under the header."""
    cells = [[_text(v) for v in row] for row in rows]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(columns)]
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in rows) and bool(rows)
        for i in range(len(columns))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out.write(line(columns) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write(line(row) + "\n")
    noun = "row" if len(rows) == 1 else "rows"
    out.write(f"({len(rows)} {noun})\n")


def write_rows(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, out: TextIO
) -> None:
    """Rows in *fmt*: ``table``, ``json`` or ``csv``."""
    if fmt == "json":
        data = [dict(zip(columns, map(_cell, row), strict=True)) for row in rows]
        json.dump(data, out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_cell(v) for v in row] for row in rows])
    else:
        write_table(columns, rows, out)


def run(args: argparse.Namespace) -> int:
    """Run the statement and print its rows."""
    from pipelines.db import QueryError, query_readonly  # noqa: PLC0415 - start-up time: arsip --help loads every command

    path = dataset_path(args)
    try:
        columns, rows = query_readonly(path, args.sql)
    except QueryError as exc:
        if not str(exc).endswith(("authorization denied", "not authorized")):
            raise
        # ATTACH, DETACH and VACUUM (which attaches a temporary copy) are denied.
        raise QueryError(
            path, "queries are read-only; ATTACH, DETACH and VACUUM are not allowed"
        ) from exc
    write_rows(columns, rows, args.format, sys.stdout)
    return EXIT_OK
