"""Event sentences for article bodies, each with its ground-truth `event_times`.

Every template writes one sentence holding one date/time expression in a
clean form and returns the entry docs/fields.md prescribes for it: ``text``
is the exact expression (no leading ``pada``/``mulai``/``tanggal``), ``start``
and ``end`` are ISO 8601 with the written zone's offset, ``end`` is null for
single and open-ended expressions.

The truth is recorded from what the generator chose, never by parsing text.
A time written without a date takes "the latest date mentioned earlier in the
body"; `DateContext` only allows such a time when that phrase cannot be read
two ways (no date range before it, and the last date mentioned is also the
latest in the calendar).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
OFFSETS = {"WIB": "+07:00", "WITA": "+08:00", "WIT": "+09:00"}
#: The anri profile's zone: the one a time written without a zone takes.
PROFILE_ZONE = "WIB"
_COUNT_WORDS = {2: "dua", 3: "tiga", 4: "empat", 5: "lima"}

Event = dict[str, Any]


@dataclass(slots=True)
class DateContext:
    """Dates mentioned so far in a body, in order (the dateline's date first)."""

    published: date
    mentioned: list[date] = field(default_factory=list)
    after_range: bool = False

    def time_date(self) -> date | None:
        """The date a time written alone takes, or None when that would be ambiguous."""
        if self.after_range or not self.mentioned:
            return None
        last = self.mentioned[-1]
        return last if last == max(self.mentioned) else None

    def note(self, day: date) -> None:
        self.mentioned.append(day)

    def note_range(self) -> None:
        self.after_range = True


@dataclass(frozen=True, slots=True)
class Scene:
    """What the sentence is about: where, and in which zone."""

    zone: str
    venue: str


def long_date(day: date, *, year: bool = True) -> str:
    """``13 Desember 2021`` (no leading zero), or ``13 Desember`` without the year."""
    text = f"{day.day} {MONTHS_ID[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def _clock(hour: int, minute: int, sep: str) -> str:
    return f"{hour:02d}{sep}{minute:02d}"


def _iso(day: date, hour: int, minute: int, zone: str) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00{OFFSETS[zone]}"


def _event(start: str, end: str | None, text: str) -> Event:
    return {"start": start, "end": end, "text": text}


def _later_day(rng: random.Random, published: date) -> date:
    """A working day 2-25 days after *published* (announcements look ahead)."""
    day = published + timedelta(days=rng.randint(2, 25))
    while day.weekday() >= 5:  # offices hold events on working days
        day += timedelta(days=1)
    return day


def _where(rng: random.Random, scene: Scene) -> str:
    return rng.choice((f" di {scene.venue}", "", " secara hibrida"))


def _slot(rng: random.Random) -> tuple[int, int, int, int]:
    start = rng.choice((8, 8, 9, 9, 10, 13))
    minute = rng.choice((0, 0, 0, 30))
    end = start + rng.randint(2, 4)
    return start, minute, end, rng.choice((0, 0, 30))


# Each template: (rng, context, scene) -> (sentence, events) or None when it
# cannot be written unambiguously here.
Template = Callable[[random.Random, DateContext, Scene], "tuple[str, list[Event]] | None"]


def weekday_date_time_range(
    rng: random.Random, ctx: DateContext, scene: Scene
) -> tuple[str, list[Event]]:
    """``Senin, 13 Desember 2021 pukul 09.00 s.d. 12.00 WIB``."""
    day = _later_day(rng, ctx.published)
    h1, m1, h2, m2 = _slot(rng)
    sep = rng.choice((".", ".", ":"))
    word = rng.choice(("s.d.", "s.d.", "-", "sampai", "hingga"))
    text = (
        f"{WEEKDAYS_ID[day.weekday()]}, {long_date(day)} pukul "
        f"{_clock(h1, m1, sep)} {word} {_clock(h2, m2, sep)} {scene.zone}"
    )
    lead = rng.choice(
        (
            "Kegiatan tersebut dilaksanakan pada",
            "Acara ini akan berlangsung pada",
            "Kegiatan dijadwalkan pada",
        )
    )
    ctx.note(day)
    event = _event(_iso(day, h1, m1, scene.zone), _iso(day, h2, m2, scene.zone), text)
    return f"{lead} {text}{_where(rng, scene)}.", [event]


def date_single_time(rng: random.Random, ctx: DateContext, scene: Scene) -> tuple[str, list[Event]]:
    """``Kamis, 16 Desember 2021 pukul 08:30 WITA`` (weekday optional)."""
    day = _later_day(rng, ctx.published)
    hour, minute = rng.choice(((8, 0), (8, 30), (9, 0), (10, 0), (13, 0)))
    sep = rng.choice((".", ":"))
    prefix = f"{WEEKDAYS_ID[day.weekday()]}, " if rng.random() < 0.5 else ""
    text = f"{prefix}{long_date(day)} pukul {_clock(hour, minute, sep)} {scene.zone}"
    ctx.note(day)
    event = _event(_iso(day, hour, minute, scene.zone), None, text)
    return f"Pembukaan kegiatan akan digelar pada {text}.", [event]


def time_range(
    rng: random.Random, ctx: DateContext, scene: Scene
) -> tuple[str, list[Event]] | None:
    """``pukul 09.00 s.d. 12.00 WIB`` on the date in context."""
    day = ctx.time_date()
    if day is None:
        return None
    h1, m1, h2, m2 = _slot(rng)
    sep = rng.choice((".", ".", ":"))
    word = rng.choice(("s.d.", "s.d.", "-", "s/d", "sampai dengan", "hingga"))
    intro = rng.choice(("pukul", "pukul", "jam"))
    text = f"{intro} {_clock(h1, m1, sep)} {word} {_clock(h2, m2, sep)} {scene.zone}"
    people = rng.randint(25, 180)
    event = _event(_iso(day, h1, m1, scene.zone), _iso(day, h2, m2, scene.zone), text)
    return f"Kegiatan berlangsung {text} dan diikuti oleh {people} peserta.", [event]


def open_ended(
    rng: random.Random, ctx: DateContext, scene: Scene
) -> tuple[str, list[Event]] | None:
    """``pukul 13.30 WITA s.d. selesai`` or ``13.30 WITA sampai selesai``."""
    day = ctx.time_date()
    if day is None:
        return None
    hour, minute = rng.choice(((13, 30), (13, 0), (14, 0), (19, 30)))
    sep = rng.choice((".", ".", ":"))
    event_start = _iso(day, hour, minute, scene.zone)
    if rng.random() < 0.5:
        text = f"pukul {_clock(hour, minute, sep)} {scene.zone} s.d. selesai"
        sentence = f"Sesi diskusi dan tanya jawab dimulai {text}."
    else:
        text = f"{_clock(hour, minute, sep)} {scene.zone} sampai selesai"
        sentence = f"Acara dilanjutkan dengan praktik bersama mulai {text}."
    return sentence, [_event(event_start, None, text)]


def single_time(
    rng: random.Random, ctx: DateContext, scene: Scene
) -> tuple[str, list[Event]] | None:
    """``pukul 08.00 WIT`` on the date in context."""
    day = ctx.time_date()
    if day is None:
        return None
    hour, minute = rng.choice(((7, 0), (7, 30), (7, 30)))
    text = f"pukul {_clock(hour, minute, rng.choice(('.', ':')))} {scene.zone}"
    sentence = f"Registrasi peserta dibuka sejak {text} di {scene.venue}."
    return sentence, [_event(_iso(day, hour, minute, scene.zone), None, text)]


def colon_range(
    rng: random.Random, ctx: DateContext, scene: Scene
) -> tuple[str, list[Event]] | None:
    """``09:00 - 11:30 WIT``."""
    day = ctx.time_date()
    if day is None:
        return None
    h1, m1, h2, m2 = _slot(rng)
    text = f"{_clock(h1, m1, ':')} - {_clock(h2, m2, ':')} {scene.zone}"
    event = _event(_iso(day, h1, m1, scene.zone), _iso(day, h2, m2, scene.zone), text)
    return f"Sesi praktik pengelolaan arsip diadakan pada {text}.", [event]


def zoneless_range(
    rng: random.Random, ctx: DateContext, scene: Scene
) -> tuple[str, list[Event]] | None:
    """``jam 08.00 - 10.00``: no zone written, so the profile's (WIB) applies."""
    day = ctx.time_date()
    if day is None or scene.zone != PROFILE_ZONE:
        return None
    h1, m1, h2, m2 = _slot(rng)
    text = f"jam {_clock(h1, m1, '.')} - {_clock(h2, m2, '.')}"
    event = _event(_iso(day, h1, m1, PROFILE_ZONE), _iso(day, h2, m2, PROFILE_ZONE), text)
    return f"Layanan konsultasi kearsipan dibuka {text} bagi seluruh peserta.", [event]


def date_range(rng: random.Random, ctx: DateContext, scene: Scene) -> tuple[str, list[Event]]:
    """``22-24 November 2021`` (one month)."""
    length = rng.randint(2, 4)
    first = ctx.published + timedelta(days=rng.randint(3, 20))
    first = first.replace(day=min(first.day, 28 - length))
    last = first + timedelta(days=length)
    text = f"{first.day}-{last.day} {MONTHS_ID[first.month - 1]} {first.year}"
    ctx.note_range()
    words = _COUNT_WORDS[length + 1]
    sentence = f"Kegiatan ini berlangsung selama {words} hari, {text}{_where(rng, scene)}."
    return sentence, [_event(first.isoformat(), last.isoformat(), text)]


def cross_month_range(
    rng: random.Random, ctx: DateContext, scene: Scene
) -> tuple[str, list[Event]] | None:
    """``30 November s.d. 2 Desember 2021`` (two months, one year)."""
    month = ctx.published.month
    if month == 12:
        return None
    year = ctx.published.year
    nxt = date(year, month + 1, 1)
    first = nxt - timedelta(days=rng.randint(1, 2))
    last = nxt + timedelta(days=rng.randint(0, 2))
    word = rng.choice(("s.d.", "sampai", "hingga"))
    text = f"{long_date(first, year=False)} {word} {long_date(last)}"
    ctx.note_range()
    sentence = f"Rangkaian kegiatan diselenggarakan mulai {text}{_where(rng, scene)}."
    return sentence, [_event(first.isoformat(), last.isoformat(), text)]


def lone_date(rng: random.Random, ctx: DateContext, scene: Scene) -> tuple[str, list[Event]]:
    """``15 Januari 2022``."""
    day = _later_day(rng, ctx.published) + timedelta(days=rng.randint(5, 30))
    text = long_date(day)
    ctx.note(day)
    sentence = rng.choice(
        (
            f"Batas akhir pengiriman laporan tindak lanjut adalah {text}.",
            f"Hasil penilaian akan diumumkan pada {text} melalui laman resmi ANRI.",
        )
    )
    return sentence, [_event(day.isoformat(), None, text)]


def yearless_date(
    rng: random.Random, ctx: DateContext, scene: Scene
) -> tuple[str, list[Event]] | None:
    """``16 Desember`` (the year is the published date's)."""
    day = ctx.published + timedelta(days=rng.randint(3, 40))
    if day.year != ctx.published.year:
        return None
    text = long_date(day, year=False)
    ctx.note(day)
    sentence = f"Kegiatan serupa dijadwalkan kembali pada tanggal {text} mendatang."
    return sentence, [_event(day.isoformat(), None, text)]


#: Schedule paragraphs: which templates follow one another (first to last).
PLANS: tuple[tuple[Template, ...], ...] = (
    (weekday_date_time_range,),
    (weekday_date_time_range, open_ended),
    (date_single_time, time_range),
    (time_range,),
    (open_ended,),
    (single_time, colon_range),
    (colon_range,),
    (zoneless_range,),
    (date_range,),
    (cross_month_range,),
    (lone_date,),
    (yearless_date,),
    (date_range, lone_date),
)
#: Dates that can close an article (after its schedule paragraph).
CLOSERS: tuple[Template, ...] = (lone_date, yearless_date)


def write_plan(
    rng: random.Random, ctx: DateContext, scene: Scene, plan: tuple[Template, ...]
) -> tuple[list[str], list[Event]]:
    """Run each template of *plan*; templates that cannot apply here are skipped."""
    sentences: list[str] = []
    events: list[Event] = []
    for template in plan:
        written = template(rng, ctx, scene)
        if written is None:
            continue
        sentences.append(written[0])
        events.extend(written[1])
    return sentences, events
