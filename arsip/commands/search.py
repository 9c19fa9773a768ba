"""`arsip search "kata kunci" [--from DATE] [--to DATE] [--author NAME] [--limit N]`.

Full-text search of the dataset's titles and bodies. Every word must occur,
in any of its forms: Indonesian words are reduced to their root
(``pelatihan``, ``melatih`` and ``latih`` all match ``latih``); ``--exact``
matches the words as written. Text in double quotes is a phrase. Results
are ranked by BM25 with the title weighted ten times the body, so an
article whose title holds the words comes first. Each result shows the
title, date, author, views, id, URL, replay path and a snippet with the
matched words highlighted: in colour on a terminal, in [brackets]
otherwise (``--color`` decides; NO_COLOR is honoured).

``--from``/``--to`` (inclusive; ``2021-12-09`` or as Indonesians write
dates: ``9 Desember 2021``, ``09/12/2021``, ``9 Des 21``) filter on the publication date,
``--author`` on the author (part of the name, any case). ``--format json``
prints the hits as a JSON array.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date
from typing import TextIO

from arsip.commands.query import add_dataset_options, dataset_path
from arsip.errors import EXIT_OK, EXIT_USAGE, UserError
from crawler.extract.dates import parse_date

ANSI_START = "\x1b[1;33m"
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
ANSI_END = "\x1b[0m"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``search`` subcommand."""
    parser = subparsers.add_parser(
        "search",
        help="full-text search of the articles, ranked, with snippets (researchers)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("text", metavar="WORDS", help='words to find ("..." for a phrase)')
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="published on or after")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="published on or before")
    parser.add_argument("--author", metavar="NAME", help="author contains NAME (any case)")
    parser.add_argument(
        "--limit", type=int, default=20, metavar="N", help="at most N results (default 20)"
    )
    parser.add_argument("--exact", action="store_true", help="match words as written (no stemming)")
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="highlight with ANSI colours: auto (on a terminal), always, never ([brackets])",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output")
    add_dataset_options(parser)
    parser.set_defaults(func=run)


def _date(option: str, value: str | None) -> str | None:
    """*value* as ``YYYY-MM-DD``: ISO or as Indonesians write it (``9 Desember 2021``)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    # Read against two references: a date without its year comes out differently.
    first, second = (parse_date(value, reference=date(y, 6, 15)) for y in (2001, 2002))
    if not isinstance(first, str) or not _DAY_RE.match(first) or first != second:
        raise UserError(
            f"{option} {value!r} is not a date with its year; use YYYY-MM-DD or e.g. "
            "'9 Desember 2021'",
            EXIT_USAGE,
        )
    return first[:10]


def _marks(color: str, out: TextIO) -> tuple[str, str]:
    """Highlight marks for *out*: ANSI on a terminal (``auto``), brackets otherwise."""
    use_ansi = color == "always" or (
        color == "auto" and out.isatty() and not os.environ.get("NO_COLOR")
    )
    return (ANSI_START, ANSI_END) if use_ansi else ("[", "]")


def run(args: argparse.Namespace) -> int:
    """Print the ranked hits."""
    from pipelines.db.search import (  # noqa: PLC0415 - start-up time: arsip --help loads every command
        count,
        render_marks,
        search,
    )

    date_from = _date("--from", args.date_from)
    date_to = _date("--to", args.date_to)
    if date_from and date_to and date_from > date_to:
        raise UserError(f"--from {date_from} is after --to {date_to}", EXIT_USAGE)
    if args.limit < 1:
        raise UserError(f"--limit must be 1 or more, got {args.limit}", EXIT_USAGE)
    path = dataset_path(args)
    hits = search(
        path,
        args.text,
        date_from=date_from,
        date_to=date_to,
        author=args.author,
        limit=args.limit,
        exact=args.exact,
    )
    out = sys.stdout
    if args.format == "json":
        json.dump([hit.as_dict() for hit in hits], out, ensure_ascii=False, indent=1)
        out.write("\n")
        return EXIT_OK
    start, end = _marks(args.color, out)
    for hit in hits:
        title = render_marks(hit.title_marked or "(no title)", start, end)
        facts = [hit.published or "no date", hit.author or "no author"]
        if hit.views is not None:
            facts.append(f"{hit.views} views")
        out.write(f"{hit.rank}. {title}\n")
        out.write(f"   {' · '.join(facts)} · id {hit.id}\n")
        out.write(f"   {hit.url}\n   replay {hit.replay_url}\n")
        out.write(f"   {render_marks(hit.snippet_marked, start, end)}\n\n")
    total = len(hits)
    if total == args.limit:  # there may be more than were shown
        total = count(
            path,
            args.text,
            date_from=date_from,
            date_to=date_to,
            author=args.author,
            exact=args.exact,
        )
    print(match_line(total, len(hits), args.text), file=sys.stderr)
    return EXIT_OK


def match_line(total: int, shown: int, text: str) -> str:
    """``106 articles match 'pelatihan'; showing the first 3 (--limit)``."""
    noun = "article matches" if total == 1 else "articles match"
    line = f"{total} {noun} {text!r}"
    if shown < total:
        line += f"; showing the first {shown} (raise --limit for more)"
    return line
