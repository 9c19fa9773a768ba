"""`event_times`: the dates, times and ranges an article body mentions.

Rules (docs/fields.md): every time, time range, date range or full date in
the body, in order; `text` is the exact substring from the first token
(weekday, date, ``pukul``/``jam`` or time) to the last (zone, ``selesai``);
the dateline's own date is not an event but is the date of later bare times;
a time's date is the one written with it, else the latest date mentioned
before it, else the published date; a missing year comes from the published
date; the zone written (once after a range: both ends), else the profile's.
"""

from __future__ import annotations

from datetime import date

from crawler.extract.datescan import Expr, complete_date, resolve, scan
from crawler.extract.model import EventTime
from crawler.extract.text import find_dateline


def _published_day(published: str | None) -> date | None:
    if not published or len(published) < 10:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def _ends_on_date(expr: Expr) -> bool:
    if expr.last is not None:
        return expr.last.date is not None
    return expr.first.date is not None and expr.first.date.day_end is not None


def find_event_times(body_text: str, published: str | None, offset: str | None) -> list[EventTime]:
    """Events written in *body_text* (the normalized `body` field).

    *published* is the article's ISO publication date (missing years, and
    the date of a time when the body names none before it); *offset* is the
    profile's zone (``+07:00``) for times written without one, or None.
    """
    if not body_text:
        return []
    pub_day = _published_day(published)
    latest: date | None = None
    dateline = find_dateline(body_text)
    skip: tuple[int, int] | None = None
    if dateline is not None and dateline.date is not None:
        skip = (dateline.date.start, dateline.date.end)
        part = dateline.date.first.date
        if part is not None:
            latest = complete_date(part, pub_day)
    events: list[EventTime] = []
    for expr in scan(body_text, strict_case=True):
        if skip is not None and expr.start >= skip[0] and expr.end <= skip[1]:
            continue
        if expr.invalid or expr.first.month_only:
            continue
        context = latest or pub_day
        value = resolve(expr, context, pub_day or latest, offset)
        if value is None:
            continue
        start, end = value
        events.append(EventTime(start=start, end=end, text=body_text[expr.start : expr.end]))
        if expr.dates:
            # The last date written here is the date of the times that follow.
            latest = date.fromisoformat(
                (end if end is not None and _ends_on_date(expr) else start)[:10]
            )
    return events
