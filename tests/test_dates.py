"""parse_date: the forms Indonesian pages write, and what must never become a date."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import crawler.extract as package
from crawler.extract import parse_date
from crawler.extract.dates import parse_duration, parse_relative
from crawler.extract.datescan import scan
from crawler.extract.extractor import extract, page_url
from crawler.extract.model import Article, EventTime

CASES_FILE = Path(__file__).resolve().parent / "data" / "date_cases.jsonl"
DEFAULT_REFERENCE = date(2021, 12, 9)


def _cases() -> list[dict[str, Any]]:
    with CASES_FILE.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.mark.parametrize("case", _cases(), ids=lambda c: str(c["text"]))
def test_case_table_form_is_read_exactly(case: dict[str, Any]) -> None:
    reference = date.fromisoformat(case["reference"]) if case["reference"] else DEFAULT_REFERENCE
    assert parse_date(case["text"], reference) == case["expected"]


def test_case_table_covers_every_trap_kind() -> None:
    notes = {c["note"] for c in _cases() if c["expected"] is None}
    for kind in ("percentage", "thousands", "bare year", "phone number", "version number",
                 "decimal number", "regulation number"):  # fmt: skip
        assert kind in notes


def test_reference_defaults_to_today_for_a_missing_year(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("crawler.extract.dates._today", lambda: date(2030, 3, 1))
    assert parse_date("Jumat (15/2)") == "2030-02-15"


def test_reference_moment_anchors_relative_times_and_keeps_its_offset() -> None:
    moment = datetime(2021, 12, 9, 10, 30, tzinfo=timezone(timedelta(hours=7)))
    assert parse_date("2 jam lalu", moment) == "2021-12-09T08:30:00+07:00"
    assert parse_date("kemarin", moment) == "2021-12-08"


def test_month_first_reads_numeric_dates_american_style() -> None:
    assert parse_date("9/12/2021", dayfirst=False) == "2021-09-12"


def test_empty_text_is_no_date() -> None:
    assert parse_date("   ") is None


def test_relative_phrases_outside_parse_date() -> None:
    assert parse_relative("seminggu yang lalu", date(2021, 12, 9)) == "2021-12-02"
    assert parse_relative("dlm 23 dtk", date(2021, 12, 9)) == "2021-12-09T00:00:23"
    assert parse_relative("tadi", date(2021, 12, 9)) is None
    assert parse_duration("3 jam") == "PT3H"
    assert parse_duration("3 jam lalu") is None


def test_dateparser_fallback_reads_what_the_fast_path_cannot() -> None:
    assert parse_date("the 9th of December 2021", DEFAULT_REFERENCE) == "2021-12-09"
    assert parse_date("December 9th, 2021 at 10:30", DEFAULT_REFERENCE) == "2021-12-09T10:30:00"


def test_dateparser_answer_is_dropped_when_it_invents_a_year(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    invented = datetime(2000, 12, 9, 9, 0)
    fake = types.ModuleType("dateparser")
    fake.parse = lambda *args, **kwargs: invented  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "dateparser", fake)
    assert parse_date("ninth of December", DEFAULT_REFERENCE) is None  # no year written
    # Another year: the invented day goes, the month the text surely names stays.
    assert parse_date("ninth of December 2019", DEFAULT_REFERENCE) == "2019-12"
    assert parse_date("ninth of December 2000", DEFAULT_REFERENCE) == "2000-12-09"


def test_numbers_alone_never_reach_dateparser(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("dateparser")
    fake.parse = lambda *args, **kwargs: datetime(2021, 3, 1)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "dateparser", fake)
    assert parse_date("1/3", DEFAULT_REFERENCE) is None
    assert parse_date("10.15 - 2.5", DEFAULT_REFERENCE) is None


def test_dateparser_is_not_imported_by_the_fast_path() -> None:
    code = (
        "import sys; from crawler.extract import extract, parse_date; "
        "v = parse_date('Senin, 13 Desember 2021 pukul 09.00 WIB'); "
        "print(v, 'dateparser' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["2021-12-13T09:00:00+07:00", "False"]


#: What a date-only import must not load: the extractor's DOM stack and site
#: profiles (lxml, croniter), the extractor's own patterns, and modules that
#: cost milliseconds to import (dataclasses pulls in inspect). Together they
#: made ``parse_date``'s cold start ~90 ms; the target is under 20 ms.
_NOT_FOR_DATES = (
    "lxml",
    "croniter",
    "crawler.profiles",
    "crawler.extract.extractor",
    "crawler.extract.patterns",
    "dataclasses",
    "typing",
    "dateparser",
)


@pytest.mark.parametrize(
    "statement",
    ["from crawler.extract import parse_date", "from crawler.extract.dates import parse_date"],
)
def test_date_only_import_and_first_parse_leave_the_extractor_unloaded(statement: str) -> None:
    code = (
        "import sys; before = set(sys.modules); "
        f"{statement}; "
        "v = parse_date('Kamis, 5 November 2015 14:56 WIB'); "
        "new = set(sys.modules) - before; "
        f"print(v, sorted(m for m in new if m.split('.')[0] in {_NOT_FOR_DATES!r} "
        f"or m in {_NOT_FOR_DATES!r}))"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.split(" ", 1) == ["2015-11-05T14:56:00+07:00", "[]\n"]


def test_the_package_still_exports_every_name_lazily() -> None:
    assert package.extract is extract
    assert package.page_url is page_url
    assert (package.Article, package.EventTime) == (Article, EventTime)
    assert set(package.__all__) <= set(dir(package))
    with pytest.raises(AttributeError, match="no_such_name"):
        package.no_such_name  # noqa: B018


def test_scan_finds_spans_in_running_text() -> None:
    text = "Acara pada Senin, 13 Desember 2021 pukul 09.00 s.d. 12.00 WIB di Jakarta."
    (expr,) = scan(text)
    assert text[expr.start : expr.end] == "Senin, 13 Desember 2021 pukul 09.00 s.d. 12.00 WIB"


@pytest.mark.parametrize(
    "form",
    [
        "Wednesday, September 21, 2022",
        "Rabu, Nopember tahun 2021",
        "Kamis/07 sepetember 2022",
        "21st sepetember.",
        "pukul 5 petang WITA",
        "09:41 p.m. Mar 3, 2022",
        "Jum'at, 3 Desember 2021 pukul 13.30 WITA s.d. selesai",
    ],
)
def test_scan_reads_the_longest_forms_inside_long_prose(form: str) -> None:
    """The scanner runs its regex only on stretches around digits: the words a form
    carries before its first digit and after its last must fit in them."""
    bare = [(e.first, e.last) for e in scan(form)]
    assert bare, form
    prose = "Kegiatan ini dihadiri oleh para pejabat dan masyarakat umum " * 3
    text = f"{prose}{form} {prose}"
    found = scan(text)
    assert [(e.start - len(prose), e.end - len(prose)) for e in found] == [
        (e.start, e.end) for e in scan(form)
    ]
    assert len(found) == len(bare)


def test_scan_in_prose_wants_capitalized_month_names() -> None:
    assert scan("it 3 may rain", strict_case=True) == []
    assert len(scan("tanggal 3 Mei", strict_case=True)) == 1
