"""Plain-text helpers: whitespace normalization and the dateline.

A dateline opens the first paragraph of a news text: ``Jakarta – 9/12/2021,``
(ANRI), ``Mataram, NTB (ANTARA News) -``, ``TEMPO.CO, Jakarta -``,
``ISTANBUL, 23 Februari 2016 (Antara/PRNewswire) --``. Its place is the
article's `place`; its date is the publication dateline, never an event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.extract.datescan import Expr, scan
from crawler.extract.patterns import AGENCY_RE, ZERO_WIDTH_RE


def squash(text: str) -> str:
    """Runs of whitespace (incl. ``&nbsp;`` and zero-width spaces) -> one space, trimmed."""
    return " ".join(ZERO_WIDTH_RE.sub("", text).split())


#: The dash that ends a dateline head, within its first 100 characters.
_DASH_RE = re.compile(r"\s*(?:[–—]+|\s-{1,2})(?:\s+|$)|\s+[–—]+\s*")
_PARENS_RE = re.compile(r"\([^)]{0,60}\)")
_NAMEISH_RE = re.compile(r"^(?:[A-Z0-9][\w.'’&/-]*|dan|di)(?:\s+(?:[A-Z0-9][\w.'’&/-]*|dan|di))*$")


@dataclass(slots=True, frozen=True)
class Dateline:
    """The dateline at the start of a text."""

    place: str | None
    #: The date expression written in the dateline, if any.
    date: Expr | None
    #: Where the article text proper begins.
    end: int


def _segments(head: str) -> list[str]:
    return [s.strip() for s in _PARENS_RE.sub(",", head).split(",") if s.strip()]


def find_dateline(text: str) -> Dateline | None:
    """The dateline that opens *text* (its first paragraph), or None."""
    first = text.split("\n", 1)[0]
    dash = _DASH_RE.search(first, 0, 110)
    if dash is None or dash.start() < 2:
        return None
    head = first[: dash.start()]
    rest_start = dash.end()
    # ANRI: ``Jakarta – 9/12/2021, Biro ...``: the date after the dash.
    after = scan(first[rest_start : rest_start + 40])
    if after and after[0].start == 0 and after[0].last is None and after[0].first.time is None:
        tail = first[rest_start + after[0].end : rest_start + after[0].end + 2]
        if tail.startswith(","):
            town = head.strip()
            if _NAMEISH_RE.match(town) and len(town) <= 40:
                e = after[0]
                shifted = Expr(e.start + rest_start, e.end + rest_start, e.first)
                end = rest_start + e.end + 1
                while end < len(first) and first[end] == " ":
                    end += 1
                return Dateline(town, shifted, end)
    # Wire style: ``PLACE, AGENCY -`` / ``AGENCY, PLACE -`` / ``PLACE, DATE (AGENCY) --``.
    if len(head) > 90 or (any(ch in head for ch in ".!?") and not AGENCY_RE.search(head)):
        return None
    dates = scan(head)
    date_expr = dates[0] if dates else None
    head_wo_date = head
    for d in reversed(dates):
        head_wo_date = head_wo_date[: d.start] + head_wo_date[d.end :]
    place: str | None = None
    for segment in _segments(head_wo_date):
        if not _NAMEISH_RE.match(segment) or len(segment.split()) > 5:
            return None
        if place is None and not AGENCY_RE.search(segment):
            place = segment
    if place is None and date_expr is None:
        return None
    opener = first[rest_start : rest_start + 1]
    if opener and not (opener.isupper() or opener.isdigit() or opener in "\"“'‘"):
        return None
    if date_expr is None and not AGENCY_RE.search(head) and len(head.split()) > 3:
        return None
    return Dateline(place, date_expr, rest_start)
