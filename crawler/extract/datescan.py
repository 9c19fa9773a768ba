"""Find date, time and range expressions in text (the regex fast path).

`scan(text)` returns `Expr` objects: a point (date, time or both) or a range
of two points, with the exact span written in the text. Nothing here
guesses: a string that is not written as a date or time (percentages,
thousands, bare years, phone and version numbers) never becomes one. The
interpretation into ISO strings (missing years, zones) is in `resolve`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from crawler.extract.datepatterns import (
    ATOM_RE,
    DATE_TIME_GAP_RE,
    DAY_PARTS,
    EN_MONTHS,
    LOCAL_TIME_RE,
    MONTHS,
    OPEN_END_RE,
    RANGE_GAP_RE,
    TIME_DATE_GAP_RE,
    WEEKDAYS,
    ZONE_OFFSETS,
)

Time = tuple[int, int, int]

_APOSTROPHES = str.maketrans("", "", "'’`")
_OFFSET_RE = re.compile(r"([+-])(\d{2}):?(\d{2})")


class _Record:  # noqa: PLW1641 - each subclass says whether it is hashable
    """`__eq__` and `__repr__` over the `__slots__`, as `@dataclass` would write them.

    Hand-written rather than `@dataclass`: importing dataclasses (and the
    inspect module it needs) costs ~9 ms, half of `parse_date`'s cold start.
    """

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Record) and other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__qualname__}({fields})"


class DatePart(_Record):
    """A calendar date as written; `year` None when the text leaves it out (immutable)."""

    __slots__ = ("day", "month", "year", "weekday", "day_end")  # noqa: RUF023 - field order
    day: int
    month: int
    year: int | None
    weekday: int | None
    #: Last day of ``22-24 November``.
    day_end: int | None

    def __init__(
        self,
        day: int,
        month: int,
        year: int | None,
        weekday: int | None = None,
        day_end: int | None = None,
    ) -> None:
        setter = object.__setattr__
        setter(self, "day", day)
        setter(self, "month", month)
        setter(self, "year", year)
        setter(self, "weekday", weekday)
        setter(self, "day_end", day_end)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: DatePart is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: DatePart is immutable")

    def __hash__(self) -> int:
        return hash(self._values())


class Point(_Record):
    """A date, a time, or a date with its time, as written at text[start:end]."""

    __slots__ = (  # noqa: RUF023 - field order (constructor, repr, ==)
        "start", "end", "date", "time", "offset", "strong", "two_digit_hour", "invalid",
        "month_only", "next_day",
    )  # fmt: skip
    start: int
    end: int
    date: DatePart | None
    time: Time | None
    #: UTC offset of the zone written with the time.
    offset: str | None
    #: Surely a time (``pukul``, a zone, ``HH:MM``, or written after a date).
    strong: bool
    #: Two-digit hour (``09.00``), used to accept a range of bare dotted times.
    two_digit_hour: bool
    #: Written as an impossible date (``4/11/205``): never a value.
    invalid: bool
    #: A month and year alone (``Maret 2022``): the day is not written.
    month_only: bool
    #: ``pukul 24.00``: midnight at the end of the day, 00:00 of the next.
    next_day: bool

    __hash__ = None  # type: ignore[assignment]  # mutable: unhashable, as an eq dataclass

    def __init__(  # noqa: PLR0917 - positional, as the dataclass it replaces
        self,
        start: int,
        end: int,
        date: DatePart | None = None,
        time: Time | None = None,
        offset: str | None = None,
        strong: bool = True,
        two_digit_hour: bool = False,
        invalid: bool = False,
        month_only: bool = False,
        next_day: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.date = date
        self.time = time
        self.offset = offset
        self.strong = strong
        self.two_digit_hour = two_digit_hour
        self.invalid = invalid
        self.month_only = month_only
        self.next_day = next_day


class Expr(_Record):
    """A point, or a range from `first` to `last` (open when `open_end`)."""

    __slots__ = ("start", "end", "first", "last", "open_end", "local")  # noqa: RUF023
    start: int
    end: int
    first: Point
    last: Point | None
    open_end: bool
    #: ``waktu setempat`` follows: the default zone does not apply.
    local: bool

    __hash__ = None  # type: ignore[assignment]  # mutable: unhashable, as an eq dataclass

    def __init__(  # noqa: PLR0917 - positional, as the dataclass it replaces
        self,
        start: int,
        end: int,
        first: Point,
        last: Point | None = None,
        open_end: bool = False,
        local: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.first = first
        self.last = last
        self.open_end = open_end
        self.local = local

    @property
    def invalid(self) -> bool:
        return self.first.invalid or (self.last is not None and self.last.invalid)

    @property
    def dates(self) -> list[DatePart]:
        """The dates written in this expression, in order."""
        return [p.date for p in (self.first, self.last) if p is not None and p.date is not None]


def _year(text: str | None, two_digit: bool) -> int | None:
    """Year as written; -1 marks an impossible one (``205``)."""
    if not text:
        return None
    if len(text) == 2 and two_digit:
        value = int(text)
        return 2000 + value if value < 70 else 1900 + value
    if len(text) != 4:
        return -1
    value = int(text)
    return value if 1800 <= value <= 2200 else -1


def _weekday(text: str | None) -> int | None:
    if not text:
        return None
    return WEEKDAYS.get(text.lower().translate(_APOSTROPHES))


def _zone(text: str | None) -> str | None:
    if not text:
        return None
    text = text.strip()
    named = ZONE_OFFSETS.get(text.lower())
    if named:
        return named
    m = _OFFSET_RE.fullmatch(text)
    return f"{m[1]}{m[2]}:{m[3]}" if m else None


def _check_day(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _atom(m: re.Match[str], short_years: bool, strict_case: bool, dayfirst: bool) -> Point | None:
    """One regex match as a Point, or None when it is not a date/time after all."""
    kind = m.lastgroup
    start, end = m.span()
    if kind == "iso":
        iso_year, month, day = int(m["iy"]), int(m["im"]), int(m["id"])
        dp = DatePart(day, month, iso_year)
        invalid = not _check_day(day, month) or not 1800 <= iso_year <= 2200
        if m["ih"] is None:
            return Point(start, end, date=dp, invalid=invalid)
        hh = int(m["ih"])
        t = (hh, int(m["imi"]), int(m["is"] or 0))
        return Point(start, end, dp, t, _zone(m["iz"]), invalid=invalid or hh > 23)
    if kind == "tdate":
        if strict_case and not m["mon"][0].isupper():
            return None
        month = MONTHS[m["mon"].lower()]
        year_text = m["y"]
        if m["y2"] and not short_years:
            end = m.end("mon") + (1 if m.group(0)[m.end("mon") - start :].startswith(".") else 0)
        elif m["y2"]:
            year_text = m["y2"]
        year = _year(year_text, two_digit=True)
        d1 = int(m["d1"])
        d2 = int(m["d2"]) if m["d2"] else None
        ok = _check_day(d1, month) and (d2 is None or (_check_day(d2, month) and d2 > d1))
        dp = DatePart(d1, month, year, _weekday(m["wd"]), d2)
        return Point(start, end, date=dp, invalid=not ok or year == -1)
    if kind == "mdate":
        if strict_case and not m["mon2"][0].isupper():
            return None
        month_word = m["mon2"].lower()
        month = MONTHS[month_word]
        if m["y4"]:  # "Maret 2022": a month and a year
            year = _year(m["y4"], two_digit=False)
            dp = DatePart(1, month, year, _weekday(m["wd"]))
            return Point(start, end, date=dp, invalid=year == -1, month_only=True)
        # "Juni 16": only English names come first, unless a year follows: "Juli 14,
        # 2021" is WordPress's default "F j, Y" with Indonesian month names
        if month_word not in EN_MONTHS and not m["y3"]:
            return None
        day = int(m["d3"])
        year = _year(m["y3"], two_digit=False)
        dp = DatePart(day, month, year, _weekday(m["wd"]))
        return Point(start, end, date=dp, invalid=not _check_day(day, month) or year == -1)
    if kind == "ndate":
        has_year = m["ny"] is not None
        # Without a year only ``(26/11)`` or ``Jumat (6/11)`` is a date
        # (``1/3 trafik`` is a fraction); dashes need a year (``3-4 orang``).
        if not has_year and (m["ns"] == "-" or not (m["np"] or m["wd"])):
            return None
        a, b = int(m["nd"]), int(m["nm"])
        day, month = (a, b) if dayfirst else (b, a)
        year = _year(m["ny"], two_digit=True)
        dp = DatePart(day, month, year, _weekday(m["wd"]))
        return Point(start, end, date=dp, invalid=not _check_day(day, month) or year == -1)
    if kind == "time":
        hh, mm = int(m["hh"]), int(m["mm"])
        ampm = (m["ampm"] or "").lower()[:1]
        if ampm and not 1 <= hh <= 12:
            return None
        if ampm:
            hh = hh % 12 + (12 if ampm == "p" else 0)
        next_day = hh == 24 and mm == 0 and not m["ss"]  # "pukul 24.00": midnight
        if hh > 23 and not next_day:
            return None
        zone = _zone(m["zone"] or m["tzoff"])
        strong = bool(m["tpre"] or zone or ampm or (m["tsep"] == ":" and len(m["hh"]) == 2))
        t = (0 if next_day else hh, mm, int(m["ss"] or 0))
        return Point(
            start, end, time=t, offset=zone, strong=strong, two_digit_hour=len(m["hh"]) == 2,
            next_day=next_day,
        )  # fmt: skip
    if kind == "hour":
        if not (m["pday"] or m["pzone"]):
            return None
        hh = int(m["ph"])
        shift = DAY_PARTS.get((m["pday"] or "").lower(), 0)
        if shift and hh < 12:
            hh += shift
        return Point(start, end, time=(hh, 0, 0), offset=_zone(m["pzone"]))
    return None  # pragma: no cover - every group is handled above


_DIGITS_RE = re.compile(r"\d+")
#: Every atom has a digit; this much text before its first digit and after its last
#: is enough to hold the rest. Before: a weekday, a month and ``tahun``
#: (``Wednesday, September tahun 2021``: 27 characters, 30 with slack). After: a
#: suffix and a month (``21st sepetember.``: 14), a part of the day and a zone
#: (``pukul 5 petang WITA``: 12), with slack for the lookaheads that follow.
_BEFORE, _AFTER = 30, 18


def _windows(text: str) -> list[tuple[int, int]]:
    """Stretches of *text* around its digits: the regex never runs over plain prose."""
    windows: list[tuple[int, int]] = []
    for m in _DIGITS_RE.finditer(text):
        start, end = max(0, m.start() - _BEFORE), min(len(text), m.end() + _AFTER)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _points(text: str, short_years: bool, strict_case: bool, dayfirst: bool) -> list[Point]:
    atoms: list[Point] = []
    for start, end in _windows(text):
        for m in ATOM_RE.finditer(text, start, end):
            point = _atom(m, short_years, strict_case, dayfirst)
            if point is not None:
                atoms.append(point)
    points: list[Point] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        nxt = atoms[i + 1] if i + 1 < len(atoms) else None
        if (
            a.date is not None
            and a.time is None
            and a.date.day_end is None
            and nxt is not None
            and nxt.date is None
            and nxt.time is not None
            and DATE_TIME_GAP_RE.fullmatch(text, a.end, nxt.start)
        ):
            points.append(
                Point(a.start, nxt.end, a.date, nxt.time, nxt.offset, True, nxt.two_digit_hour,
                      a.invalid, next_day=nxt.next_day)
            )  # fmt: skip
            i += 2
            continue
        if (
            a.date is None
            and a.time is not None
            and a.strong
            and nxt is not None
            and nxt.date is not None
            and nxt.time is None
            and not nxt.month_only
            and nxt.date.day_end is None
            and TIME_DATE_GAP_RE.fullmatch(text, a.end, nxt.start)
        ):  # "09:41 pm Mar 3, 2022", "pukul 10.00 WIB, Senin (13/12)"
            points.append(
                Point(a.start, nxt.end, nxt.date, a.time, a.offset, True, a.two_digit_hour,
                      nxt.invalid, next_day=a.next_day)
            )  # fmt: skip
            i += 2
            continue
        points.append(a)
        i += 1
    return points


def _compatible(p: Point, q: Point) -> bool:
    if p.month_only or q.month_only:
        return False
    if p.time is None and q.time is None:
        return p.date is not None and q.date is not None and p.date.day_end is None
    return p.time is not None and q.time is not None


def outside(text: str, exprs: list[Expr]) -> str:
    """*text* without the expressions *exprs* (from `scan` of *text*)."""
    starts = (*(e.start for e in exprs), len(text))
    ends = (0, *(e.end for e in exprs))
    return "".join(text[a:b] for a, b in zip(ends, starts, strict=True))


def scan(
    text: str, *, short_years: bool = False, strict_case: bool = False, dayfirst: bool = True
) -> list[Expr]:
    """Every date/time expression in *text*, in order of appearance.

    *short_years* reads ``Dec 21`` as December 2021 (a date block, not prose);
    *strict_case* wants month names capitalized as in edited prose (so that
    English ``may`` is not May). Bare times such as ``10.00`` count only in a
    range of two-digit times or next to ``pukul``/``jam``, a zone or a date.
    """
    points = _points(text, short_years, strict_case, dayfirst)
    exprs: list[Expr] = []
    j = 0
    while j < len(points):
        p = points[j]
        q = points[j + 1] if j + 1 < len(points) else None
        if q is not None and _compatible(p, q) and RANGE_GAP_RE.fullmatch(text, p.end, q.start):
            expr = Expr(p.start, q.end, p, q)
            j += 2
            weak = p.time is not None and not (p.strong or q.strong)
            if weak and not (p.two_digit_hour and q.two_digit_hour):
                continue  # "1.5 - 2.5": decimals, not a time range
            p.strong = q.strong = True
        else:
            j += 1
            open_end = OPEN_END_RE.match(text, p.end) if p.time is not None else None
            if p.time is not None and not p.strong and open_end is None:
                continue  # "10.00 - selesai" is a time; "10.00" alone may be a decimal
            expr = Expr(p.start, p.end, p)
            if open_end is not None:
                expr.end = open_end.end()
                expr.open_end = True
        local = LOCAL_TIME_RE.match(text, expr.end)
        expr.local = local is not None
        exprs.append(expr)
    return exprs


# --------------------------------------------------------------------------
# Interpretation
# --------------------------------------------------------------------------


#: How many years back a written weekday may place a date without a year.
_WEEKDAY_LOOKBACK = 7


def complete_date(part: DatePart, ref: date | None, day: int | None = None) -> date | None:
    """The date *part* names, its missing year taken from *ref*.

    A written weekday decides between *ref*'s year and the years around it
    (``Jumat (6/11)`` late in December of the following year), then the years
    before (``Minggu (6/5)`` in a republished 2018 article); a weekday no
    year fits cannot be judged (None). Without one, *ref*'s year, or the
    neighbouring year when that puts the date within three months of *ref*
    and *ref*'s year half a year away. None when the date is impossible or has
    no year and no reference.
    """
    d = part.day if day is None else day
    if part.year is not None:
        try:
            return date(part.year, part.month, d)
        except ValueError:
            return None
    if ref is None:
        return None
    candidates: list[date] = []
    for year in (ref.year, ref.year - 1, ref.year + 1):
        try:
            candidates.append(date(year, part.month, d))
        except ValueError:
            continue
    if part.weekday is not None:
        matching = [c for c in candidates if c.weekday() == part.weekday]
        if matching:
            return min(matching, key=lambda c: abs((c - ref).days))
        # No year around the reference has that weekday: an older article
        # republished (``Minggu (6/5)`` on a 2022 page is 6 May 2018).
        for year in range(ref.year - 2, ref.year - _WEEKDAY_LOOKBACK - 1, -1):
            try:
                older = date(year, part.month, d)
            except ValueError:
                continue
            if older.weekday() == part.weekday:
                return older
        return None  # the weekday contradicts every year: it cannot be judged
    if not candidates:
        return None
    # The reference's year, unless that is half a year away and a neighbouring
    # year puts the date within a quarter of it ("sampai 3 Januari" on 20
    # December is the coming January; "1 Juni" then is still last June).
    same = candidates[0] if candidates[0].year == ref.year else None
    nearest = min(candidates, key=lambda c: abs((c - ref).days))
    if same is None or (abs((same - ref).days) > 183 and abs((nearest - ref).days) <= 92):
        return nearest
    return same


def format_moment(day: date, t: Time | None, offset: str | None) -> str:
    """``YYYY-MM-DD``, or ``YYYY-MM-DDTHH:MM:SS`` with the offset when there is one."""
    if t is None:
        return day.isoformat()
    return f"{day.isoformat()}T{t[0]:02d}:{t[1]:02d}:{t[2]:02d}{offset or ''}"


def resolve(
    expr: Expr, context: date | None, year_ref: date | None, default_offset: str | None
) -> tuple[str, str | None] | None:
    """ISO start and end of *expr*.

    *context* is the date of a time written without one; *year_ref* gives
    missing years; *default_offset* applies to times written without a zone
    (not to ``waktu setempat``). None when the expression cannot be placed
    on a calendar or is impossible.
    """
    if expr.invalid:
        return None
    first, last = expr.first, expr.last
    offset = first.offset or (last.offset if last else None)
    if offset is None and not expr.local:
        offset = default_offset
    end_offset = (last.offset if last else None) or offset

    # A range written with its year once (``30 November s.d. 2 Desember 2021``).
    ref = year_ref
    if last is not None and last.date is not None and last.date.year is not None:
        ref = date(last.date.year, last.date.month, min(last.date.day, 28))
    start_day = complete_date(first.date, ref) if first.date else context
    if start_day is None:
        return None
    if (
        first.date is not None
        and last is not None
        and last.date is not None
        and last.date.year is not None
        and first.date.year is None
        and first.date.month > last.date.month
    ):  # "28 Desember s.d. 3 Januari 2022" starts in 2021
        start_day = start_day.replace(year=last.date.year - 1)
    if first.month_only:
        return f"{start_day.year:04d}-{start_day.month:02d}", None
    if first.next_day:
        start_day += timedelta(days=1)
    start = format_moment(start_day, first.time, offset if first.time else None)
    if last is None:
        if first.date is not None and first.date.day_end is not None:
            end_day = complete_date(first.date, start_day, first.date.day_end)
            if end_day is None:
                return None
            return start, end_day.isoformat()
        return start, None
    if last.date is not None:
        end_day = complete_date(last.date, start_day if first.date else (year_ref or start_day))
        if end_day is None:
            return None
    else:
        end_day = start_day
    if last.next_day:
        end_day += timedelta(days=1)
    end = format_moment(end_day, last.time, end_offset if last.time else None)
    return start, end
