"""Measure 8: the crawl's CPU per page with page classification on vs off.

Two crawls of the same live replica in child processes (`bench.crawl_child`,
the full pipeline: WARC, extraction, dataset, report), each timed by its
own rusage:

- **off**: the ``anri`` profile, whose URL patterns say which page is a
  listing and which an article (no page is classified by what it shows);
- **on**: zero-config, ``arsip crawl URL`` (the generic profile: every
  page is classified by `crawler.classify`, links are followed by the
  section and trap rules).

The zero-config crawl also reads the sitemap, so the two may fetch slightly
different page sets: the figures are per page. The difference between the
two also holds the zero-config scope rules (section, traps, one more skip
reported per menu link); the spider counts the CPU spent inside
`classify()` itself (stat ``classify/cpu_us``), the direct cost, shown as
its share of the crawl's CPU.
"""

from __future__ import annotations

from bench.crawls import arsip_crawl
from bench.harness import Context, Table, fmt_ms, fmt_pct, median, ratio
from bench.sites import NEWS_PATH, replica

#: Loopback crawls are not throttled unless told to; say so anyway (the measure is CPU).
SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}


def measure(ctx: Context) -> Table:
    articles = ctx.size(300, 30)
    table = Table(
        "classify",
        f"9. Page classification: crawl CPU per page, on vs off ({articles}-article live replica)",
        ["off (anri URL patterns)", "on (zero-config)", "on / off"],
    )
    per_page: dict[str, list[float]] = {"off": [], "on": []}
    inside: list[float] = []
    share: list[float] = []
    pages: dict[str, int] = {}
    with replica(articles) as site:
        start = site.base_url.rstrip("/") + NEWS_PATH
        for n in range(ctx.repeats):
            for mode, profile in (("off", "anri"), ("on", "generic")):
                crawl = arsip_crawl(
                    ctx, "full", start, f"classify-{mode}-{n}", profile=profile, extra=SETTINGS
                )
                if not crawl.ok:
                    raise RuntimeError(f"classify-{mode}: {crawl.error}")
                per_page[mode].append(crawl.run.cpu / max(1, crawl.pages))
                pages[mode] = crawl.pages
                if mode == "on":
                    classified = max(1, int(crawl.result.get("classified", 0)))
                    spent = float(crawl.result.get("classify_cpu", 0.0))
                    inside.append(spent / classified)
                    share.append(spent / max(crawl.run.cpu, 1e-9))
    off, on = median(per_page["off"]), median(per_page["on"])
    table.row(
        "crawl CPU per page (child rusage)",
        [fmt_ms(off), fmt_ms(on), f"{ratio(on, off):.3f}×"],
        target="a few percent",
        met=ratio(on, off) <= 1.05,
    )
    direct, part = median(inside), median(share)
    table.row(
        "CPU inside classify(), share of the crawl's CPU",
        ["—", fmt_pct(part), "—"],
        target="≤ 5 %",
        met=part <= 0.05,
    )
    table.row(
        "CPU inside classify() per classified page (listings, articles, others)",
        ["—", fmt_ms(direct), "—"],
    )
    table.notes.append(
        f"Pages fetched: off {pages.get('off', 0)}, on {pages.get('on', 0)}; medians of "
        f"{ctx.repeats} run(s). Both crawls run the whole pipeline; classification reuses "
        "the tree Scrapy parsed for the links."
    )
    table.data = {"per_page": per_page, "inside": inside, "share": share, "pages": pages}
    return table
