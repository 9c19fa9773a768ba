"""`parse_date`: one date, time, range or relative phrase -> ISO 8601.

The regex fast path (`datescan`) reads the forms Indonesian pages use; relative
phrases (``kemarin``, ``3 hari yang lalu``, ``1 jam lagi``) and bare durations
(``5 minggu`` -> ``P5W``) come next; dateparser is the last resort, imported
only then, and its answer is dropped when it invents what the text does not
say (a date for a bare time, a year for a day and month).

Relative phrases resolve against *reference*: a `date` means that day at
00:00 (so ``2 jam lalu`` on 2021-12-09 is ``2021-12-08T22:00:00``), a
`datetime` means that moment (its offset is kept). Phrases in days, weeks,
months or years give a date (``YYYY-MM-DD``), phrases in hours, minutes or
seconds give a date and time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from crawler.extract import datepatterns as pat  # its relative patterns compile on first use
from crawler.extract.datepatterns import MONTHS, RELATIVE_WORDS, UNITS
from crawler.extract.datescan import format_moment, resolve, scan

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Any

DateValue = str | dict[str, str | None] | None

_SPACES_RE = re.compile(r"\s+")
_YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_WORD_RE = re.compile(r"[a-z]+")
_BARE_TIME_RE = re.compile(r"([01]\d|2[0-3])[.:]([0-5]\d)")
#: Words that make a text worth handing to dateparser (with or without a month name).
_RELATIVE_HINTS = frozenset(
    ("lalu", "ago", "depan", "lagi", "kemarin", "besok", "lusa", "yesterday", "tomorrow",
     "last", "next", "week", "month", "year")
)  # fmt: skip


def _today() -> date:
    return date.today()


def _shift_months(day: date, months: int) -> date:
    """*day* moved by whole months, clamped to the month's last day (31 Jan + 1 -> 28 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    following = date(year + (month0 == 11), (month0 + 1) % 12 + 1, 1)
    last = (following - timedelta(days=1)).day
    return date(year, month0 + 1, min(day.day, last))


def _count(m: re.Match[str]) -> int:
    if m["n"]:
        return int(m["n"])
    return 1  # ``se-`` (sehari, seminggu) or ``a``/``an``/``one``


def _moment(reference: date | datetime) -> datetime:
    if isinstance(reference, datetime):
        return reference
    return datetime(reference.year, reference.month, reference.day)


def _iso_datetime(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def _apply(reference: date | datetime, amount: int, unit: str) -> str:
    designator, is_time = UNITS[unit.lower()]
    if is_time:
        seconds = {"H": 3600, "M": 60, "S": 1}[designator] * amount
        return _iso_datetime(_moment(reference) + timedelta(seconds=seconds))
    day = reference.date() if isinstance(reference, datetime) else reference
    if designator == "D":
        return (day + timedelta(days=amount)).isoformat()
    if designator == "W":
        return (day + timedelta(weeks=amount)).isoformat()
    if designator == "M":
        return _shift_months(day, amount).isoformat()
    return _shift_months(day, 12 * amount).isoformat()


def parse_relative(text: str, reference: date | datetime) -> str | None:
    """A relative phrase (``kemarin``, ``3 minggu yang lalu``, ``dalam 43 menit``)
    as an ISO date or date-time relative to *reference*; None otherwise."""
    t = _SPACES_RE.sub(" ", text.strip().lower())
    if t in RELATIVE_WORDS:
        days = RELATIVE_WORDS[t]
        if days is None:
            return _iso_datetime(_moment(reference))
        day = reference.date() if isinstance(reference, datetime) else reference
        return (day + timedelta(days=days)).isoformat()
    m = pat.RELATIVE_PAST_RE.match(t)
    if m:
        return _apply(reference, -_count(m), m["unit"])
    m = pat.RELATIVE_IN_RE.match(t) or pat.RELATIVE_AHEAD_RE.match(t)
    if m:
        return _apply(reference, _count(m), m["unit"])
    return None


def parse_duration(text: str) -> str | None:
    """A bare amount of time (``5 minggu``, ``3 jam``) as an ISO 8601 duration."""
    m = pat.DURATION_RE.match(_SPACES_RE.sub(" ", text.strip()))
    if not m:
        return None
    designator, is_time = UNITS[m["unit"].lower()]
    return f"PT{m['n']}{designator}" if is_time else f"P{m['n']}{designator}"


def _fallback(text: str, reference: date | datetime) -> str | None:
    """dateparser, kept only when the text itself says day, month and year."""
    words = set(_WORD_RE.findall(text.lower()))
    if not (words & MONTHS.keys() or words & _RELATIVE_HINTS):
        return None  # numbers alone (3.14, 1/3, 09.00): dateparser would invent a date
    import dateparser  # noqa: PLC0415 - start-up time: importing it costs ~100 ms

    settings: dict[str, Any] = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": _moment(reference).replace(tzinfo=None),
        "REQUIRE_PARTS": ["day", "month"],
    }
    try:
        found: datetime | None = dateparser.parse(text, languages=["id", "en"], settings=settings)
    except (ValueError, OverflowError):
        return None
    if found is None:
        return None
    years = {int(y) for y in _YEAR_RE.findall(text)}
    ref_year = reference.year
    if (years and found.year not in years) or (not years and found.year != ref_year):
        return None
    if not re.search(r"\d[.:]\d\d", text):
        return found.date().isoformat()
    offset = found.strftime("%z")
    zone = f"{offset[:3]}:{offset[3:]}" if offset else None
    return format_moment(found.date(), (found.hour, found.minute, found.second), zone)


def parse_date(
    text: str, reference: date | datetime | None = None, dayfirst: bool = True
) -> DateValue:
    """Read one date, time, range or relative phrase from *text*.

    Returns an ISO 8601 string (``2021-12-09``, ``2021-12-09T09:00:00+07:00``,
    naive ``...T09:00:00`` when no zone is written, or a duration such as
    ``P5W``), ``{"start", "end"}`` for a range (``end`` None for an open
    end such as ``s.d. selesai``), or None. *reference* (default: today)
    supplies a missing year, the date of a bare time and the base of relative
    phrases; *dayfirst* reads ``9/12/2021`` as 9 December.
    """
    ref = _today() if reference is None else reference
    ref_day = ref.date() if isinstance(ref, datetime) else ref
    clean = _SPACES_RE.sub(" ", text).strip()
    if not clean:
        return None
    exprs = scan(clean, short_years=True, dayfirst=dayfirst)
    bare = _BARE_TIME_RE.fullmatch(clean)
    if not exprs and bare:  # "09.00" alone is a time (in prose it could be a decimal)
        return format_moment(ref_day, (int(bare[1]), int(bare[2]), 0), None)
    if exprs:
        expr = exprs[0]
        value = resolve(expr, ref_day, ref_day, None)
        if value is None:
            return None
        start, end = value
        if expr.last is None and not expr.open_end and end is None:
            return start
        return {"start": start, "end": end}
    stripped = pat.LEADING_WORDS_RE.sub("", clean)
    relative = parse_relative(clean, ref) or parse_relative(stripped, ref)
    if relative is not None:
        return relative
    duration = parse_duration(stripped)
    if duration is not None:
        return duration
    return _fallback(clean, ref)
