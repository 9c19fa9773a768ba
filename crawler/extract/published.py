"""The publication date: what the article shows, cross-checked with its metadata.

Sources, best first: the visible date of the article's own container (the
profile's date element, else the dated line nearest the title outside the
body: a date block, ``<time>``, a byline line), then JSON-LD
``datePublished``, then meta tags, then the dateline. Metadata can lie (a
false ``Z``, a dash in the time, a wrong zone), so when it disagrees with the
visible date the visible one wins and the disagreement is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from crawler.extract.datescan import Expr, Time, complete_date, format_moment, scan
from crawler.extract.dom import Line
from crawler.extract.meta import DATE_META_KEYS, PageMeta


@dataclass(slots=True, frozen=True)
class Stamp:
    """A publication moment as one source gives it."""

    source: str
    day: date
    time: Time | None = None
    #: The offset written (a zone or a numeric offset); None when none is.
    offset: str | None = None

    def iso(self, default_offset: str | None) -> str:
        """ISO 8601 at the precision shown; the default zone for a time written without one."""
        offset = (self.offset or default_offset) if self.time else None
        return format_moment(self.day, self.time, offset)


def _stamp(expr: Expr, source: str) -> Stamp | None:
    p = expr.first
    if expr.invalid or p.date is None or p.date.year is None:
        return None
    day = complete_date(p.date, None)
    return Stamp(source, day, p.time, p.offset) if day else None


def stamp_from_text(text: str, source: str, short_years: bool = False) -> Stamp | None:
    """The first full date (day, month, year) written in *text*, with its time."""
    for expr in scan(text, short_years=short_years):
        found = _stamp(expr, source)
        if found is not None:
            return found
    return None


def visible_stamp(lines: list[Line], title_index: int | None, skip: set[int]) -> Stamp | None:
    """The dated line nearest the title (after it on a tie), ignoring lines in *skip*."""
    anchor = title_index if title_index is not None else 0
    for distance in range(len(lines)):
        for i in (anchor + distance, anchor - distance) if distance else (anchor,):
            if 0 <= i < len(lines) and i not in skip:
                text = lines[i].text
                found = stamp_from_text(text, "visible", short_years=len(text) <= 24)
                if found is not None:
                    return found
    return None


def meta_stamps(meta: PageMeta) -> list[Stamp]:
    """JSON-LD ``datePublished`` and meta-tag dates, in that order."""
    found: list[Stamp] = []
    value = meta.ld("datePublished")
    if isinstance(value, str):
        stamp = stamp_from_text(value, "jsonld")
        if stamp:
            found.append(stamp)
    for key in DATE_META_KEYS:
        value = meta.tags.get(key)
        if value:
            stamp = stamp_from_text(value, "meta")
            if stamp:
                found.append(stamp)
                break
    return found


def _instant(stamp: Stamp, default_offset: str | None) -> datetime | None:
    if stamp.time is None:
        return None
    offset = stamp.offset or default_offset
    moment = datetime(stamp.day.year, stamp.day.month, stamp.day.day, *stamp.time)
    if offset is None:
        return moment
    sign = -1 if offset[0] == "-" else 1
    delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])) * sign
    return moment - delta  # naive UTC


def agrees(shown: Stamp, claimed: Stamp, default_offset: str | None) -> bool:
    """Whether *claimed* (metadata) says the same moment as *shown*, at *shown*'s precision."""
    if shown.time is None or claimed.time is None:
        if claimed.time is not None and claimed.offset and (shown.offset or default_offset):
            local = _instant(claimed, None)
            target = shown.offset or default_offset or "+00:00"
            sign = -1 if target[0] == "-" else 1
            if local is not None:
                moved = local + sign * timedelta(hours=int(target[1:3]), minutes=int(target[4:6]))
                return moved.date() == shown.day
        return shown.day == claimed.day
    a, b = _instant(shown, default_offset), _instant(claimed, default_offset)
    if a is None or b is None:
        return False
    if (shown.offset or default_offset) is None or claimed.offset is None:
        # Naive on one side: compare wall clocks.
        a = datetime(shown.day.year, shown.day.month, shown.day.day, *shown.time)
        b = datetime(claimed.day.year, claimed.day.month, claimed.day.day, *claimed.time)
    return abs((a - b).total_seconds()) < 60


def choose(
    visible: Stamp | None, claims: list[Stamp], dateline: Stamp | None, default_offset: str | None
) -> tuple[Stamp | None, list[str]]:
    """The publication stamp and the sources that disagree with it."""
    winner = visible or (claims[0] if claims else None) or dateline
    if winner is None:
        return None, []
    disagree = [
        c.source for c in claims if c is not winner and not agrees(winner, c, default_offset)
    ]
    return winner, disagree
