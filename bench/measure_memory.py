"""Measure 5: peak memory of a full crawl, 2,000 pages vs 20,000 pages.

The replica exported with pages / 2.5 articles (each article brings about
1.5 requisites: images, PDFs) and served by nginx; one full-pipeline crawl
per size in a child process; its peak RSS is ``ru_maxrss`` from wait4. The
harness also samples the child's RSS twice a second, and the crawl notes
when its last page was done (``spider_idle``), so the table can say
whether memory grows while pages are fetched or in the work after them.
The large crawl is shrunk (and the table says so) when it would not fit
the time left of the run's budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bench.crawls import Crawl, arsip_crawl
from bench.harness import Context, Table, fmt_ratio, fmt_s, ratio
from bench.sites import NEWS_PATH, StaticSite, bench_profile, find_binary

PAGES_PER_ARTICLE = 2.5
SMALL, LARGE = 2_000, 20_000
#: Peak RSS of the large crawl (10× the pages) against the small one (issue 18: 1.1×).
FLAT = 1.1
SAFETY = 1.25  # the large crawl's time estimate, padded (per-page cost grows with size)
#: `bench.timeline.memory` keys shown for the moment the last page was done: key, label.
AT_IDLE = (
    ("rssanon", "at the last page: resident anonymous memory"),
    ("rssfile", "at the last page: resident file-backed memory"),
    ("malloc_in_use", "at the last page: C heap in use (glibc malloc)"),
    ("malloc_free", "at the last page: C heap free but kept"),
    ("python_blocks", "at the last page: live Python memory blocks"),
)
MB = 2**20


@dataclass(frozen=True, slots=True)
class Phases:
    """A crawl's memory at points of its timeline (bytes), from `bench.timeline`."""

    half: float  # RSS half-way through fetching (sampled)
    closing_seconds: float  # last page done -> process exit
    idle: dict[str, int]  # `memory()` when the last page was done
    closed: dict[str, int]  # ... when spider_closed began (pipelines, scheduler closed)
    closed_last: dict[str, int]  # ... after the other spider_closed handlers (report)

    @classmethod
    def of(cls, crawl: Crawl, started: float) -> Phases | None:
        marks = crawl.result.get("marks", {})
        memory = crawl.result.get("memory", {})
        samples = crawl.run.rss
        stages = ("spider_idle", "spider_closed", "spider_closed_last")
        if not samples or "spider_opened" not in marks or not all(s in memory for s in stages):
            return None
        opened, idle = marks["spider_opened"] - started, marks["spider_idle"] - started
        middle = min(samples, key=lambda s: abs(s[0] - (opened + idle) / 2))[1] * 1024
        return cls(middle, crawl.run.wall - idle, *(memory[s] for s in stages))


def _articles(pages: int) -> int:
    return max(1, round(pages / PAGES_PER_ARTICLE))


def _crawl(
    ctx: Context, site: StaticSite, pages: int, profile: str
) -> tuple[Crawl, StaticSite, Phases | None]:
    with site:
        ctx.log(f"memory: {site.articles} articles exported in {site.export_seconds:.1f} s")
        start = site.base_url + NEWS_PATH
        started = time.monotonic()
        crawl = arsip_crawl(ctx, "full", start, f"memory-{pages}", profile=profile, rss_every=0.5)
    site.remove()
    return crawl, site, Phases.of(crawl, started)


def measure(ctx: Context) -> Table:
    table = Table(
        "memory",
        "5. Memory: peak RSS of a full crawl, small vs large site",
        ["small site", "large site", "large / small"],
    )
    if find_binary("nginx") is None:
        table.notes.append("nginx not installed (apt-get install -y nginx): not measured")
        return table
    profile = str(bench_profile(ctx.work))
    small_pages, large_pages = (SMALL, LARGE) if not ctx.quick else (100, 250)
    # The large site is exported in the background while the small one is crawled: the
    # measure is memory, which sharing the CPU does not change.
    large_site = StaticSite(_articles(large_pages), ctx.work)
    large_site.prepare()
    try:
        small_site = StaticSite(_articles(small_pages), ctx.work)
        small, small_site, small_phases = _crawl(ctx, small_site, small_pages, profile)
        if not small.ok:
            table.notes.append(f"small crawl failed: {small.error}")
            return table
        large_site, large_pages = _fit(
            ctx,
            table,
            small=small,
            small_site=small_site,
            large_site=large_site,
            large_pages=large_pages,
        )
        ctx.log(f"memory: large crawl of about {large_pages} pages")
        large, _, large_phases = _crawl(ctx, large_site, large_pages, profile)
    finally:
        large_site.cancel()
    if not large.ok:
        table.notes.append(f"large crawl failed: {large.error}")
        return table
    s_mb, l_mb = small.run.maxrss_kb / 1024, large.run.maxrss_kb / 1024
    peak = table.row(
        "peak RSS (child's ru_maxrss)",
        [f"{s_mb:.0f} MB", f"{l_mb:.0f} MB", fmt_ratio(ratio(l_mb, s_mb))],
        f"≤ {FLAT}× (flat)",
        l_mb <= FLAT * s_mb,
    )
    if small_phases and large_phases:
        _phase_rows(table, small_phases, large_phases)
    table.row(
        "pages fetched",
        [f"{small.pages:,}", f"{large.pages:,}", fmt_ratio(ratio(large.pages, small.pages))],
    )
    table.row("articles", [f"{small.result['items']:,}", f"{large.result['items']:,}", ""])
    table.row("wall time of the large crawl", ["", fmt_s(large.run.wall), ""])
    table.notes.append(
        "Full pipeline, CONCURRENT_REQUESTS_PER_DOMAIN 8, static replica on nginx with "
        f"pages / {PAGES_PER_ARTICLE} articles; one crawl per size (RSS varies little between "
        "runs). The crawl reads its own peak RSS and heap figures when its last page is done "
        "(first spider_idle signal) and before and after the spider_closed handlers "
        "(bench/timeline.py); the harness also samples its RSS every 0.5 s. The large site "
        "is exported while the small one is crawled (memory does not depend on sharing the "
        "CPU; the small crawl's time does, so it is not shown)."
    )
    table.data = {"small_kb": small.run.maxrss_kb, "large_kb": large.run.maxrss_kb}
    if peak.met is False and small_phases and large_phases:
        table.bounds += _bounds(small, large, small_phases, large_phases)
    return table


def _fit(
    ctx: Context,
    table: Table,
    *,
    small: Crawl,
    small_site: StaticSite,
    large_site: StaticSite,
    large_pages: int,
) -> tuple[StaticSite, int]:
    """The large site if its crawl fits the time left, else a smaller one (noted)."""
    cpu = ctx.results.get("crawl-cpu")
    per_page = small.run.wall / max(small.pages, 1)
    if cpu is not None and cpu.data.get("wall_per_page"):
        per_page = float(cpu.data["wall_per_page"])  # measured without an export running
    export_per_article = small_site.export_seconds / small_site.articles
    exporting = max(0.0, export_per_article * large_site.articles - large_site.exporting_for)
    need = (exporting + large_pages * per_page) * SAFETY
    left = ctx.remaining() - 15
    if need <= left:
        return large_site, large_pages
    per_page_fresh = (per_page + export_per_article / PAGES_PER_ARTICLE) * SAFETY
    fits = max(small.pages * 2, int(left / per_page_fresh) // 1000 * 1000)
    table.notes.append(
        f"**{large_pages:,} pages did not fit the run's time budget** (about {need:.0f} s "
        f"needed, {left:.0f} s left): measured {fits:,} pages instead, the largest that fits."
    )
    large_site.cancel()
    return StaticSite(_articles(fits), ctx.work), fits


def _mb(n: float) -> str:
    value = round(n / MB)
    return f"{value if value else 0} MB"  # no "-0 MB"


def _phase_rows(table: Table, sp: Phases, lp: Phases) -> None:
    def row(label: str, a: float, b: float, text: Any = _mb) -> None:
        table.row(label, [text(a), text(b), fmt_ratio(ratio(b, a))])

    row("peak RSS while fetching (up to the last page)", sp.idle["maxrss"], lp.idle["maxrss"])
    row(
        "peak RSS once the pipelines and scheduler closed (dataset, JSON Lines, frontier)",
        sp.closed["maxrss"],
        lp.closed["maxrss"],
    )
    row(
        "peak RSS after the other spider_closed handlers (crawl report)",
        sp.closed_last["maxrss"],
        lp.closed_last["maxrss"],
    )
    row("RSS half-way through fetching (sampled)", sp.half, lp.half)
    for key, label in AT_IDLE:
        if key in sp.idle and key in lp.idle:
            row(label, sp.idle[key], lp.idle[key], _mb if key != "python_blocks" else "{:,}".format)
    table.row(
        "closing time (last page done → process exit)",
        [fmt_s(sp.closing_seconds), fmt_s(lp.closing_seconds), ""],
    )


def _bounds(small: Crawl, large: Crawl, sp: Phases, lp: Phases) -> list[str]:
    pages = max(large.pages - small.pages, 1)
    final = large.run.maxrss_kb * 1024

    def grew(key: str, a: dict[str, int] = sp.idle, b: dict[str, int] = lp.idle) -> float:
        return float(b.get(key, 0) - a.get(key, 0))

    heap = grew("malloc_in_use") + grew("malloc_free") + grew("malloc_mmapped")
    lines = [
        "From the crawl's own memory readings at each stage (bench/timeline.py: peak RSS so "
        "far, /proc/self/status, glibc malloc_info, Python's block count). No allocation "
        "profiler: tracemalloc slows a crawl 5-10×; bench/README.md has the recipe.",
        f"- while fetching, the peak grows from {_mb(sp.idle['maxrss'])} "
        f"({small.pages:,} pages) to {_mb(lp.idle['maxrss'])} ({large.pages:,} pages): "
        f"{grew('maxrss') / pages / 1024:.1f} KB per extra page. Of the resident memory "
        f"at the last page, anonymous memory grew {_mb(grew('rssanon'))} and file-backed "
        f"{_mb(grew('rssfile'))}; inside the anonymous part, the C heap (malloc: in use, "
        f"free but kept, mmapped) grew {_mb(heap)} and live Python blocks by "
        f"{grew('python_blocks'):,.0f} ({grew('python_blocks') / pages:.1f} per page), so "
        f"the other {_mb(grew('rssanon') - heap)} are outside malloc's heap: Python's "
        "object arenas (pymalloc) and memory that libraries map themselves.",
        f"- closing the pipelines and the scheduler (dataset commit and checkpoint, JSON "
        f"Lines, frontier) raises the peak to {_mb(lp.closed['maxrss'])} "
        f"(+{_mb(grew('maxrss', lp.idle, lp.closed))} on the large site, "
        f"+{_mb(grew('maxrss', sp.idle, sp.closed))} on the small one).",
        f"- the other spider_closed handlers (the crawl report: `crawler.extensions.report`)"
        f" raise it to {_mb(lp.closed_last['maxrss'])} "
        f"(+{_mb(grew('maxrss', lp.closed, lp.closed_last))} on the large site, "
        f"+{_mb(grew('maxrss', sp.closed, sp.closed_last))} on the small one): work that "
        "holds the whole crawl in memory at once grows with the site.",
    ]
    if final > lp.closed_last["maxrss"] * 1.02:
        lines.append(
            f"- after those, the process reaches {_mb(final)} before it exits (engine stop, "
            "statistics, logging)."
        )
    return lines
