"""`arsip parse-date TEXT... [--reference DATE]`: read dates as Indonesians write them.

One JSON line per TEXT: {"text": ..., "value": ...} where value is an ISO
8601 string (``2021-12-09``, ``2021-12-09T09:00:00+07:00``, naive without a
zone, or a duration such as ``P5W``), {"start", "end"} for a range (end null
when open: ``s.d. selesai``), or null when the text is not a date.

--reference (default: today) supplies a missing year (``Senin (15/2)``), the
date of a bare time (``pukul 10.21``) and the base of relative phrases
(``kemarin``, ``3 hari yang lalu``, ``1 jam lagi``). A date reference means
that day at 00:00: phrases in days or longer give a date, phrases in hours,
minutes or seconds a date and time. Give YYYY-MM-DDTHH:MM[:SS][+HH:MM] to
count from a moment instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime

from arsip.errors import EXIT_OK, EXIT_USAGE, UserError
from crawler.extract.dates import parse_date


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``parse-date`` subcommand."""
    parser = subparsers.add_parser(
        "parse-date",
        help="parse Indonesian/English dates, times, ranges and relative phrases to ISO 8601",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("texts", nargs="+", metavar="TEXT", help="a date as written (quote it)")
    parser.add_argument(
        "--reference",
        metavar="YYYY-MM-DD",
        help="the day (or moment) that fills a missing year and anchors relative phrases",
    )
    parser.add_argument(
        "--month-first",
        action="store_true",
        help="read 9/12/2021 as September 12 (default: day first, 9 December)",
    )
    parser.set_defaults(func=run)


def reference_from(text: str | None) -> date | datetime | None:
    """The --reference value: a date, a datetime, or None (today)."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"--reference {text!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]",
            EXIT_USAGE,
        ) from None


def run(args: argparse.Namespace) -> int:
    """Print one {"text", "value"} JSON line per TEXT."""
    reference = reference_from(args.reference)
    for text in args.texts:
        value = parse_date(text, reference, dayfirst=not args.month_first)
        sys.stdout.write(json.dumps({"text": text, "value": value}, ensure_ascii=False) + "\n")
    return EXIT_OK
