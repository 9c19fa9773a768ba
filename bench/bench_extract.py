"""Timings of crawler.extract: import + first page, ms/page, µs/date string.

Run from the repository root::

    .venv/bin/python bench/bench_extract.py [--repeat N]

Prints the cold start (a fresh interpreter: import + first page), the
per-page time on the ANRI fixture and on each shared-corpus page (median of
N runs), the date parser's fast path against ``dateparser.parse`` on the
common forms, and trafilatura on the same pages when it is installed.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract import extract, parse_date  # noqa: E402
from crawler.profiles import site_for  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "anri-seed-article.html"
FIXTURE_URL = "https://anri.go.id/publikasi/berita/anjangsama-media-sosial-2021"
CORPUS = ROOT / "tests" / "corpus" / "pages"
COMMON_DATES = [
    "Kamis, 5 November 2015 14:56 WIB",
    "Rabu, 4 November 2015 | 21:04 WIB",
    "Selasa, 23/02/2016 15:32 WIB",
    "on 16 Feb 2016 at 09:10 WIB",
    "Jum'at, 17 Februari 2017 - 13:30 wib",
    "9 Desember 2021",
    "09 Dec 2021",
    "2016-02-16T13:01:52+0700",
    "Senin, 13 Desember 2021 pukul 09.00 WIB",
    "12/07/2026 10:00 WIB",
]


def _median_ms(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def cold_start() -> str:
    code = (
        "import time; t = time.perf_counter(); from crawler.extract import extract; "
        "from crawler.profiles import site_for; "
        "t1 = time.perf_counter(); "
        f"extract(open({str(FIXTURE)!r}, 'rb').read(), {FIXTURE_URL!r}, "
        f"site=site_for(None, {FIXTURE_URL!r})); "
        "t2 = time.perf_counter(); "
        "print(f'{(t1 - t) * 1000:.1f} {(t2 - t1) * 1000:.1f} {(t2 - t) * 1000:.1f}')"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(5)
    ]
    best = min(runs, key=lambda r: float(r[2]))
    return f"cold start (best of 5): import {best[0]} ms + first page {best[1]} ms = {best[2]} ms"


def pages(repeat: int) -> list[tuple[str, int, float]]:
    found = [("anri-seed-article (fixture)", FIXTURE.read_bytes(), FIXTURE_URL)]
    if CORPUS.is_dir():
        for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
            found.append((folder.name, (folder / "page.html").read_bytes(), "http://example.id/"))
    rows = []
    for name, html, url in found:
        site = site_for(None, url)
        extract(html, url, site=site)  # warm
        ms = _median_ms(functools.partial(extract, html, url, site=site), repeat)
        rows.append((name, len(html), ms))
    return rows


def dates(repeat: int) -> tuple[float, float | None]:
    def fast() -> None:
        for text in COMMON_DATES:
            parse_date(text)

    ours = _median_ms(fast, repeat) * 1000 / len(COMMON_DATES)
    try:
        import dateparser  # noqa: PLC0415 - optional dependency (a peer)
    except ImportError:
        return ours, None
    settings = {"DATE_ORDER": "DMY"}
    dateparser.parse(COMMON_DATES[0], languages=["id", "en"], settings=settings)  # warm caches

    def slow() -> None:
        for text in COMMON_DATES:
            dateparser.parse(text, languages=["id", "en"], settings=settings)

    theirs = _median_ms(slow, max(3, repeat // 5)) * 1000 / len(COMMON_DATES)
    return ours, theirs


def trafilatura_pages(repeat: int) -> float | None:
    try:
        import trafilatura  # noqa: PLC0415 - optional dependency (a peer)
    except ImportError:
        return None
    folders = sorted(p for p in CORPUS.iterdir() if p.is_dir())
    total = 0.0
    for folder in folders:
        html = (folder / "page.html").read_bytes()
        total += _median_ms(functools.partial(trafilatura.bare_extraction, html), repeat)
    return total / len(folders)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=25, help="runs per measurement (median)")
    args = parser.parse_args()
    print(cold_start())
    rows = pages(args.repeat)
    for name, size, ms in rows:
        print(f"  {name:40s} {size / 1024:7.1f} KB {ms:7.2f} ms/page")
    corpus = [ms for name, _, ms in rows[1:]]
    if corpus:
        print(
            f"corpus: {len(corpus)} pages, mean {statistics.mean(corpus):.2f} ms/page, "
            f"median {statistics.median(corpus):.2f}, max {max(corpus):.2f}"
        )
    ours, theirs = dates(args.repeat)
    line = f"dates: fast path {ours:.1f} µs/string"
    if theirs is not None:
        line += f", dateparser.parse {theirs:.1f} µs/string ({theirs / ours:.0f}x)"
    print(line)
    peer = trafilatura_pages(max(3, args.repeat // 5)) if CORPUS.is_dir() else None
    print(
        "trafilatura: not installed"
        if peer is None
        else f"trafilatura.bare_extraction: {peer:.2f} ms/page"
    )


if __name__ == "__main__":
    main()
