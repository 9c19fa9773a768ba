"""Measure 7: re-extraction from WARC, articles per CPU-second (= per core).

Input: the WARC of the CPU-bound crawl (measure 3) when it ran in this
session, else a fresh full crawl of the live replica. arsip: ``arsip
reextract`` in a child process when the command exists (CPU time from its
rusage), else a direct loop over the WARC's article records calling
`crawler.extract.extract`; trafilatura: the same loop calling
``bare_extraction(with_metadata=True)``. Both loops read the records with
the faster of warcio and FastWARC.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from arsip.parallel import available_cores
from bench import profiling
from bench import warcread as W
from bench.crawls import arsip_crawl, warc_files
from bench.harness import (
    NOT_INSTALLED,
    Context,
    Table,
    cpu_timed,
    fmt_ms,
    fmt_ratio,
    installed,
    last_line,
    median,
    ratio,
    run_child,
)
from bench.sites import NEWS_PATH, replica
from crawler.extract import extract
from crawler.profiles import load_profile, site_for

DEFAULT_TARGET = 3.0  # the extraction target (arsip ≤ 1/3 of trafilatura's time)
REEXTRACT_COMPONENTS: tuple[tuple[str, str], ...] = (
    ("extraction", "/crawler/extract/"),
    ("validation (jsonschema)", "/jsonschema/"),
    ("JSON Lines + dataset + validation (pipelines/)", "/pipelines/"),
    ("WARC reading (archive/, warcio, fastwarc)", "/archive/"),
    ("WARC reading (archive/, warcio, fastwarc)", "/warcio/"),
    ("WARC reading (archive/, warcio, fastwarc)", "fastwarc"),
    ("imports", "_find_and_load"),
)


def _arsip_one(record: W.ArticleRecord) -> Any:
    return extract(record.body, record.url, headers=record.headers, site=site_for("anri"))


def _trafilatura_one(record: W.ArticleRecord) -> Any:
    import trafilatura  # noqa: PLC0415 - optional dependency (a peer)

    return trafilatura.bare_extraction(record.body, url=record.url, with_metadata=True)


def loop_rate(
    paths: Sequence[Path],
    reader: str,
    one: Callable[[W.ArticleRecord], Any],
    repeats: int,
    limit: int,
) -> tuple[float, int]:
    """(articles per CPU-second, articles) for read + extract over the WARC files."""
    is_article = load_profile("anri").is_article
    read = W.READERS[reader][1]
    counted = 0

    def one_pass() -> None:
        nonlocal counted
        counted = 0
        for record in read(paths, is_article):
            one(record)
            counted += 1
            if counted >= limit:
                break

    one(next(iter(read(paths, is_article))))  # warm-up
    seconds = median(cpu_timed(one_pass, repeats))
    return counted / seconds, counted


def reader_cost(paths: Sequence[Path], reader: str, repeats: int) -> tuple[float, int]:
    """(CPU seconds per article record, records) for reading alone."""
    is_article = load_profile("anri").is_article
    read = W.READERS[reader][1]
    count = sum(1 for _ in read(paths, is_article))
    seconds = median(cpu_timed(lambda: sum(1 for _ in read(paths, is_article)), repeats))
    return seconds / max(count, 1), count


def reextract_cli() -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "arsip", "reextract", "--help"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.returncode == 0


def _cli_rates(
    ctx: Context, paths: Sequence[Path], repeats: int, cores: int
) -> tuple[float | None, int, str, float, float]:
    """(articles per CPU-second with --jobs 1, articles, '', median wall seconds of
    --jobs 1, of --jobs *cores*) of `arsip reextract WARC... --out DIR --jobs N`, or
    (None, 0, why not, 0, 0). The two are run in turn (1, N, 1, N, ...), so a slow
    stretch of the shared machine falls on both. Articles: the lines of the JSON
    Lines it wrote. The CPU rate is only meaningful with one job (the workers' CPU
    is not in the child's rusage)."""
    rates: list[float] = []
    walls: dict[int, list[float]] = {1: [], cores: []}
    articles = 0
    for i in range(repeats):
        for jobs, wall in walls.items():
            out = ctx.dir(f"reextract-cli-jobs-{jobs}")
            argv = [*cli_argv(paths, out / f"run-{i}"), "--jobs", str(jobs)]
            run = run_child(argv, out_dir=out, name=f"cli-{i}")
            if run.returncode != 0:
                why = f"`arsip reextract` failed here: {last_line(run.stderr)}"
                return None, 0, why, 0.0, 0.0
            wall.append(run.wall)
            if jobs == 1:
                articles = sum(
                    1
                    for p in (out / f"run-{i}" / "json").glob("*.jsonl")
                    for line in p.open(encoding="utf-8")
                    if line.strip()
                )
                rates.append(articles / run.cpu)
    return median(rates), articles, "", median(walls[1]), median(walls[cores])


def cli_argv(paths: Sequence[Path], out: Path) -> list[str]:
    return [sys.executable, "-m", "arsip", "reextract", *map(str, paths), "--out", str(out)]


def _input(ctx: Context) -> tuple[list[Path], str]:
    cpu = ctx.results.get("crawl-cpu")
    if cpu is not None and cpu.data.get("warc_dir"):
        paths = warc_files(Path(cpu.data["warc_dir"]))
        if paths:
            return (
                paths,
                f"the WARC of measure 3's full crawl ({cpu.data['articles']} articles, nginx)",
            )
    articles = ctx.size(300, 10)
    with replica(articles) as site:
        crawl = arsip_crawl(ctx, "full", site.base_url.rstrip("/") + NEWS_PATH, "reextract-input")
    if not crawl.ok:
        raise RuntimeError(f"input crawl failed: {crawl.error}")
    return warc_files(crawl.out / "warc"), f"a full crawl of the live replica ({articles} articles)"


def measure(ctx: Context) -> Table:
    table = Table(
        "reextract",
        "7. Re-extraction from WARC: arsip vs trafilatura",
        ["arsip", "trafilatura", "arsip / trafilatura"],
    )
    try:
        paths, source = _input(ctx)
    except RuntimeError as exc:
        table.notes.append(str(exc))
        return table
    repeats = ctx.size(3, 1)
    limit = ctx.size(400, 10)
    readers = [r for r in W.READERS if W.available(r)]
    costs = {r: reader_cost(paths, r, repeats) for r in readers}
    reader = min(readers, key=lambda r: costs[r][0])
    ctx.log(f"reextract: reader {reader}; {costs[reader][1]} article records")
    loop, counted = loop_rate(paths, reader, _arsip_one, repeats, limit)
    cli: float | None = None
    cli_articles, why = 0, "the command does not exist yet"
    wall_one = wall_all = 0.0
    cores = available_cores()
    pairs = ctx.size(5, 1)
    if reextract_cli():
        ctx.log(f"reextract: arsip reextract --jobs 1 and --jobs {cores}, in turn")
        cli, cli_articles, why, wall_one, wall_all = _cli_rates(ctx, paths, pairs, cores)
    peer_rate = None
    if installed("trafilatura"):
        peer_rate, _ = loop_rate(paths, reader, _trafilatura_one, repeats, limit)
    target = DEFAULT_TARGET
    extraction = ctx.results.get("extraction")
    if extraction is not None:
        times = extraction.data.get("times", {})
        if times.get("replica/trafilatura") and times.get("replica/arsip"):
            target = times["replica/trafilatura"] / times["replica/arsip"]
    peer = NOT_INSTALLED if peer_rate is None else f"{peer_rate:.0f}"
    goal = f"≥ {target:.2f}× (the extraction ratio)"

    def versus(rate: float) -> str:
        return "n/a" if peer_rate is None else fmt_ratio(ratio(rate, peer_rate))

    def met(rate: float) -> bool | None:
        return None if peer_rate is None else rate >= target * peer_rate

    if cli is not None:
        table.row(
            "`arsip reextract` (whole rebuild) vs trafilatura loop: articles per CPU-second",
            [f"{cli:.0f}", peer, versus(cli)],
            goal,
            met(cli),
        )
        table.row(
            "direct loop: read + extract, articles per CPU-second",
            [f"{loop:.0f}", peer, versus(loop)],
        )
        if wall_one and wall_all:
            speedup = wall_one / wall_all
            table.row(
                f"`arsip reextract` wall: --jobs 1 vs --jobs {cores} (all {cores} cores)",
                [f"{wall_one:.2f} s / {wall_all:.2f} s", "", f"{speedup:.2f}× faster"],
                "≥ 1.7× on 2 cores",
                speedup >= 1.7 if cores >= 2 else None,
            )
        cli_note = (
            f"`arsip reextract WARC... --out DIR --jobs 1` in a child process: {cli_articles} "
            "articles "
            "rebuilt (extraction, validation, JSON Lines, SQLite dataset), CPU time from its "
            f"rusage, interpreter start-up included; median of {pairs}. The wall row runs "
            f"the same rebuild with --jobs 1 and --jobs {cores} ({cores} cores on this "
            f"machine) in turn, {pairs} times each; medians."
        )
    else:
        table.row(
            "direct loop (reextract CLI pending): read + extract, articles per CPU-second",
            [f"{loop:.0f}", peer, versus(loop)],
            goal,
            met(loop),
        )
        cli_note = f"`arsip reextract`: not measured ({why})."
    table.notes += [
        f"Input: {source}: {len(paths)} WARC file(s), {costs[reader][1]} article records; "
        f"the loops stop after {counted} articles; median of {repeats} pass(es) after a warm-up.",
        cli_note,
        f"Direct loops: {reader} + `extract(body, url, headers, site=site_for('anri'))`"
        " for arsip, `trafilatura.bare_extraction(body, url=url, with_metadata=True)` for "
        "trafilatura; CPU time of this process; one core.",
        "Reader: "
        + ", ".join(f"{r} {fmt_ms(costs[r][0])} per record" for r in readers)
        + f"; the faster ({reader}) is used for both.",
    ]
    if ctx.profile and table.rows[0].met is False:
        table.bounds += _profile(ctx, paths, reader, cli=cli is not None)
    return table


def _profile(ctx: Context, paths: Sequence[Path], reader: str, *, cli: bool) -> list[str]:
    if not profiling.available():
        return ["py-spy not installed: no profile"]
    out = ctx.dir("profile-reextract")
    if cli:
        argv, what = cli_argv(paths, out / "rebuild"), "`arsip reextract`"
    else:
        argv = [sys.executable, "-m", "bench.workloads", "reextract", "--reader", reader]
        argv += map(str, paths)
        what = "the direct re-extraction loop"
    try:
        samples = profiling.pyspy(argv, out, "reextract")
    except RuntimeError as exc:
        return [f"profile failed: {exc}"]
    described = profiling.describe(samples, components=REEXTRACT_COMPONENTS)
    return [
        f"A profiled run of {what}, " + described[0],
        "- importing modules (start-up): "
        f"{samples.share_with('_find_and_load'):.0%} of the samples",
        *described[1:],
        "- project functions by inclusive time: "
        + "; ".join(
            f"`{n}` {s:.0%}"
            for n, s in samples.top_inclusive(10, include=profiling.PROJECT, project_only=True)
        ),
    ]
