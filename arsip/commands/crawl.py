"""`arsip crawl PROFILE`: crawl a site profile into WARC, JSON Lines and SQLite."""

from __future__ import annotations

import argparse
import sys

from arsip.crawling import run_crawl
from arsip.errors import EXIT_OK, EXIT_PARTIAL


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "crawl",
        help="crawl a site profile (archivists)",
        description="Crawl a site profile's news section: every exchange into WARC, "
        "every article into JSON Lines and the SQLite dataset.",
    )
    p.add_argument("profile", metavar="PROFILE", help="profile name (e.g. anri) or .toml path")
    p.add_argument("--start-url", metavar="URL", help="start here instead of the profile's seeds")
    p.add_argument("--out", metavar="DIR", help="output directory (default data/PROFILE)")
    p.add_argument("--max-pages", metavar="N", type=int, default=0, help="stop after N responses")
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
        from arsip.errors import EXIT_USAGE, UserError

        raise UserError("--max-pages must be 0 (no limit) or more", EXIT_USAGE)
    summary = run_crawl(
        args.profile,
        start_url=args.start_url,
        out_dir=args.out,
        max_pages=args.max_pages,
        overrides={"ARSIP_PROGRESS": args.progress, "LOG_LEVEL": args.log_level},
    )
    print("\n".join(summary.lines()))
    sys.stdout.flush()
    return EXIT_OK if summary.complete() else EXIT_PARTIAL
