"""The publication date: what the article shows, cross-checked with its metadata.

Sources, best first: the visible date of the article's own container (the
profile's date element, else the dated line nearest the title outside the
body: a date block, ``<time>``, a byline line), then JSON-LD
``datePublished``, then meta tags, then the dateline. Metadata can lie (a
false ``Z``, a dash in the time, a wrong zone), so when it disagrees with the
visible date the visible one wins and the disagreement is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from crawler.extract.dates import parse_relative
from crawler.extract.datescan import Expr, Time, complete_date, format_moment, scan
from crawler.extract.dom import Line
from crawler.extract.meta import DATE_META_KEYS, PageMeta
from crawler.extract.patterns import UPDATED_RE


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
    if expr.invalid or p.date is None or p.date.year is None or p.month_only:
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


#: How many lines past a date-only line a time for the same day may be written
#: (a lead ``Senin (4/5/2020)`` above the date block ``Senin, 4 Mei 2020 04:25 WIB``).
_TIME_LOOKAHEAD = 4


def _line_stamp(lines: list[Line], i: int) -> Stamp | None:
    text = lines[i].text
    if UPDATED_RE.match(text):  # "Diperbarui 20 Des 2021, 13:04 WIB": the update
        return None
    return stamp_from_text(text, "visible", short_years=len(text) <= 24)


def visible_stamp(lines: list[Line], title_index: int | None, skip: set[int]) -> Stamp | None:
    """The dated line nearest the title (after it on a tie), ignoring lines in *skip*,
    the headline itself (``Update 23 Januari 2021: ...``) and update lines. A date
    without a time gives way to the same day with its time a few lines further."""
    anchor = title_index if title_index is not None else 0
    if title_index is not None:
        skip = skip | {title_index}
    for distance in range(len(lines)):
        for i in (anchor + distance, anchor - distance) if distance else (anchor,):
            if 0 <= i < len(lines) and i not in skip:
                found = _line_stamp(lines, i)
                if found is None:
                    continue
                if found.time is None:
                    step = 1 if i >= anchor else -1
                    for j in range(i + step, i + step * (_TIME_LOOKAHEAD + 1), step):
                        if 0 <= j < len(lines) and j not in skip:
                            timed = _line_stamp(lines, j)
                            if timed and timed.time is not None and timed.day == found.day:
                                return timed
                return found
    return None


_SEGMENTS_RE = re.compile(r"\s*[|•·]\s*")
#: Labels before a relative phrase (``Diposting 2 jam yang lalu``).
_RELATIVE_LABEL_RE = re.compile(
    r"^(?:diposting|dipublikasikan|diterbitkan|posted|published|terbit|update)\s*[:：]?\s*",
    re.IGNORECASE,
)
_RELATIVE_WINDOW = 4
_ISO_MOMENT_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d):(\d\d)([+-]\d\d:\d\d)?)?$")


def capture_time(value: str | datetime | None) -> datetime | None:
    """The capture time (WARC-Date, ``2021-12-09T03:15:00Z``) as an aware datetime, or None."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def relative_stamp(lines: list[Line], title_index: int | None, captured: datetime) -> Stamp | None:
    """``2 jam yang lalu`` / ``kemarin`` by the headline, counted from *captured*
    (the capture time, with its zone): the page said it at capture time."""
    anchor = title_index if title_index is not None else 0
    for i in range(max(0, anchor - 1), min(len(lines), anchor + _RELATIVE_WINDOW + 1)):
        if len(lines[i].text) > 60:
            continue
        for segment in _SEGMENTS_RE.split(lines[i].text):
            value = parse_relative(_RELATIVE_LABEL_RE.sub("", segment.strip()), captured)
            m = _ISO_MOMENT_RE.match(value or "")
            if not m:
                continue
            day = date(int(m[1]), int(m[2]), int(m[3]))
            if m[4] is None:
                return Stamp("relative", day)
            return Stamp("relative", day, (int(m[4]), int(m[5]), int(m[6])), m[7])
    return None


def in_zone(stamp: Stamp, offset: str | None) -> Stamp:
    """*stamp* (with a time and an offset) moved to *offset*'s wall clock."""
    if offset is None or stamp.time is None or stamp.offset is None or stamp.offset == offset:
        return stamp
    instant = _instant(stamp, None)
    if instant is None:
        return stamp
    sign = -1 if offset[0] == "-" else 1
    local = instant + sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    return Stamp(stamp.source, local.date(), (local.hour, local.minute, local.second), offset)


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
