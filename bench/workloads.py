"""Workloads to profile in a child process (py-spy attaches to a process it starts).

python -m bench.workloads extract --articles N [--loops K]
python -m bench.workloads reextract [--reader warcio|fastwarc] WARC...
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    ext = sub.add_parser("extract", help="arsip extraction of the replica's article pages")
    ext.add_argument("--articles", type=int, default=100)
    ext.add_argument("--loops", type=int, default=5)
    rex = sub.add_parser("reextract", help="read + extract every article record of WARC files")
    rex.add_argument("--reader", default="warcio")
    rex.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)

    from crawler.extract import extract  # noqa: PLC0415 - start-up time (profiled)

    if args.what == "extract":
        from bench.pages import replica_pages  # noqa: PLC0415 - start-up time (profiled)

        pages = replica_pages(args.articles)
        for _ in range(args.loops):
            for page in pages:
                extract(page.html, page.url)
        return 0
    from bench.warcread import READERS  # noqa: PLC0415 - start-up time (profiled)
    from crawler.profiles import load_profile  # noqa: PLC0415 - start-up time (profiled)

    read = READERS[args.reader][1]
    anri = load_profile("anri")
    site = anri.site_hints()
    for record in read(args.paths, anri.is_article):
        extract(record.body, record.url, headers=record.headers, site=site)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
