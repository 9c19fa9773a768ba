"""Calendar words and the compiled regular expressions of date parsing, kept as data.

The part of `crawler.extract.patterns` that `parse_date` and `datescan` need,
in a module of its own so that reading a date compiles these and not the
extractor's other patterns (~5 ms at start-up); `patterns` re-exports every
name. Indonesian first, English second.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from collections.abc import Iterable

# --------------------------------------------------------------------------
# Calendar words
# --------------------------------------------------------------------------

#: Month names and abbreviations (lower case) -> month number.
MONTHS: dict[str, int] = {
    # Indonesian, incl. old spellings (Pebruari, Nopember) and abbreviations
    "januari": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2,
    "maret": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agus": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12,
    # Misspellings seen on real pages (a month is still a month)
    "januri": 1, "janury": 1, "febuari": 2, "febuary": 2, "februay": 2, "pebuari": 2,
    "febrari": 2, "agutus": 8, "agusuts": 8, "agustu": 8, "sepetember": 9, "septmber": 9,
    "septembre": 9, "oktber": 10, "oktobre": 10, "novemver": 11, "novemeber": 11,
    "desemeber": 12, "desmber": 12, "desembe": 12, "desmeber": 12,
    # English
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7,
    "august": 8, "aug": 8, "october": 10, "oct": 10, "december": 12, "dec": 12,
}  # fmt: skip

#: English month names, the only ones read month-first (``November 3``, ``Dec 9, 2021``).
EN_MONTHS: frozenset[str] = frozenset((
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
))  # fmt: skip

#: Weekday names (lower case, apostrophes removed) -> ISO weekday index (Monday = 0).
WEEKDAYS: dict[str, int] = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "sabtu": 5,
    "minggu": 6, "ahad": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip

#: Zones written after a time -> UTC offset (any case).
ZONE_OFFSETS: dict[str, str] = {
    "wib": "+07:00",
    "wita": "+08:00",
    "wit": "+09:00",
    "wp": "+09:00",
    "gmt": "+00:00",
    "utc": "+00:00",
    "z": "+00:00",
}

#: Parts of the day after ``pukul 5`` and how they shift the hour.
DAY_PARTS: dict[str, int] = {"pagi": 0, "siang": 12, "sore": 12, "petang": 12, "malam": 12}


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of *words*, longest first so that prefixes never win."""
    items = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) for w in items)


_MONTH_RE = _alternation(MONTHS)
_EN_MONTH_RE = _alternation(EN_MONTHS)
_WEEKDAY_RE = r"jum['’`]?at|" + _alternation(WEEKDAYS)
_ZONE_RE = r"WITA|WIB|WIT|WP|GMT|UTC"
_RANGE_WORDS = r"-|–|—|s\.\s?d\.?|s/d|sampai(?:\s+dengan)?|hingga|until|to"

# --------------------------------------------------------------------------
# Date / time atoms (scanned with one combined regex, see dates.scan)
# --------------------------------------------------------------------------

#: Horizontal whitespace: expressions never span paragraphs.
_H = r"[^\S\n]"

#: One combined pattern; exactly one of the top-level named groups matches.
ATOM_RE = re.compile(
    rf"""
    (?P<iso>
        (?<![\d.])(?P<iy>\d{{4}})(?P<isep>[-/])(?P<im>[01]\d)(?P=isep)(?P<id>[0-3]\d)
        (?:(?:\s?T\s?|\s)(?P<ih>[0-2]\d):(?P<imi>[0-5]\d)(?::(?P<is>[0-5]\d)(?:\.\d+)?)?
           (?P<iz>\s?(?:Z|[+-][01]\d:?[0-5]\d))?(?![\d:]))?
        (?![\d/-])
    )
    |
    (?:(?:\b(?P<wd>{_WEEKDAY_RE})\b\s*[,/]?\s*)?  # one weekday prefix for the three forms
    (?:
    (?P<tdate>
        (?<![\d.,:])(?<!\d/)(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?
        (?:\s*(?P<dsep>{_RANGE_WORDS})\s*(?P<d2>[0-3]?\d))?
        (?:\s*-\s*|\s*/\s*|\s+)(?P<mon>{_MONTH_RE})\b\.?
        (?:(?:\s*,?\s*|-)(?:(?:tahun|thn\.?|th\.?)\s+)?(?P<y>\d{{4}})(?!\d)
           |(?:\s*/\s*|\s+)'?(?P<y2>\d{{2}})(?![\d:.,]))?
    )
    |
    (?P<mdate>
        (?<![\d.,/:])\b(?P<mon2>{_MONTH_RE})\b\.?\s+
        (?:(?P<d3>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:.])(?:\s*,?\s*(?P<y3>\d{{4}})(?!\d))?
           |(?:(?:tahun|thn\.?)\s+)?(?P<y4>\d{{4}})(?![\d/.,-]\d))
    )
    |
    (?P<ndate>
        (?P<np>\(\s*)?
        (?<![\d./-])(?P<nd>[0-3]?\d)
        (?P<ns>[/-]|\.(?=[01]?\d\.(?:19|20)\d\d(?!\d|\.\d)))  # 22.12.2023: a full year only
        (?P<nm>[01]?\d)(?:(?P=ns)(?P<ny>\d+))?(?![\d/]|-\d)
        (?(np)\s*\))
    )
    ))
    |
    (?P<time>
        (?:(?P<tpre>pukul|pkl\.?|jam|at)\s+)?
        (?<![\d.,:/])(?P<hh>[0-2]?\d)(?P<tsep>[.:])(?P<mm>[0-5]\d)(?:(?P=tsep)(?P<ss>[0-5]\d))?
        (?![\d%]|[.,:]\d|\s?%)
        (?:\s?(?P<ampm>[ap]\.?m\b\.?))?
        (?:\s*(?P<zone>{_ZONE_RE})\b
           |(?(ss)\s(?P<tzoff>[+-][01]\d:?[0-5]\d)(?!\d)))?
    )
    |
    (?P<hour>
        (?:pukul|pkl\.?|jam)\s+(?P<ph>[01]?\d|2[0-3])(?![\d.,:])
        (?:\s+(?P<pday>pagi|siang|sore|petang|malam))?
        (?:\s*(?P<pzone>{_ZONE_RE})\b)?
    )
    """.replace(r"\s", _H),
    re.IGNORECASE | re.VERBOSE,
)

#: Between a date and its time: ``, `` ``|`` `` - `` `` / `` `` • `` ``at`` or nothing,
#: and the words of ``Kamis, 3 Maret 2022 sekitar pukul 19.30 WIB``.
DATE_TIME_GAP_RE = re.compile(
    r"[^\S\n]*(?:(?:[,|@–—/•·-]|(?:sekitar|sekira|kira-kira|kurang\s+lebih|pada|at|on|"
    r"mulai)\b)[^\S\n]*)*",
    re.IGNORECASE,
)
#: Between a time and the date after it: ``09:41 pm Mar 3, 2022``, ``10.00 WIB, Senin``.
TIME_DATE_GAP_RE = re.compile(
    r"[^\S\n]*(?:(?:[,|@–—/•·-]|(?:on|pada|hari)\b)[^\S\n]*)*", re.IGNORECASE
)

#: Between the two ends of a range.
RANGE_GAP_RE = re.compile(rf"{_H}*(?:{_RANGE_WORDS}){_H}*", re.IGNORECASE)

#: After a time: an open end (``s.d. selesai``, ``sampai selesai``, ``- selesai``).
OPEN_END_RE = re.compile(rf"{_H}*(?:(?:{_RANGE_WORDS}){_H}*)?selesai\b", re.IGNORECASE)

#: After a time: ``waktu setempat`` (local time), so no default zone applies.
LOCAL_TIME_RE = re.compile(rf"{_H}*waktu{_H}+setempat\b", re.IGNORECASE)

# --------------------------------------------------------------------------
# Relative phrases and durations (parse_date only, never events)
# --------------------------------------------------------------------------

#: Unit words -> (ISO duration designator, is a time unit).
UNITS: dict[str, tuple[str, bool]] = {
    "detik": ("S", True), "dtk": ("S", True), "second": ("S", True), "seconds": ("S", True),
    "menit": ("M", True), "mnt": ("M", True), "minute": ("M", True), "minutes": ("M", True),
    "jam": ("H", True), "hour": ("H", True), "hours": ("H", True),
    "hari": ("D", False), "day": ("D", False), "days": ("D", False),
    "minggu": ("W", False), "pekan": ("W", False), "week": ("W", False), "weeks": ("W", False),
    "bulan": ("M", False), "month": ("M", False), "months": ("M", False),
    "tahun": ("Y", False), "year": ("Y", False), "years": ("Y", False),
}  # fmt: skip

_UNIT_RE = _alternation(UNITS)
_COUNT_RE = r"(?:(?P<n>\d+)\s*|(?P<se>se)|(?P<a>an?|one)\s+)"

#: Fixed relative words -> offset in days (or None for "now").
RELATIVE_WORDS: dict[str, int | None] = {
    "baru saja": None,
    "barusan": None,
    "just now": None,
    "sekarang": None,
    "now": None,
    "hari ini": 0,
    "today": 0,
    "kemarin lusa": -2,
    "kemarin dulu": -2,
    "kemarin": -1,
    "yesterday": -1,
    "besok": 1,
    "tomorrow": 1,
    "lusa": 2,
}
#: Parts of the day after a relative word (``kemarin sore``): the day is what counts.
RELATIVE_DAY_PARTS_RE = re.compile(
    r"\s+(?:pagi|siang|sore|petang|malam|dini\s+hari|morning|afternoon|evening|night)$"
)

# Compiled on first use (module ``__getattr__``, PEP 562): only a text that is
# not written as a date reaches them, and compiling them costs ~1.5 ms of a cold
# start that should stay under 20 ms.

#: ``3 hari yang lalu``, ``seminggu yang lalu``, ``2 days ago``.
RELATIVE_PAST_RE: re.Pattern[str]
#: ``dalam 43 menit``, ``dlm 23 dtk``, ``in 2 hours``.
RELATIVE_IN_RE: re.Pattern[str]
#: ``1 jam lagi``, ``2 hari mendatang``, ``3 days from now``.
RELATIVE_AHEAD_RE: re.Pattern[str]
#: ``5 minggu``, ``3 jam``.
DURATION_RE: re.Pattern[str]
#: Prepositions that may precede an expression in a free-text query.
LEADING_WORDS_RE: re.Pattern[str]

_LAZY: dict[str, str] = {
    "RELATIVE_PAST_RE":
        rf"^{_COUNT_RE}(?P<unit>{_UNIT_RE})\s+(?:(?:yang|yg)\s+)?(?:lalu|silam|ago)$",
    "RELATIVE_IN_RE":
        rf"^(?:dalam|dlm|in)\s+{_COUNT_RE}(?P<unit>{_UNIT_RE})(?:\s+(?:lagi|ke\s+depan))?$",
    "RELATIVE_AHEAD_RE":
        rf"^{_COUNT_RE}(?P<unit>{_UNIT_RE})\s+(?:lagi|mendatang|kemudian|ke\s+depan|from\s+now)$",
    "DURATION_RE": rf"^(?P<n>\d+)\s*(?P<unit>{_UNIT_RE})$",
    "LEADING_WORDS_RE": r"^(?:(?:sejak|mulai|pada|tanggal|tgl\.?|hari|on|since|at)\s+)+",
}  # fmt: skip


def __getattr__(name: str) -> re.Pattern[str]:
    source = _LAZY.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    pattern = re.compile(source, re.IGNORECASE)  # all of them ignore case
    globals()[name] = pattern  # later look-ups skip this function
    return pattern
