"""Measure 6: recrawl of an unchanged site, second crawl vs first.

The live replica logs every response it sends (``--log``): bytes are the
body bytes it sent during each crawl (after content coding). The second
crawl uses the same output directory as the first (the same collection,
WARC folder and dataset), so whatever arsip does to avoid downloading
unchanged pages again (incremental crawls, conditional requests, revisit
records) applies.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from bench import profiling
from bench.crawls import Crawl, arsip_crawl, crawl_argv
from bench.harness import Context, Table, fmt_bytes, fmt_pct, fmt_s, median, ratio
from bench.sites import NEWS_PATH, read_log, replica

TARGET = 0.10
Log = list[dict[str, Any]]


def measure(ctx: Context) -> Table:
    table = Table(
        "recrawl",
        "6. Recrawl of an unchanged site: second crawl vs first",
        ["first crawl", "second crawl", "second / first"],
    )
    #: The fixed cost of a crawl process weighs less as the site grows: two sizes.
    sizes = [ctx.size(200, 10), ctx.size(1000, 20)]
    profiled = False
    for articles in sizes:
        log = ctx.work / f"recrawl-responses-{articles}.jsonl"
        with replica(articles, log=log) as site:
            start = site.base_url.rstrip("/") + NEWS_PATH
            out = ctx.work / "crawls" / f"recrawl-{articles}"
            missed = _measure(ctx, table, start, log, out=out, articles=articles)
            if missed and ctx.profile and not profiled:
                table.bounds += _profile_second(ctx, start, out)
                profiled = True
    table.notes.append(
        f"Live replica of {' and of '.join(map(str, sizes))} articles, unchanged between "
        "crawls; full pipeline with the same --out; second crawl repeated "
        f"{ctx.repeats}× (median), each against the state left by the previous ones."
    )
    return table


def _measure(
    ctx: Context, table: Table, start: str, log: Path, *, out: Path, articles: int
) -> bool:
    """The rows for the site of *articles*; whether the wall-time target was missed."""
    label, site = f"{articles} articles: ", f"{articles} articles"
    first = arsip_crawl(ctx, "full", start, f"recrawl-{articles}-1", out=out)
    if not first.ok:
        table.notes.append(f"{label}first crawl failed: {first.error}")
        return False
    first_log, offset = read_log(log, 0)
    seconds: list[tuple[Crawl, Log]] = []
    for i in range(ctx.repeats):
        again = arsip_crawl(ctx, "full", start, f"recrawl-{articles}-2-{i}", out=out, fresh=False)
        if not again.ok:
            table.notes.append(f"{label}second crawl failed: {again.error}")
            return False
        entries, offset = read_log(log, offset)
        seconds.append((again, entries))
        ctx.log(f"recrawl: {label}second crawl {again.run.wall:.1f} s, {len(entries)} requests")
    first_bytes = sum(int(e["bytes"]) for e in first_log)
    b2 = median([sum(int(e["bytes"]) for e in entries) for _, entries in seconds])
    w2 = median([c.run.wall for c, _ in seconds])
    last, last_log = seconds[-1]
    bytes_row = table.row(
        f"{label}bytes sent by the replica (response bodies)",
        [fmt_bytes(first_bytes), fmt_bytes(b2), fmt_pct(ratio(b2, first_bytes))],
        "≤ 10 %",
        b2 <= TARGET * first_bytes,
    )
    wall_row = table.row(
        f"{label}wall time",
        [fmt_s(first.run.wall), fmt_s(w2), fmt_pct(ratio(w2, first.run.wall))],
        "≤ 10 %",
        w2 <= TARGET * first.run.wall,
    )
    table.row(
        f"{label}CPU time (child's rusage)",
        [fmt_s(first.run.cpu), fmt_s(median([c.run.cpu for c, _ in seconds])), ""],
    )
    table.row(f"{label}requests", [str(len(first_log)), str(len(last_log)), ""])
    statuses = Counter(str(e["status"]) for e in last_log)
    table.row(
        f"{label}responses by status",
        [_statuses(Counter(str(e["status"]) for e in first_log)), _statuses(statuses), ""],
    )
    table.row(
        f"{label}crawl mode chosen",
        [
            str(first.result.get("mode_resolved", "?")),
            str(last.result.get("mode_resolved", "?")),
            "",
        ],
    )
    if bytes_row.met is False:
        table.bounds.append(
            f"Bytes ({site}): {statuses.get('304', 0)} of {len(last_log)} responses of "
            "the second crawl are 304 Not Modified; the rest are downloaded again in full."
        )
    if wall_row.met is False:
        cpu2 = median([c.run.cpu for c, _ in seconds])
        table.bounds.append(
            f"Wall time ({site}): the second crawl makes {len(last_log)} request(s) and "
            f"still takes {w2:.2f} s wall, {cpu2:.2f} s CPU (medians). That is a fixed cost per "
            "crawl process (interpreter, imports, Scrapy and component set-up, opening the "
            "dataset and state files), about the same for any site: against a first crawl of "
            f"{len(first_log)} requests it is {ratio(w2, first.run.wall):.0%}, and "
            "the share falls as the site grows."
        )
    return wall_row.met is False


def _profile_second(ctx: Context, start_url: str, out: Path) -> list[str]:
    """py-spy on one more second crawl (the replica is still running)."""
    if not profiling.available():
        return ["py-spy not installed: no profile"]
    logs = ctx.dir("logs")
    argv = crawl_argv(
        "full", start_url, out, logs / "recrawl-profiled.json", profile="anri", per_host=8
    )
    try:
        samples = profiling.pyspy(argv, ctx.dir("profile-recrawl"), "recrawl", rate=500)
    except RuntimeError as exc:
        return [f"profile failed: {exc}"]
    described = profiling.describe(samples)
    imports = samples.share_with("_find_and_load")
    heaviest = samples.top_inclusive(10, frame_prefix="<module>")
    return [
        "A profiled second crawl, " + described[0],
        f"- importing modules: {imports:.0%} of the samples; heaviest imports (inclusive): "
        + "; ".join(f"`{n}` {s:.0%}" for n, s in heaviest),
        *described[1:],
    ]


def _statuses(counts: Counter[str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
