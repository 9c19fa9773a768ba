"""`arsip crawls [PROFILE] [--out DIR]`: the past crawls of a collection, with their stats.

One line per crawl, oldest first, from the dataset's ``crawls`` table
(start, end, Scrapy stats) and, where written, ``reports/CRAWL_ID.json``
(new / changed / unchanged / failed articles, skipped URLs). Crawls whose
state says they were interrupted are marked, with the command that resumes
them. ``--json`` prints the same as JSON Lines.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path
from typing import Any

from arsip.core import layout
from arsip.errors import EXIT_INPUT, EXIT_OK, UserError
from crawler.frontier import unfinished_states
from crawler.report import load_report
from crawler.stats import final_failures
from pipelines.db.reads import read_crawls


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "crawls",
        help="list past crawls and their stats (archivists)",
        description="List the crawls of a collection (default data/PROFILE, or every "
        "collection under data/) with pages, bytes, articles and how each ended.",
    )
    p.add_argument("profile", metavar="PROFILE", nargs="?", help="the profile's collection")
    p.add_argument("--out", metavar="DIR", help="the collection's directory")
    p.add_argument("--json", action="store_true", help="one JSON object per crawl")
    p.set_defaults(func=run)


def collection_dirs(profile: str | None, out: str | None) -> list[Path]:
    if out:
        return [Path(out)]
    if profile:
        return [Path("data") / profile]
    return sorted(p.parent for p in Path("data").glob("*/arsip.sqlite"))


def crawl_rows(out_dir: Path) -> list[dict[str, Any]]:
    """The crawls of the collection in *out_dir*, oldest first, with report figures."""
    db = layout.dataset_path(out_dir)
    if not db.exists():
        raise UserError(f"{out_dir}: no dataset (arsip.sqlite) there; give --out DIR", EXIT_INPUT)
    try:
        crawls = read_crawls(db)
    except sqlite3.Error as exc:
        raise UserError(f"{db}: cannot read the crawls ({exc})", EXIT_INPUT) from None
    interrupted = {meta.get("crawl_id") for _, meta in unfinished_states(out_dir)}
    rows = []
    for crawl in crawls:
        stats = json.loads(crawl["stats"] or "{}")
        report = load_report(out_dir, crawl["id"]) or {}
        articles = report.get("articles", {})
        totals = report.get("totals", {})
        rows.append(
            {
                "crawl_id": crawl["id"],
                "collection": str(out_dir),
                "started_at": crawl["started_at"],
                "finished_at": crawl["finished_at"],
                "mode": stats.get("crawl/mode", report.get("mode", "")),
                "finish_reason": "interrupted"
                if crawl["id"] in interrupted
                else stats.get("finish_reason", "unknown" if crawl["finished_at"] else "running?"),
                "pages": totals.get("pages", stats.get("downloader/response_count", 0)),
                "bytes": totals.get("bytes", stats.get("downloader/response_bytes", 0)),
                "articles": totals.get("articles", stats.get("item_scraped_count", 0)),
                "new": articles.get("new", stats.get("dataset/new")),
                "changed": articles.get("changed", stats.get("dataset/changed")),
                "unchanged": articles.get("unchanged", stats.get("dataset/unchanged")),
                "failed": articles.get("failed"),
                "skipped": totals.get("skipped_urls"),
                "errors": final_failures(stats),
                "report": str(layout.report_paths(out_dir, crawl["id"])[1]) if report else None,
            }
        )
    return rows


def _line(row: dict[str, Any]) -> str:
    counts = "/".join(
        str(row[k] if row[k] is not None else "-") for k in ("new", "changed", "unchanged")
    )
    return (
        f"{row['crawl_id']:<24} {row['mode'] or '-':<11} {row['finish_reason']:<21} "
        f"{row['pages']:>6} {row['bytes'] / 1024:>9.0f} {row['articles']:>6} {counts:>13} "
        f"{row['errors']:>3}  {row['started_at'] or ''}"
    )


def run(args: argparse.Namespace) -> int:
    dirs = collection_dirs(args.profile, args.out)
    if not dirs:
        raise UserError("no collections under data/; give PROFILE or --out DIR", EXIT_INPUT)
    for out_dir in dirs:
        rows = crawl_rows(out_dir)
        if args.json:
            for row in rows:
                print(json.dumps(row, ensure_ascii=False))
            continue
        print(f"{out_dir}: {len(rows)} crawl(s)")
        print(
            f"{'crawl':<24} {'mode':<11} {'ended':<21} {'pages':>6} {'KB':>9} {'items':>6} "
            f"{'new/chg/same':>13} {'err':>3}  started"
        )
        for row in rows:
            print(_line(row))
            if row["finish_reason"] == "interrupted":
                name = args.profile or "PROFILE"
                print(f"{'':<24} resume: arsip crawl {name} --resume --out {out_dir}")
    return EXIT_OK
