"""Measure 2: date parsing, arsip's `parse_date` vs `dateparser.parse`.

Strings: the shared corpus's cases (tests/corpus/dates/cases.jsonl) and
the replica's own (date block ``09 Dec 21``, listing date ``09 Desember
2021``, dateline ``9/12/2021``, and the event expressions of the bodies,
with their truth). "Common forms" are the replica's strings plus the
corpus's absolute dates. dateparser runs with ``languages=["id", "en"]``,
``DATE_ORDER="DMY"`` and ``RELATIVE_BASE`` = the case's reference date.

Correctness: arsip must give exactly the expected value (as the quality
gate checks it); dateparser, which returns one `datetime`, is right when
that datetime means the expected value (same day for a date, same wall
time for a naive time, same instant with a zone). It cannot give ranges or
durations, so those count against it.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from arsip.demosite import build_site
from arsip.demosite.render import MONTHS_EN, MONTHS_ID, short_date
from bench.harness import (
    CORPUS,
    NOT_INSTALLED,
    Context,
    Table,
    cpu_timed,
    fmt_ms,
    fmt_pct,
    fmt_ratio,
    installed,
    last_line,
    median,
    ratio,
    run_child,
)
from crawler.extract import parse_date

FIXED_REFERENCE = date(2021, 12, 9)
DP_LANGUAGES = ["id", "en"]
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "mei": 5, "may": 5, "jun": 6, "jul": 7,
    "agu": 8, "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "des": 12, "dec": 12,
}  # fmt: skip
_CONTEXT_DATE_RE = re.compile(r"(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})")
_DURATION_RE = re.compile(r"^(-)?P(?:(\d+)([DWMY]))?(?:T(\d+)([HMS]))?$")
_TIME_RE = re.compile(r"\d[.:]\d\d")
_ZONE_RE = re.compile(r"\b(WIB|WITA|WIT)\b", re.IGNORECASE)
SAMPLE = "Kamis, 5 November 2015 14:56 WIB"

COLD_ARSIP = (
    "import time; t = time.perf_counter(); from crawler.extract import parse_date; "
    f"parse_date({SAMPLE!r}); print(time.perf_counter() - t)"
)
COLD_DATEPARSER = (
    "import time; t = time.perf_counter(); import dateparser; "
    f"dateparser.parse({SAMPLE!r}, languages={DP_LANGUAGES!r}, "
    "settings={'DATE_ORDER': 'DMY'}); print(time.perf_counter() - t)"
)


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    expected: Any  # what parse_date must return
    reference: date
    common: bool  # one of the common forms (absolute dates, the replica's strings)
    source: str  # "corpus" or "replica"


# -- cases -------------------------------------------------------------------------


def _shift_months(day: date, months: int) -> date:
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    following = date(year + (month0 == 11), (month0 + 1) % 12 + 1, 1)
    return date(year, month0 + 1, min(day.day, (following - timedelta(days=1)).day))


def _relative(reference: date, duration: str) -> str:
    m = _DURATION_RE.match(duration)
    if not m:
        raise ValueError(duration)
    sign = -1 if m[1] else 1
    if m[4]:
        seconds = {"H": 3600, "M": 60, "S": 1}[m[5]] * int(m[4]) * sign
        moment = datetime(reference.year, reference.month, reference.day)
        return (moment + timedelta(seconds=seconds)).isoformat()
    amount = int(m[2] or 0) * sign
    unit = m[3] or "D"
    if unit in "DW":
        return (reference + timedelta(days=amount * (7 if unit == "W" else 1))).isoformat()
    return _shift_months(reference, amount * (12 if unit == "Y" else 1)).isoformat()


def _reference(case: dict[str, Any]) -> date:
    m = _CONTEXT_DATE_RE.search(str(case.get("context", "")))
    if m and m[2].lower() in _MONTHS:
        return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    return FIXED_REFERENCE


def corpus_cases() -> list[Case]:
    path = CORPUS / "dates" / "cases.jsonl"
    if not path.exists():
        return []
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        reference = _reference(raw)
        expected = raw["expected"]
        if isinstance(expected, dict):
            if "relative" in expected:
                expected = _relative(reference, expected["relative"])
            elif "duration" in expected:
                expected = expected["duration"]
            elif "all" in expected:
                expected = expected["all"][0]
        common = raw.get("kind") == "absolute"
        cases.append(Case(raw["text"], expected, reference, common, "corpus"))
    return cases


def replica_cases(articles: int) -> list[Case]:
    """Date strings the replica writes, with the value each means."""
    cases = []
    for article in build_site(articles).articles:
        day = article.published
        months = MONTHS_EN if article.month_lang == "en" else MONTHS_ID
        block = f"{day.day:02d} {months[day.month - 1]} {day.year % 100:02d}"
        for text in (block, short_date(article), f"{day.day}/{day.month}/{day.year}"):
            cases.append(Case(text, day.isoformat(), day, True, "replica"))
        for event in article.events:
            text = event["text"]
            if _TIME_RE.search(text) and not _ZONE_RE.search(text):
                continue  # its zone comes from the profile, which parse_date does not know
            single = event["end"] is None and "selesai" not in text.lower()
            expected = event["start"] if single else {"start": event["start"], "end": event["end"]}
            reference = date.fromisoformat(event["start"][:10])
            cases.append(Case(text, expected, reference, True, "replica"))
    return cases


# -- parsers and their correctness ------------------------------------------------


def arsip_right(case: Case) -> bool:
    return bool(parse_date(case.text, case.reference) == case.expected)


def _dp_settings(reference: date) -> dict[str, Any]:
    return {
        "DATE_ORDER": "DMY",
        "RELATIVE_BASE": datetime(reference.year, reference.month, reference.day),
    }


def dateparser_parse(case: Case) -> datetime | None:
    import dateparser  # noqa: PLC0415 - optional dependency (a peer)

    result: datetime | None = dateparser.parse(
        case.text, languages=DP_LANGUAGES, settings=_dp_settings(case.reference)
    )
    return result


def means(got: datetime | None, expected: Any) -> bool:
    """Whether dateparser's single datetime means *expected*."""
    if expected is None or got is None:
        return got is None and expected is None
    if not isinstance(expected, str) or expected.startswith("P") or expected.startswith("-P"):
        return False  # a range or a duration: one datetime cannot say it
    if len(expected) == 10:
        return got.date().isoformat() == expected
    want = datetime.fromisoformat(expected)
    if want.tzinfo is None:
        return got.tzinfo is None and got.replace(microsecond=0) == want
    return got.tzinfo is not None and got == want


def dateparser_right(case: Case) -> bool:
    try:
        return means(dateparser_parse(case), case.expected)
    except Exception as exc:  # a crash on one string is a wrong answer, not a failed run
        print(f"  dateparser failed on {case.text!r}: {exc!r}", file=sys.stderr)
        return False


def _time_per_string(fn: Any, cases: list[Case], passes: int) -> float:
    fn(cases[0])  # warm-up: imports, language data

    def one_pass() -> None:
        for case in cases:
            fn(case)

    return median(cpu_timed(one_pass, passes)) / len(cases)


def cold_start(ctx: Context, code: str, runs: int, name: str) -> tuple[float, float, str]:
    """(median seconds for import + first parse inside a fresh interpreter,
    median wall seconds of the whole process, error or '')."""
    inner, wall = [], []
    out = ctx.dir("dates")
    for i in range(runs):
        run = run_child([sys.executable, "-c", code], out_dir=out, name=f"cold-{name}-{i}")
        if run.returncode != 0:
            return float("nan"), float("nan"), last_line(run.stderr)
        inner.append(float(run.stdout.strip().splitlines()[-1]))
        wall.append(run.wall)
    return median(inner), median(wall), ""


def importtime_top(ctx: Context, n: int = 8) -> list[str]:
    """The modules that take the most time to import (``python -X importtime``)."""
    run = run_child(
        [sys.executable, "-X", "importtime", "-c", "from crawler.extract import parse_date"],
        out_dir=ctx.dir("dates"),
        name="importtime",
    )
    rows: list[tuple[int, int, str]] = []
    for line in run.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        rows.append((int(parts[0]), int(parts[1]), parts[2].strip()))
    if not rows:
        return ["-X importtime gave nothing"]
    total = max(cum for _, cum, _ in rows)
    top_self = sorted(rows, reverse=True)[:n]
    own = sorted(
        (r for r in rows if r[2].startswith(("crawler", "arsip", "pipelines", "archive"))),
        key=lambda r: -r[1],
    )[:n]
    return [
        f"`python -X importtime -c 'from crawler.extract import parse_date'`: "
        f"{total / 1000:.0f} ms in all (import only, no parse).",
        "- most self time: " + "; ".join(f"`{name}` {s / 1000:.1f} ms" for s, _, name in top_self),
        "- project modules by cumulative time: "
        + "; ".join(f"`{name}` {c / 1000:.1f} ms" for _, c, name in own),
        "- `crawler/extract/__init__.py` imports the whole extractor (lxml, profiles, "
        "the DOM code) before `parse_date` can be used, and `patterns` compiles every "
        "regular expression at import.",
    ]


# -- the measure ---------------------------------------------------------------------


def measure(ctx: Context) -> Table:
    table = Table(
        "dates",
        "2. Date parsing: arsip `parse_date` vs `dateparser.parse`",
        ["arsip", "dateparser", "arsip / dateparser"],
    )
    corpus = corpus_cases()
    replica = replica_cases(ctx.size(60, 3))
    if ctx.quick:
        corpus = corpus[:10]
    common = [c for c in corpus + replica if c.common]
    have_dp = installed("dateparser")
    fast_passes = ctx.size(20, 1)
    slow_passes = ctx.size(3, 1)

    ctx.log(f"dates: {len(common)} common strings, {len(corpus)} corpus cases")
    for label, cases in (("common forms", common), ("all corpus cases", corpus)):
        if not cases:
            continue
        mine = _time_per_string(arsip_right, cases, fast_passes)
        theirs = _time_per_string(dateparser_right, cases, slow_passes) if have_dp else None
        target, met = ("≥ 10× faster", None) if label == "common forms" else ("", None)
        if theirs is not None and label == "common forms":
            met = theirs / mine >= 10
        table.row(
            f"CPU time per string, {label} ({len(cases)})",
            [
                fmt_ms(mine),
                fmt_ms(theirs) if theirs is not None else NOT_INSTALLED,
                fmt_ratio(ratio(mine, theirs)) if theirs is not None else "n/a",
            ],
            target,
            met,
        )
        if theirs is not None:
            table.row(f"speed-up, {label}", [fmt_ratio(ratio(theirs, mine)), "1×", ""])

    runs = ctx.size(5, 1)
    ctx.log("dates: cold starts")
    a_inner, a_wall, a_err = cold_start(ctx, COLD_ARSIP, runs, "arsip")
    if have_dp:
        d_inner, d_wall, d_err = cold_start(ctx, COLD_DATEPARSER, runs, "dateparser")
    else:
        d_inner = d_wall = float("nan")
        d_err = NOT_INSTALLED
    cold_met = None if a_err else a_inner < 0.020
    cold_row = table.row(
        "cold start: import + first parse, fresh interpreter",
        [a_err or fmt_ms(a_inner), d_err or fmt_ms(d_inner), fmt_ratio(ratio(a_inner, d_inner))],
        "arsip < 20 ms",
        cold_met,
    )
    table.row(
        "cold start: whole process (interpreter start included), wall",
        [a_err or fmt_ms(a_wall), d_err or fmt_ms(d_wall), fmt_ratio(ratio(a_wall, d_wall))],
    )

    groups = [("corpus cases", corpus), ("replica strings", replica), ("all", corpus + replica)]
    for label, cases in groups:
        if not cases:
            continue
        mine_ok = sum(arsip_right(c) for c in cases) / len(cases)
        theirs_ok = sum(dateparser_right(c) for c in cases) / len(cases) if have_dp else None
        met = None if theirs_ok is None or label != "all" else mine_ok > theirs_ok
        table.row(
            f"correct, {label} ({len(cases)})",
            [
                fmt_pct(mine_ok),
                fmt_pct(theirs_ok) if theirs_ok is not None else NOT_INSTALLED,
                f"{(mine_ok - theirs_ok) * 100:+.1f} pts" if theirs_ok is not None else "n/a",
            ],
            "more correct" if label == "all" else "",
            met,
        )
    table.notes += [
        f"{len(corpus)} corpus cases (61 in the file; relative phrases resolved against the "
        f"case's context date, else {FIXED_REFERENCE}); {len(replica)} replica strings from "
        f"{ctx.size(60, 3)} articles (event times written without a zone are left out: "
        "their zone comes from the site profile).",
        f"CPU time per string: median of {fast_passes} passes (arsip) and {slow_passes} "
        "(dateparser) after a warm-up call; the correctness check is inside the timed call "
        "for both.",
        "Cold start: `python -c` in a fresh process, timed inside it from before the import "
        f"to after the first parse of {SAMPLE!r}; median of {runs}. "
        "arsip's import is `from crawler.extract import parse_date`, the public API.",
    ]
    if ctx.profile and cold_row.met is False:
        table.bounds += importtime_top(ctx)
    return table
