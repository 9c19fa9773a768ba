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

``--from``/``--to`` (YYYY-MM-DD, inclusive) filter on the publication date,
``--author`` on the author (part of the name, any case). ``--format json``
prints the hits as a JSON array.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from typing import TextIO

from arsip.commands.query import add_dataset_options, dataset_path
from arsip.errors import EXIT_OK, EXIT_USAGE, UserError

ANSI_START = "\x1b[1;33m"
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
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise UserError(f"{option} {value!r} is not a date; use YYYY-MM-DD", EXIT_USAGE) from None


def _marks(color: str, out: TextIO) -> tuple[str, str]:
    """Highlight marks for *out*: ANSI on a terminal (``auto``), brackets otherwise."""
    use_ansi = color == "always" or (
        color == "auto" and out.isatty() and not os.environ.get("NO_COLOR")
    )
    return (ANSI_START, ANSI_END) if use_ansi else ("[", "]")


def run(args: argparse.Namespace) -> int:
    """Print the ranked hits."""
    from pipelines.db.search import render_marks, search  # noqa: PLC0415 - start-up time: arsip --help loads every command

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
    noun = "article" if len(hits) == 1 else "articles"
    more = f" (the first {args.limit}; raise --limit for more)" if len(hits) == args.limit else ""
    print(f"{len(hits)} {noun} match {args.text!r}{more}", file=sys.stderr)
    return EXIT_OK
