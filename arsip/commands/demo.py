"""`arsip demo`: start the replica, crawl it, show what came out, stop the replica."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from arsip.commands.query import default_collection
from arsip.crawling import run_crawl
from arsip.errors import EXIT_OK, EXIT_PARTIAL
from arsip.replica_process import ReplicaProcess

SAMPLE_FIELDS = (
    "id",
    "url",
    "title",
    "published",
    "author",
    "editor",
    "views",
    "place",
    "event_times",
    "warc",
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="crawl the replica site end to end and show the outputs",
        description="Start the replica site on loopback, crawl it with the anri profile, "
        "print where the WARC / JSON / database are and three sample records.",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        default="data/demo",
        help="output directory, emptied first (default data/demo)",
    )
    p.add_argument("--articles", type=int, default=120, metavar="N")
    p.set_defaults(func=run)


def next_commands(out: Path) -> list[str]:
    """Three researcher commands to try on the demo's data (they find it by themselves).

    Without ``--db`` they use the collection under ``data/`` crawled last
    (``arsip.commands.query.default_collection``): the demo's, when it wrote
    there; otherwise they are given ``--db OUT``.
    """
    program = Path(sys.argv[0]).absolute()
    if (
        program.name == "arsip"
        and program.parent.name == "bin"
        and program.is_relative_to(Path.cwd())
    ):
        name = str(program.relative_to(Path.cwd()))
    else:
        name = "arsip"
    found = default_collection()
    db = "" if found is not None and found.resolve() == out.resolve() else f" --db {out}"
    return [
        f"{name} search pelatihan{db}        # ranked, stemmed: pelatihan, latih, melatih",
        f'{name} query "select published, views, title from articles order by views desc '
        f'limit 5"{db}',
        f"{name} serve{db}                   # the dataset and the archived pages in a browser",
    ]


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    with ReplicaProcess(articles=args.articles) as replica:
        print(f"replica site: {replica.base_url} ({args.articles} articles)")
        summary = run_crawl(
            "anri",
            start_url=replica.base_url.rstrip("/") + "/publikasi/berita",
            out_dir=out,
            overrides={"ARSIP_PROGRESS": "auto", "LOG_LEVEL": "WARNING"},
        )
    print()
    print("\n".join(summary.lines()))
    print()
    print("three sample records:")
    if summary.jsonl_path.exists():
        with summary.jsonl_path.open(encoding="utf-8") as fh:
            for _, line in zip(range(3), fh, strict=False):
                item = json.loads(line)
                sample = {k: item[k] for k in SAMPLE_FIELDS}
                sample["body"] = (item["body"] or "")[:160] + "…"
                print(json.dumps(sample, ensure_ascii=False, indent=2))
    print()
    print("next, try:")
    for line in next_commands(out):
        print(f"  {line}")
    return EXIT_OK if summary.complete() else EXIT_PARTIAL
