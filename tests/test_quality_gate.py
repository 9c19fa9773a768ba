"""Quality gate: extraction scored on pages and dates nobody on the project wrote.

Floors (they only move up):
- shared corpus article pages: >= 95% of the title / published / author / editor
  / views checks;
- shared corpus dates (cases.jsonl): >= 95%;
- our own date case table (tests/data/date_cases.jsonl, every documented form
  and every false-positive trap): 100%.

Scores are printed (terminal summary line per gate) and repeated in the
assertion message when a floor is missed.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from arsip.demosite.content import build_site
from arsip.demosite.site import SiteApp
from crawler.extract import extract, parse_date
from crawler.extract.dates import _shift_months
from crawler.extract.model import EXTRACTED_FIELDS
from crawler.profiles import site_for
from tests.conftest import CORPUS, report_quality

ROOT = Path(__file__).resolve().parents[1]
OWN_CASES = ROOT / "tests" / "data" / "date_cases.jsonl"
#: Reference for corpus date cases whose "context" names no date.
FIXED_REFERENCE = date(2021, 12, 9)
ANRI = site_for("anri")
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "mei": 5, "may": 5, "jun": 6, "jul": 7,
    "agu": 8, "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "des": 12, "dec": 12,
}  # fmt: skip
_CONTEXT_DATE_RE = re.compile(r"(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})")
_DURATION_RE = re.compile(r"^(-)?P(?:(\d+)([DWMY]))?(?:T(\d+)([HMS]))?$")


def _corpus() -> Path:
    assert CORPUS.is_dir(), f"corpus missing at {CORPUS}"
    return CORPUS


def _report(pytestconfig: pytest.Config, line: str) -> None:
    """Keep *line* for the run's closing "quality gate" section (tests/conftest.py)."""
    del pytestconfig
    report_quality(line)


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------


def _same_published(got: str | None, expected: str | None) -> bool:
    """Equal at the precision *expected* gives (a date, or minutes, or seconds)."""
    if got is None or expected is None:
        return got == expected
    if len(expected) == 10:
        return got[:10] == expected
    if len(got) == 10:
        return False
    a, b = datetime.fromisoformat(got), datetime.fromisoformat(expected)
    if a.utcoffset() != b.utcoffset():
        return False
    if b.second == 0:
        a = a.replace(second=0)
    return a.replace(microsecond=0) == b


def score_pages() -> tuple[int, int, list[str]]:
    """(passed, total, misses) over the corpus's article pages."""
    passed = total = 0
    misses: list[str] = []
    for folder in sorted(p for p in _corpus().joinpath("pages").iterdir() if p.is_dir()):
        expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        if not str(expected["page_type"]).startswith("article"):
            continue
        url = expected.get("url") or f"http://{expected['site']}/"
        article = extract((folder / "page.html").read_bytes(), url, site=site_for(None, url))
        checks = [
            ("title", article.title == expected["title"], article.title, expected["title"]),
            ("published", _same_published(article.published, expected["date_iso"]),
             article.published, expected["date_iso"]),
            ("author", article.author == expected["author"], article.author, expected["author"]),
            ("editor", article.editor == expected["editor"], article.editor, expected["editor"]),
            ("views", article.views == expected["views"], article.views, expected["views"]),
        ]  # fmt: skip
        for name, ok, got, want in checks:
            total += 1
            passed += ok
            if not ok:
                misses.append(f"{folder.name} {name}: got {got!r}, expected {want!r}")
    return passed, total, misses


def test_gate_corpus_article_pages(pytestconfig: pytest.Config) -> None:
    passed, total, misses = score_pages()
    line = f"quality gate: corpus pages {passed}/{total} = {passed / total:.1%} (floor 95%)"
    _report(pytestconfig, line)
    assert total == 85
    assert passed / total >= 0.95, "\n".join([line, *misses])


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------


def _reference(case: dict[str, Any]) -> date:
    m = _CONTEXT_DATE_RE.search(str(case.get("context", "")))
    if m and m[2].lower() in _MONTHS:
        return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    return FIXED_REFERENCE


def _relative(reference: date, duration: str) -> str:
    m = _DURATION_RE.match(duration)
    assert m, duration
    sign = -1 if m[1] else 1
    if m[4]:  # time units: from the reference day at 00:00
        seconds = {"H": 3600, "M": 60, "S": 1}[m[5]] * int(m[4]) * sign
        moment = datetime(reference.year, reference.month, reference.day)
        return (moment + timedelta(seconds=seconds)).isoformat()
    amount = int(m[2] or 0) * sign
    unit = m[3] or "D"
    if unit in "DW":
        return (reference + timedelta(days=amount * (7 if unit == "W" else 1))).isoformat()
    return _shift_months(reference, amount * (12 if unit == "Y" else 1)).isoformat()


def expected_value(case: dict[str, Any], reference: date) -> Any:
    """The value parse_date must give for a corpus case, per the corpus README forms."""
    expected = case["expected"]
    if isinstance(expected, dict):
        if "relative" in expected:
            return _relative(reference, expected["relative"])
        if "duration" in expected:
            return expected["duration"]
        if "all" in expected:  # several dates in one text: parse_date gives the first
            return expected["all"][0]
    return expected


def score_corpus_dates() -> tuple[int, int, list[str]]:
    lines = _corpus().joinpath("dates", "cases.jsonl").read_text(encoding="utf-8").splitlines()
    passed = 0
    misses: list[str] = []
    cases = [json.loads(line) for line in lines if line.strip()]
    for case in cases:
        reference = _reference(case)
        want = expected_value(case, reference)
        got = parse_date(case["text"], reference)
        if got == want:
            passed += 1
        else:
            misses.append(f"{case['text']!r}: got {got!r}, expected {want!r}")
    return passed, len(cases), misses


def test_gate_corpus_dates(pytestconfig: pytest.Config) -> None:
    passed, total, misses = score_corpus_dates()
    line = f"quality gate: corpus dates {passed}/{total} = {passed / total:.1%} (floor 95%)"
    _report(pytestconfig, line)
    assert passed / total >= 0.95, "\n".join([line, *misses])


def test_gate_own_date_table(pytestconfig: pytest.Config) -> None:
    cases = [json.loads(line) for line in OWN_CASES.read_text(encoding="utf-8").splitlines()]
    misses = []
    for case in cases:
        reference = date.fromisoformat(case["reference"]) if case["reference"] else FIXED_REFERENCE
        got = parse_date(case["text"], reference)
        if got != case["expected"]:
            misses.append(f"{case['text']!r}: got {got!r}, expected {case['expected']!r}")
    passed = len(cases) - len(misses)
    traps = sum(1 for c in cases if c["expected"] is None)
    line = (
        f"quality gate: own date table {passed}/{len(cases)} = {passed / len(cases):.1%} "
        f"incl. {traps} false-positive traps (floor 100%)"
    )
    _report(pytestconfig, line)
    assert not misses, "\n".join([line, *misses])


def test_relative_expectations_are_computed_from_the_reference() -> None:
    assert _relative(date(2021, 12, 9), "-P3W") == "2021-11-18"
    assert _relative(date(2021, 12, 9), "PT43M") == "2021-12-09T00:43:00"
    assert _relative(date(2021, 3, 31), "-P1M") == "2021-02-28"
    assert _reference({"context": "feed of 5 Nov 2015"}) == date(2015, 11, 5)
    assert _reference({}) == FIXED_REFERENCE


# --------------------------------------------------------------------------
# Replica
# --------------------------------------------------------------------------

REPLICA_BASE = "http://127.0.0.1:8080"


@pytest.mark.parametrize(("articles", "epoch", "seed"), [(120, 0, 1), (60, 2, 7)])
def test_gate_replica_ground_truth(
    pytestconfig: pytest.Config, articles: int, epoch: int, seed: int
) -> None:
    """Every field of every replica article, extracted from its page, equals the truth."""
    content = build_site(articles, epoch, seed)
    app = SiteApp(content, REPLICA_BASE)
    truth = content.truth(REPLICA_BASE)
    passed = total = 0
    misses: list[str] = []
    for expected in truth:
        path = expected["url"][len(REPLICA_BASE) :]
        page = app.resolve(path)
        assert page.status == 200, path
        got = extract(page.body, expected["url"], site=ANRI).as_dict()
        for name in EXTRACTED_FIELDS:
            total += 1
            if got[name] == expected[name]:
                passed += 1
            else:
                misses.append(f"{path} {name}: got {got[name]!r}, expected {expected[name]!r}")
    line = (
        f"quality gate: replica seed {seed} epoch {epoch} ({len(truth)} articles) "
        f"{passed}/{total} fields = {passed / total:.1%} (floor 100%)"
    )
    _report(pytestconfig, line)
    assert passed == total, "\n".join([line, *misses[:20]])
