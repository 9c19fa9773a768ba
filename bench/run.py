"""Run arsip's benchmarks against their peers and write BENCHMARKS.md.

    .venv/bin/python bench/run.py                 # everything (make bench: < 10 min on 2 cores)
    .venv/bin/python bench/run.py --quick         # tiny sizes: does the harness work?
    .venv/bin/python bench/run.py --only extraction dates --output /tmp/B.md

Measures (run in this order; --only keeps the order): extraction, body, dates,
crawl-cpu, reextract, crawl-latency, recrawl, memory. Each is a function
``measure(ctx) -> Table``; a peer that is not installed gives a row that
says so, and a missing nginx or wget skips the crawl measures that need it.
Exit status: 0 when every measure ran (targets met or not), 1 when one
crashed, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from bench import (  # noqa: E402
    machine,
    measure_body,
    measure_classify,
    measure_crawl,
    measure_dates,
    measure_extraction,
    measure_memory,
    measure_recrawl,
    measure_reextract,
    report,
)
from bench.harness import Context, Table  # noqa: E402

MEASURES: dict[str, Callable[[Context], Table]] = {
    "extraction": measure_extraction.measure,
    "body": measure_body.measure,
    "dates": measure_dates.measure,
    "crawl-cpu": measure_crawl.measure_cpu,
    "reextract": measure_reextract.measure,
    "crawl-latency": measure_crawl.measure_latency,
    "recrawl": measure_recrawl.measure,
    "memory": measure_memory.measure,
    "classify": measure_classify.measure,
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Benchmark arsip against its peers and write BENCHMARKS.md.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, one run each (smoke test)"
    )
    parser.add_argument(
        "--only", nargs="+", choices=list(MEASURES), metavar="NAME",
        help=f"run only these measures ({', '.join(MEASURES)})",
    )  # fmt: skip
    parser.add_argument(
        "--output", type=Path, default=ROOT / "BENCHMARKS.md",
        help="where to write the report (default: BENCHMARKS.md in the repository)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the raw tables as JSON here")
    parser.add_argument("--no-profile", action="store_true", help="do not profile missed targets")
    parser.add_argument(
        "--budget", type=float, default=570.0, metavar="SECONDS",
        help="time the run may take; the memory measure shrinks to fit (default 570)",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    parser.add_argument(
        "--aeb", type=Path, metavar="DIR",
        help="checkout of scrapinghub/article-extraction-benchmark for the body measure "
        "(default: $ARSIP_AEB_DIR)",
    )  # fmt: skip
    return parser.parse_args(argv)


def run(names: list[str], ctx: Context) -> tuple[list[Table], bool]:
    tables: list[Table] = []
    crashed = False
    for name in names:
        ctx.log(f"== {name}")
        started = time.monotonic()
        try:
            table = MEASURES[name](ctx)
        except Exception as exc:  # one broken measure must not lose the others' figures
            traceback.print_exc()
            table = Table(name, f"{name}: crashed", [])
            table.notes.append(f"the measure crashed: {exc!r} (see the run's stderr)")
            crashed = True
        table.seconds = time.monotonic() - started
        ctx.results[name] = table
        tables.append(table)
        ctx.log(f"== {name} done in {table.seconds:.0f} s")
    return tables, crashed


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = [n for n in MEASURES if not args.only or n in args.only]
    work = Path(tempfile.mkdtemp(prefix="arsip-bench-"))
    # --quick: sizes too small for a profile to say anything
    profile = not (args.no_profile or args.quick)
    ctx = Context(quick=args.quick, work=work, profile=profile, budget=args.budget, aeb=args.aeb)
    host = machine.describe()
    try:
        tables, crashed = run(names, ctx)
    finally:
        if args.keep:
            ctx.log(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    seconds = time.monotonic() - ctx.started
    host.insert(6, ("load average at end", ", ".join(f"{x:.2f}" for x in os.getloadavg())))
    command = "bench/run.py" + (" --quick" if args.quick else "")
    if args.only:
        command += " --only " + " ".join(args.only)
    text = report.render(tables, host, quick=args.quick, seconds=seconds, command=command)
    args.output.write_text(text, encoding="utf-8")
    if args.json:
        raw = [
            {
                "name": t.name, "title": t.title, "columns": t.columns, "notes": t.notes,
                "bounds": t.bounds, "seconds": t.seconds,
                "rows": [
                    {"metric": r.metric, "values": r.values, "target": r.target, "met": r.met}
                    for r in t.rows
                ],
            }
            for t in tables
        ]  # fmt: skip
        args.json.write_text(json.dumps(raw, indent=2, ensure_ascii=False), encoding="utf-8")
    ctx.log(f"wrote {args.output} in {seconds:.0f} s")
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
