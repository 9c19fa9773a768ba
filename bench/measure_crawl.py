"""Measures 3 and 4: crawling, CPU-bound (nginx, full vs bare) and latency-bound (vs wget).

3. The replica exported as static files and served by nginx on loopback:
   arsip's full pipeline (WARC + extraction + validation + JSON Lines +
   dataset) against the same spider with all of it off ("bare Scrapy"),
   same concurrency; wall time and the child's CPU time (rusage).
4. The live replica with 20 ms added before each response: arsip with 8
   concurrent requests per host against ``wget --recursive
   --page-requisites --warc-file`` (one request at a time); wall time and
   what each archived.
"""

from __future__ import annotations

from bench import profiling
from bench.crawl_child import BARE_OFF
from bench.crawls import Crawl, arsip_crawl, captured, crawl_argv, wget_crawl
from bench.harness import (
    Context,
    Table,
    fmt_ratio,
    fmt_s,
    last_line,
    median,
    proc_cpu,
    ratio,
)
from bench.sites import NEWS_PATH, StaticSite, bench_profile, find_binary, replica
from crawler.profiles import load_profile

PER_HOST = 8
PROFILE_PAGES = 1200


def _failed(table: Table, what: str, crawl: Crawl) -> Table:
    table.notes.append(f"{what} failed: {crawl.error}")
    return table


def measure_cpu(ctx: Context) -> Table:
    table = Table(
        "crawl-cpu",
        "3. Crawl, CPU-bound: full pipeline vs bare Scrapy (static replica on nginx)",
        ["arsip full pipeline", "bare Scrapy", "full / bare"],
    )
    if find_binary("nginx") is None:
        table.notes.append("nginx not installed (apt-get install -y nginx): not measured")
        return table
    articles = ctx.size(1000, 10)
    profile = str(bench_profile(ctx.work))
    runs: dict[str, list[Crawl]] = {"full": [], "bare": []}
    with StaticSite(articles, ctx.work) as site:
        ctx.log(f"crawl-cpu: exported {site.files} files in {site.export_seconds:.1f} s")
        start = site.base_url + NEWS_PATH
        for i in range(ctx.repeats):
            for mode in ("full", "bare"):  # interleaved: drift on a shared machine hits both
                crawl = arsip_crawl(
                    ctx, mode, start, f"cpu-{mode}-{i}", profile=profile, per_host=PER_HOST
                )
                if not crawl.ok:
                    return _failed(table, f"{mode} crawl", crawl)
                ctx.log(
                    f"crawl-cpu: {mode} {crawl.pages} pages, "
                    f"wall {crawl.run.wall:.1f} s, cpu {crawl.run.cpu:.1f} s"
                )
                runs[mode].append(crawl)
        profile_lines: list[str] = []
        full_wall = median([c.run.wall for c in runs["full"]])
        bare_wall = median([c.run.wall for c in runs["bare"]])
        full_cpu = median([c.run.cpu for c in runs["full"]])
        bare_cpu = median([c.run.cpu for c in runs["bare"]])
        missed = full_cpu > 1.3 * bare_cpu or full_wall > 1.3 * bare_wall
        if ctx.profile and missed:
            profile_lines = _profile_full_crawl(ctx, start, profile, full_cpu, bare_cpu)
    full, bare = runs["full"][-1], runs["bare"][-1]
    table.row(
        "wall time",
        [fmt_s(full_wall), fmt_s(bare_wall), fmt_ratio(ratio(full_wall, bare_wall))],
        "≤ 1.3×",
        full_wall <= 1.3 * bare_wall,
    )
    table.row(
        "CPU time (child's rusage)",
        [fmt_s(full_cpu), fmt_s(bare_cpu), fmt_ratio(ratio(full_cpu, bare_cpu))],
        "≤ 1.3×",
        full_cpu <= 1.3 * bare_cpu,
    )
    table.row(
        "CPU per page",
        [
            f"{full_cpu / full.pages * 1000:.2f} ms",
            f"{bare_cpu / bare.pages * 1000:.2f} ms",
            fmt_ratio(ratio(full_cpu / full.pages, bare_cpu / bare.pages)),
        ],
    )
    table.row(
        "pages fetched / articles emitted",
        [f"{full.pages} / {full.result['items']}", f"{bare.pages} / {bare.result['items']}", ""],
    )
    table.row(
        "peak RSS",
        [
            f"{full.run.maxrss_kb / 1024:.0f} MB",
            f"{bare.run.maxrss_kb / 1024:.0f} MB",
            fmt_ratio(ratio(full.run.maxrss_kb, bare.run.maxrss_kb)),
        ],
    )
    table.notes += [
        f"`arsip demo-site --export --articles {articles}` ({site.files} files) served by nginx "
        "(1 worker, gzip as in the export's nginx.conf) on 127.0.0.1; every crawl starts at "
        f"{NEWS_PATH}, obeys robots.txt, reads the sitemap and follows the static pagination "
        "(profile = anri + `/publikasi/berita/page/N/` as listings).",
        f"Both: CONCURRENT_REQUESTS 16, CONCURRENT_REQUESTS_PER_DOMAIN {PER_HOST}, LOG_LEVEL "
        f"WARNING, progress off; median of {ctx.repeats} runs each, interleaved.",
        "bare: " + ", ".join(BARE_OFF) + " = False; extraction off via "
        f"{bare.result.get('how', '?')}.",
    ]
    if full.pages != bare.pages:
        table.notes.append(
            f"the two crawls fetched different numbers of pages ({full.pages} vs {bare.pages})"
        )
    table.data = {
        "wall_per_page": full_wall / full.pages,
        "warc_dir": str(full.out / "warc"),
        "articles": articles,
        "pages_per_cpu_s": full.pages / full_cpu,
    }
    table.bounds += profile_lines
    return table


def _profile_full_crawl(
    ctx: Context, start: str, profile: str, cpu: float, bare_cpu: float
) -> list[str]:
    if not profiling.available():
        return ["py-spy not installed: no profile"]
    out = ctx.work / "crawls" / "cpu-profiled"
    logs = ctx.dir("logs")
    # The first PROFILE_PAGES pages only: the same mix of listings, articles and
    # requisites, in a third of the time.
    argv = crawl_argv(
        "full",
        start,
        out,
        logs / "cpu-profiled.json",
        profile=profile,
        per_host=PER_HOST,
        extra={"CLOSESPIDER_PAGECOUNT": PROFILE_PAGES},
    )
    ctx.log("crawl-cpu: profiling a full crawl with py-spy")
    try:
        samples = profiling.pyspy(argv, ctx.dir("profile-crawl"), "crawl-full")
    except RuntimeError as exc:
        return [f"profile failed: {exc}"]
    described = profiling.describe(samples, components=profiling.CRAWL_COMPONENTS, cpu_seconds=cpu)
    lines = [
        f"The full crawl takes {cpu - bare_cpu:.1f} CPU-seconds more than the bare one "
        f"({cpu:.1f} s vs {bare_cpu:.1f} s, medians). A profiled full crawl (its first "
        f"{PROFILE_PAGES} pages; seconds = share × the full crawl's CPU time), " + described[0],
        *described[1:],
        "- project functions by inclusive time: "
        + "; ".join(
            f"`{n}` {s:.0%}"
            for n, s in samples.top_inclusive(12, include=profiling.PROJECT, project_only=True)
        ),
        "- Read it against the bare crawl: Scrapy, Twisted and the spider are in both; the rest "
        "is what the full pipeline adds, plus the Scrapy work its items cause (item "
        "pipeline calls, signals, stats).",
    ]
    return lines


def _four_times(w_wall: float, startup: float, responses: int) -> str:
    budget = w_wall / 4 - startup
    if budget <= 0:
        return (
            f"- 4× faster than wget means ≤ {w_wall / 4:.2f} s in all: less than arsip's "
            "start-up alone on a site this small."
        )
    return (
        f"- 4× faster than wget means ≤ {w_wall / 4:.2f} s in all, i.e. about "
        f"{budget / responses * 1000:.1f} ms of crawler time per response after start-up: "
        "the per-response CPU cost of the full pipeline (split by component in measure 3's "
        "profile) has to come down, and a larger site amortizes the start-up."
    )


def measure_latency(ctx: Context) -> Table:
    table = Table(
        "crawl-latency",
        "4. Crawl, latency-bound: arsip vs wget (replica with 20 ms per response)",
        ["arsip", "wget", "arsip / wget"],
    )
    if find_binary("wget") is None:
        table.notes.append("wget not installed (apt-get install -y wget): not measured")
        return table

    is_article = load_profile("anri").is_article
    articles = ctx.size(150, 5)
    a_runs: list[Crawl] = []
    w_walls: list[float] = []
    w_cpus: list[float] = []
    server_cpu: dict[str, list[float]] = {"arsip": [], "wget": []}
    with replica(articles, latency_ms=20) as site:
        base = site.base_url.rstrip("/")
        pid = site.proc.pid if site.proc is not None else 0
        for i in range(ctx.repeats):
            before = proc_cpu(pid)
            crawl = arsip_crawl(
                ctx, "full", base + NEWS_PATH, f"latency-arsip-{i}", per_host=PER_HOST
            )
            if not crawl.ok:
                return _failed(table, "arsip crawl", crawl)
            a_runs.append(crawl)
            middle = proc_cpu(pid)
            run, w_out = wget_crawl(ctx, base, f"latency-wget-{i}")
            if run.returncode not in (0, 8):  # 8: some 404 (the replica's dead link)
                table.notes.append(f"wget failed ({run.returncode}): {last_line(run.stderr)}")
                return table
            w_walls.append(run.wall)
            w_cpus.append(run.cpu)
            server_cpu["arsip"].append(middle - before)
            server_cpu["wget"].append(proc_cpu(pid) - middle)
            ctx.log(f"crawl-latency: arsip {crawl.run.wall:.1f} s, wget {run.wall:.1f} s")
    a_wall, w_wall = median([c.run.wall for c in a_runs]), median(w_walls)
    a_cpu = median([c.run.cpu for c in a_runs])
    inside = median([float(c.result.get("duration", 0)) for c in a_runs])
    mine = captured(a_runs[-1].out, is_article)
    theirs = captured(w_out, is_article)
    wall_row = table.row(
        "wall time",
        [fmt_s(a_wall), fmt_s(w_wall), fmt_ratio(ratio(a_wall, w_wall))],
        "≤ 0.25× (≥ 4× faster)",
        a_wall * 4 <= w_wall,
    )
    table.row("speed-up", [fmt_ratio(ratio(w_wall, a_wall)), "1×", ""])
    table.row(
        "arsip: crawl time (process start-up and imports excluded)",
        [fmt_s(inside), "", fmt_ratio(ratio(inside, w_wall))],
    )
    w_cpu = median(w_cpus)
    table.row(
        "CPU time of the crawler process (rusage)",
        [fmt_s(a_cpu), fmt_s(w_cpu), fmt_ratio(ratio(a_cpu, w_cpu))],
    )
    table.row(
        "replica server CPU during the crawl",
        [fmt_s(median(server_cpu["arsip"])), fmt_s(median(server_cpu["wget"])), ""],
    )
    rows = (
        ("articles", "article pages archived (distinct URLs, 200)", True),
        ("200", "URLs archived with status 200 (distinct)", True),
        ("records", "response records written (any status, repeats included)", False),
    )
    for key, label, judged in rows:
        table.row(
            label,
            [str(mine[key]), str(theirs[key]), fmt_ratio(ratio(mine[key], theirs[key]))],
            "≥ wget" if judged else "",
            mine[key] >= theirs[key] if judged else None,
        )
    if wall_row.met is False:
        n = max(mine["records"], 1)
        table.bounds += [
            f"arsip is CPU-bound here, not latency-bound: {a_cpu:.2f} s of CPU for {n} "
            f"responses = {a_cpu / n * 1000:.1f} ms per response, against a latency floor of "
            f"20 ms / {PER_HOST} = {20 / PER_HOST:.1f} ms per response at {PER_HOST} concurrent "
            f"requests. wget spends {w_wall / max(theirs['records'], 1) * 1000:.1f} ms per "
            "response (the 20 ms plus its own work, one request at a time).",
            f"- Of arsip's {a_wall:.2f} s wall, {a_wall - inside:.2f} s is process start-up "
            "(interpreter, imports) and shut-down outside `run_crawl`.",
            _four_times(w_wall, a_wall - inside, n),
            f"- The replica is a Python server on the same 2 cores: it used "
            f"{median(server_cpu['arsip']):.2f} s of CPU during arsip's crawl.",
        ]
    table.notes += [
        f"Live replica (`arsip demo-site --articles {articles} --latency 20`, Python server) on "
        f"127.0.0.1; median of {ctx.repeats} runs each, interleaved. Counts from each tool's WARC.",
        f"arsip: `run_crawl` (full pipeline), CONCURRENT_REQUESTS_PER_DOMAIN {PER_HOST}; wget "
        "(Debian, one connection): `wget --recursive --level=inf --page-requisites --no-parent "
        "--include-directories=/publikasi,/uploads,/assets -e robots=on --adjust-extension "
        "--warc-file=... URL/publikasi/berita`.",
        "arsip also reads the sitemap and fetches the attachments (PDFs under /uploads/lampiran); "
        "wget finds the articles through the listings and the links between articles, and "
        "--no-parent keeps it from following links out of /publikasi/ (images, CSS and JS are "
        "page requisites and exempt). wget fetches a redirect's target again even when it has "
        "it already, hence repeated records.",
    ]
    return table
