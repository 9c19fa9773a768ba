"""`arsip crawl PROFILE`: crawl a site profile into WARC, JSON Lines and SQLite.

Exit codes (README, docs/operations.md): 0 done; 2 wrong arguments; 3 a
profile or setting that cannot be used; 4 ``--resume`` with nothing to
resume; 5 an output directory that cannot be written (also: the WARC writer
stopped the crawl, e.g. a full disk; the summary is printed, then one line
on stderr); 6 the crawl ran but is not complete (`CrawlSummary.complete`:
something failed for good, or it was interrupted: resume it); 7 another
crawl holds the output directory's lock.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

from arsip import __version__
from arsip.core import layout
from arsip.crawling import check_start_url, find_interrupted, resolve_profile, run_crawl
from arsip.errors import EXIT_OK, EXIT_OUTPUT, EXIT_PARTIAL, EXIT_USAGE, UserError
from crawler.distributed import worker_dir
from crawler.incremental import load_knowledge
from crawler.profiles import Profile


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "crawl",
        help="crawl a site profile (archivists)",
        description="Crawl a site profile's news section: every exchange into WARC, "
        "every article into JSON Lines and the SQLite dataset, a report into reports/. "
        "A recrawl of a collection is incremental unless --full is given.",
    )
    p.add_argument("profile", metavar="PROFILE", help="profile name (e.g. anri) or .toml path")
    p.add_argument("--start-url", metavar="URL", help="start here instead of the profile's seeds")
    p.add_argument("--out", metavar="DIR", help="output directory (default data/PROFILE)")
    p.add_argument("--profiles", metavar="DIR", help="look for PROFILE in DIR first")
    p.add_argument("--max-pages", metavar="N", type=int, default=0, help="stop after N responses")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--full", action="store_true", help="a complete pass, even if the collection has crawls"
    )
    mode.add_argument(
        "--resume",
        action="store_true",
        help="continue the interrupted crawl in --out (killed, power loss, Ctrl-C)",
    )
    p.add_argument(
        "--redis",
        metavar="URL",
        help="be one worker of a distributed crawl sharing its frontier through this Redis "
        "(redis://HOST:PORT/DB): always full, output into --out (default "
        "data/PROFILE/workers/HOST-PID), merged with arsip ingest; needs arsip[distributed] "
        "(docs/scaling.md)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="show what would be fetched first and with which settings; fetch nothing",
    )
    p.add_argument(
        "--progress",
        choices=("auto", "bar", "log", "off"),
        default="auto",
        help="progress display (default: bar on a terminal, periodic lines otherwise)",
    )
    p.add_argument(
        "--log-level",
        default="WARNING",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="Scrapy log level (default WARNING)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.max_pages < 0:
        raise UserError("--max-pages must be 0 (no limit) or more", EXIT_USAGE)
    if args.dry_run:
        print("\n".join(plan(args)))
        return EXIT_OK
    summary = run_crawl(
        args.profile,
        start_url=args.start_url,
        out_dir=args.out,
        max_pages=args.max_pages,
        profiles_dir=args.profiles,
        resume=args.resume,
        full=args.full,
        overrides={"ARSIP_PROGRESS": args.progress, "LOG_LEVEL": args.log_level},
        redis_url=args.redis,
    )
    print("\n".join(summary.lines()))
    if args.redis:
        print(
            f"  worker of the distributed crawl {summary.crawl_id}: merge the workers' "
            "directories with arsip ingest DIR... --out COLLECTION"
        )
    sys.stdout.flush()
    if summary.write_error:  # a full disk: the crawl stopped itself, resumably
        raise UserError(
            f"{summary.write_error}; free space or choose another --out, then run again "
            "with --resume",
            EXIT_OUTPUT,
        )
    return EXIT_OK if summary.complete() else EXIT_PARTIAL


def plan(args: argparse.Namespace) -> list[str]:
    """``--dry-run``: the crawl's mode, first requests and settings; nothing is fetched."""

    profile = resolve_profile(args.profile, args.profiles)
    if args.start_url:
        check_start_url(args.start_url)
    out = Path(args.out) if args.out else Path("data") / profile.name
    if args.redis and not args.out:
        out = worker_dir(profile.name)
    starts = [args.start_url] if args.start_url else list(profile.start_urls)
    lines = [f"profile    {profile.name} ({profile.path})", f"out        {out}"]
    interrupted = find_interrupted(out) if out.exists() else None
    if args.resume:
        if interrupted is None:
            lines.append("resume     nothing to resume (no interrupted crawl)")
        else:
            lines.append(
                f"resume     crawl {interrupted.crawl_id}: {interrupted.queued} requests queued, "
                f"{interrupted.done} done"
            )
            if interrupted.meta.get("start_url") and not args.start_url:
                starts = [interrupted.meta["start_url"]]
    elif interrupted is not None:
        lines.append(
            f"note       crawl {interrupted.crawl_id} was interrupted: --resume continues it"
        )
    if args.redis:
        lines.append(
            f"distributed worker of the crawl shared through {args.redis} (always full; "
            "frontier, seen-set, robots.txt and politeness shared)"
        )
    requested = "full" if args.full or args.redis else "auto"
    if args.resume and interrupted is not None:
        requested = interrupted.meta.get("mode") or "auto"
    knowledge = load_knowledge(profile, out, layout.dataset_path(out), requested=requested)
    reason = "a distributed crawl is always full" if args.redis else knowledge.reason
    lines.append(f"mode       {knowledge.mode} ({reason})")
    inc, rev = profile.incremental, profile.revisit
    if knowledge.incremental:
        lines.append(
            f"incremental {len(knowledge.articles)} known articles; revisit those published "
            f"since {knowledge.cutoff} ({rev.max_age_days} days before {rev.age_from}); "
            f"stop paging after {inc.stop_after_known} known in a row"
        )
    lines.append("first requests:")
    for url in starts:
        if url:
            lines.append(f"  GET {urljoin(url, '/robots.txt')}  (robots.txt)")
            break
    lines.extend(f"  GET {url}  (listing)" for url in starts if url)
    sitemaps_read = not knowledge.incremental or inc.sitemap
    for sitemap in profile.sitemap_urls:
        note = "(sitemap)" if sitemaps_read else "(sitemap: not read in incremental crawls)"
        lines.append(f"  GET {urljoin(starts[0], sitemap) if starts else sitemap}  {note}")
    lines += _settings_lines(profile, out, args.max_pages)
    return lines


def _settings_lines(profile: Profile, out: Path, max_pages: int) -> list[str]:
    from croniter import croniter  # noqa: PLC0415 - start-up time: ~25 ms, only for a --schedule

    crawl = profile.crawl
    next_run = ""
    if profile.schedule:
        next_run = f" (next: {croniter(profile.schedule, datetime.now()).get_next(datetime)})"
    limit = max_pages or crawl.max_pages
    return [
        "settings:",
        f"  user agent   {crawl.user_agent.format(version=__version__)}",
        f"  robots.txt   {'obeyed' if crawl.obey_robots else 'IGNORED'}",
        f"  concurrency  {crawl.concurrent_requests_per_host} per host",
        f"  delay        {crawl.download_delay} s,"
        f" AutoThrottle {'on' if crawl.autothrottle else 'off'}",
        f"  max depth    {crawl.max_depth or 'no limit'}",
        f"  max pages    {limit or 'no limit'}",
        f"  requisites   {'fetched' if profile.requisites else 'not fetched'}",
        f"  full every   {profile.incremental.full_every or 'only with --full'} crawl(s)",
        f"  WARC         prefix {profile.warc_prefix}, collection {profile.collection},"
        f" into {out / 'warc'}",
        f"  schedule     {profile.schedule or '(none)'}{next_run}",
    ]
