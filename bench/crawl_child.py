"""One crawl in a process of its own, so the harness can read its rusage.

    python -m bench.crawl_child --mode full|bare --profile PATH_OR_NAME \\
        --start-url URL --out DIR --result FILE [--per-host N] [--set KEY=VALUE ...]

``full`` is `arsip.crawling.run_crawl`, the code path of ``arsip crawl``:
WARC capture, extraction, validation, JSON Lines and the SQLite dataset.
``bare`` is the same spider and settings with WARC_ENABLED, JSONL_ENABLED,
DATASET_ENABLED, ARSIP_VALIDATE_ENABLED (and the frontier, report and
conditional-request components) off and extraction off
(ARSIP_EXTRACT_ENABLED): the same links followed, nothing derived.

The result file gets one JSON object: pages, items, bytes, errors,
finish_reason, duration, how extraction was switched off.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.timeline import Timeline

#: Everything arsip adds to Scrapy, off (extraction is switched off separately).
BARE_OFF = {
    "WARC_ENABLED": False,
    "JSONL_ENABLED": False,
    "DATASET_ENABLED": False,
    "ARSIP_VALIDATE_ENABLED": False,
    "WARC_CONDITIONAL_ENABLED": False,
    "FRONTIER_ENABLED": False,
    "ARSIP_REPORT_ENABLED": False,
}
EXTRACT_SWITCH = "ARSIP_EXTRACT_ENABLED"


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("full", "bare"), required=True)
    parser.add_argument("--profile", default="anri")
    parser.add_argument("--start-url", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--per-host", type=int, default=8)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)

    overrides: dict[str, Any] = {
        "ARSIP_PROGRESS": "off",
        "LOG_LEVEL": "WARNING",
        "CONCURRENT_REQUESTS": max(16, args.per_host),
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host,
    }
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = _value(value)
    # arsip's add-on (crawler.addon) adds its own extensions to these.
    overrides["EXTENSIONS"] = {"bench.timeline.Timeline": 0, "bench.timeline.TimelineLast": 1000}
    how = "run_crawl (arsip crawl)"
    began = time.monotonic()
    # Import up front what the crawl will import anyway, so "duration" is the crawl.
    import scrapy.crawler  # noqa: F401, PLC0415 - start-up time, timed apart

    import arsip.crawling  # noqa: F401, PLC0415 - start-up time, timed apart
    import crawler.spiders.news  # noqa: PLC0415 - start-up time, timed apart

    if args.mode == "full":
        import crawler.extract  # noqa: F401, PLC0415 - start-up time, timed apart
    started = time.monotonic()
    if args.mode == "full":
        from arsip.crawling import run_crawl  # noqa: PLC0415 - start-up time, timed apart

        stats = run_crawl(
            args.profile, start_url=args.start_url, out_dir=args.out, overrides=overrides
        ).stats
    else:
        overrides.update(BARE_OFF, **{EXTRACT_SWITCH: False})
        from arsip.crawling import run_crawl  # noqa: PLC0415 - start-up time, timed apart

        stats = run_crawl(
            args.profile, start_url=args.start_url, out_dir=args.out, overrides=overrides
        ).stats
        how = f"run_crawl with {EXTRACT_SWITCH}=False"
    duration = time.monotonic() - started
    result = {
        "mode": args.mode,
        "how": how,
        "pages": int(stats.get("downloader/response_count", 0)),
        "items": int(stats.get("item_scraped_count", 0)),
        "bytes": int(stats.get("downloader/response_bytes", 0)),
        "errors": int(stats.get("log_count/ERROR", 0))
        + int(stats.get("downloader/exception_count", 0)),
        "finish_reason": str(stats.get("finish_reason", "unknown")),
        "duration": duration,
        "imports": started - began,
        "marks": dict(Timeline.marks),
        "memory": dict(Timeline.memory),
        "memusage_max": int(stats.get("memusage/max", 0)),
        "mode_resolved": str(stats.get("crawl/mode", "")),
        "classify_cpu": int(stats.get("classify/cpu_us", 0)) / 1e6,
        "classified": sum(
            int(v) for k, v in stats.items() if k.startswith("classify/") and k != "classify/cpu_us"
        ),
    }
    args.result.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
