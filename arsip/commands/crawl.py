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
import re
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from arsip import __version__
from arsip.core import layout
from arsip.crawling import check_start_url, find_interrupted, resolve_profile, run_crawl
from arsip.errors import EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, EXIT_PARTIAL, EXIT_USAGE, UserError
from arsip.failure_lines import unreachable_lines
from crawler.distributed import worker_dir
from crawler.incremental import load_knowledge
from crawler.politeness import politeness
from crawler.profiles import Profile
from crawler.section import Section, origins_of


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "crawl",
        help="crawl a site profile (archivists)",
        description="Crawl a site profile's news section: every exchange into WARC, "
        "every article into JSON Lines and the SQLite dataset, a report into reports/. "
        "A recrawl of a collection is incremental unless --full is given.",
    )
    p.add_argument(
        "profile",
        metavar="PROFILE|URL",
        help="profile name (e.g. anri) or .toml path; or the URL of a news section "
        "(e.g. https://example.go.id/berita): crawled with the generic profile, "
        "zero-config, into data/HOST by default",
    )
    p.add_argument(
        "--start-url",
        metavar="URL",
        action="append",
        help="start here instead of the profile's seeds (repeat it for several)",
    )
    p.add_argument(
        "--seeds",
        metavar="FILE",
        help="start URLs from FILE, one per line (# comments and blank lines ignored)",
    )
    p.add_argument("--out", metavar="DIR", help="output directory (default data/PROFILE)")
    p.add_argument("--profiles", metavar="DIR", help="look for PROFILE in DIR first")
    p.add_argument("--max-pages", metavar="N", type=int, default=0, help="stop after N responses")
    p.add_argument(
        "--time-limit",
        metavar="DURATION",
        help="stop after this long (90, 90s, 30m, 2h): finished, not interrupted",
    )
    p.add_argument(
        "--size-limit",
        metavar="SIZE",
        help="stop once this much has been downloaded (500KB, 200MB, 2GB; KB = 1024 bytes)",
    )
    p.add_argument(
        "--warc-size",
        metavar="SIZE",
        help="start a new WARC file after this size (default 1GB; e.g. 100MB)",
    )
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
        "-s",
        "--set",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="a Scrapy or arsip setting for this crawl, over the profile's "
        "(e.g. -s DOWNLOAD_DELAY=2 -s CONCURRENT_REQUESTS_PER_DOMAIN=1); repeatable",
    )
    p.add_argument(
        "--log-level",
        default="WARNING",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="Scrapy log level (default WARNING)",
    )
    p.set_defaults(func=run)


_SIZE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?", re.IGNORECASE)
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)", re.IGNORECASE)
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_size(option: str, text: str | None) -> int:
    """``200MB`` -> bytes (binary units); 0 for None; one line for anything else."""
    if text is None:
        return 0
    match = _SIZE_RE.fullmatch(text.strip())
    size = int(float(match[1]) * _UNITS[match[2].upper()]) if match else 0
    if size <= 0:
        raise UserError(
            f"{option} {text!r} is not a size; give e.g. 500KB, 200MB or 2GB", EXIT_USAGE
        )
    return size


def parse_duration(option: str, text: str | None) -> float:
    """``30m`` -> seconds; 0 for None; one line for anything else."""
    if text is None:
        return 0.0
    match = _DURATION_RE.fullmatch(text.strip())
    seconds = float(match[1]) * _SECONDS[match[2].lower()] if match else 0.0
    if seconds <= 0:
        raise UserError(
            f"{option} {text!r} is not a duration; give e.g. 90 (seconds), 30m or 2h", EXIT_USAGE
        )
    return seconds


def read_seeds(path: str | None) -> list[str]:
    """The start URLs of a seeds file (one per line), each checked; one line on a problem."""
    if path is None:
        return []
    seeds = Path(path)
    if not seeds.is_file():
        raise UserError(f"--seeds {path}: no such file (one start URL per line)", EXIT_INPUT)
    try:
        text = seeds.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"--seeds {path}: cannot be read ({exc})", EXIT_INPUT) from None
    urls = []
    for number, line in enumerate(text.splitlines(), start=1):
        url = line.split("#", 1)[0].strip()
        if not url:
            continue
        try:
            urls.append(check_start_url(url))
        except UserError as exc:
            raise UserError(f"--seeds {path}, line {number}: {exc}", EXIT_USAGE) from None
    if not urls:
        raise UserError(f"--seeds {path}: no URL in it (one start URL per line)", EXIT_INPUT)
    return urls


def start_urls(args: argparse.Namespace) -> list[str]:
    """The start URLs given by --start-url (any number) and --seeds, checked."""
    given = [check_start_url(u) for u in args.start_url or []]
    return given + read_seeds(args.seeds)


#: A URL given in place of a profile name: it starts with a scheme.
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def url_target(args: argparse.Namespace) -> None:
    """``arsip crawl URL``: the generic profile, started at URL, into ``data/HOST[-PORT]``."""
    if not _URL_RE.match(args.profile):
        return
    if args.start_url or args.seeds:
        raise UserError(
            "give a URL or a profile with --start-url / --seeds, not both "
            f"(got {args.profile!r} and --start-url {' '.join(args.start_url or [])!r})",
            EXIT_USAGE,
        )
    url = check_start_url(args.profile)
    args.start_url, args.profile = [url], "generic"
    if not args.out:
        parts = urlsplit(url)
        name = (parts.hostname or "site") + (f"-{parts.port}" if parts.port else "")
        args.out = str(Path("data") / name)


def settings_given(pairs: list[str]) -> dict[str, str]:
    """``--set NAME=VALUE`` options as a dict, or a one-line error."""
    given: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name.strip()):
            raise UserError(
                f"--set {pair!r}: expected NAME=VALUE with an upper-case setting name, "
                "e.g. --set DOWNLOAD_DELAY=2",
                EXIT_USAGE,
            )
        given[name.strip()] = value.strip()
    return given


def run(args: argparse.Namespace) -> int:
    if args.max_pages < 0:
        raise UserError("--max-pages must be 0 (no limit) or more", EXIT_USAGE)
    url_target(args)
    given = settings_given(args.set)
    starts = start_urls(args)
    overrides: dict[str, object] = {
        **given,
        "ARSIP_PROGRESS": args.progress,
        "LOG_LEVEL": args.log_level,
    }
    if args.time_limit is not None:
        overrides["CLOSESPIDER_TIMEOUT"] = parse_duration("--time-limit", args.time_limit)
    if args.size_limit is not None:
        overrides["ARSIP_SIZE_LIMIT"] = parse_size("--size-limit", args.size_limit)
    if args.warc_size is not None:
        overrides["WARC_MAX_SIZE"] = parse_size("--warc-size", args.warc_size)
    args.start_url = " ".join(starts) or None  # the spider takes them white-space separated
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
        overrides=overrides,
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
    problems = unreachable_lines(summary.unreachable)
    for line in problems[:-1]:
        print(f"arsip: crawl: {line}", file=sys.stderr)
    if summary.outcome.startswith("failed"):
        raise UserError(f"crawl failed: {problems[-1]}", EXIT_PARTIAL)
    if problems:
        print(f"arsip: crawl: {problems[-1]}", file=sys.stderr)
    return EXIT_OK if summary.complete() else EXIT_PARTIAL


def plan(args: argparse.Namespace) -> list[str]:
    """``--dry-run``: the crawl's mode, first requests and settings; nothing is fetched."""

    profile = resolve_profile(args.profile, args.profiles)
    out = Path(args.out) if args.out else Path("data") / profile.name
    if args.redis and not args.out:
        out = worker_dir(profile.name)
    starts = args.start_url.split() if args.start_url else list(profile.start_urls)
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
                starts = str(interrupted.meta["start_url"]).split()
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
    by_patterns = bool(profile.article_patterns and profile.listing_patterns)
    what = "(listing)" if by_patterns else "(start page: classified when fetched)"
    lines.extend(f"  GET {url}  {what}" for url in starts if url)
    sitemaps_read = not knowledge.incremental or inc.sitemap
    for sitemap in profile.sitemap_urls:
        note = "(sitemap)" if sitemaps_read else "(sitemap: not read in incremental crawls)"
        lines.append(f"  GET {urljoin(starts[0], sitemap) if starts else sitemap}  {note}")
    lines += _scope_lines(profile, [u for u in starts if u])
    lines += _settings_lines(profile, out, args.max_pages, starts, settings_given(args.set))
    return lines


def _scope_lines(profile: Profile, starts: list[str]) -> list[str]:
    """What the crawl may fetch: origins, and the URL patterns or the section."""
    origins = sorted(origins_of(starts, profile.allowed_hosts))
    lines = [f"scope      origins {', '.join(origins) or '(none)'}"]
    if profile.article_patterns and profile.listing_patterns:
        lines.append(
            f"           pages by the profile's patterns: listings {list(profile.listing_patterns)}"
            f", articles {list(profile.article_patterns)}"
        )
    else:
        sections = ", ".join(sorted({Section.of(u).describe() for u in starts})) or "(none)"
        lines.append(
            f"           section {sections}; pages classified by what they show "
            "(article / listing / other); search, tag, calendar, gallery, document and "
            "?sort= pages are traps"
        )
    return lines


def _settings_lines(
    profile: Profile,
    out: Path,
    max_pages: int,
    starts: list[str | None] | None = None,
    given: dict[str, str] | None = None,
) -> list[str]:
    from croniter import croniter  # noqa: PLC0415 - start-up time: ~25 ms, only for a --schedule

    crawl = profile.crawl
    next_run = ""
    if profile.schedule:
        next_run = f" (next: {croniter(profile.schedule, datetime.now()).get_next(datetime)})"
    limit = max_pages or crawl.max_pages
    given = given or {}
    throttle = given.get("ARSIP_THROTTLE_LOOPBACK", "").lower() in ("1", "true", "yes", "on")
    polite = politeness(profile, [u for u in starts or [] if u], throttle)
    polite |= {k: v for k, v in given.items() if k in polite}
    local = polite["DOWNLOAD_DELAY"] == 0 and crawl.download_delay and not given
    note = " (start URLs on this machine: not throttled)" if local else ""
    autothrottle = str(polite["AUTOTHROTTLE_ENABLED"]).lower() in ("true", "1", "on", "yes")
    lines = [
        "settings:",
        f"  user agent   {crawl.user_agent.format(version=__version__)}",
        f"  robots.txt   {'obeyed' if crawl.obey_robots else 'IGNORED'}",
        f"  concurrency  {polite['CONCURRENT_REQUESTS_PER_DOMAIN']} per host{note}",
        f"  delay        {polite['DOWNLOAD_DELAY']} s,"
        f" AutoThrottle {'on' if autothrottle else 'off'}",
        f"  max depth    {crawl.max_depth or 'no limit'}",
        f"  max pages    {limit or 'no limit'}",
        f"  requisites   {'fetched' if profile.requisites else 'not fetched'}",
        f"  full every   {profile.incremental.full_every or 'only with --full'} crawl(s)",
        f"  WARC         prefix {profile.warc_prefix}, collection {profile.collection},"
        f" into {out / 'warc'}",
        f"  schedule     {profile.schedule or '(none)'}{next_run}",
    ]
    lines += [f"  --set        {name} = {value}" for name, value in sorted(given.items())]
    return lines
