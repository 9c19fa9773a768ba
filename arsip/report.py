"""The report of one crawl: ``OUT/reports/CRAWL_ID.json`` and a standalone ``.html``.

`build_report` reads what the crawl left behind, all of it on disk, so a
report can be rebuilt at any time and covers every run of a resumed crawl:

- the crawl's state file (`crawler.frontier.CrawlState`): responses by
  status, MIME type, host and kind; bytes and latencies; progress over
  time; every skipped URL with its reason; errors; failed requests;
- its JSON Lines: field fill rates, extraction anomalies (an article
  without a date, a title or a body; views missing; a date after the
  fetch), articles per month, the views distribution;
- the dataset's ``observations``: which articles are new, changed
  (content differs from their previous capture) or unchanged.

`write_reports` writes both files atomically (temporary file + rename);
the HTML comes from `arsip.report_html` (inline CSS and SVG, no script).
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.extract.model import EXTRACTED_FIELDS
from crawler.frontier import CrawlState

REPORT_VERSION = 1

#: What each skip reason means, for people.
SKIP_REASONS: dict[str, str] = {
    "robots": "forbidden by robots.txt",
    "out_of_scope": "outside the allowed hosts",
    "excluded": "matches the profile's exclude_patterns",
    "duplicate": "already scheduled in this crawl",
    "depth": "deeper than crawl.max_depth",
    "max_pages": "page limit reached (crawl.max_pages / --max-pages)",
    "known": "already in the collection, outside the revisit window (incremental)",
    "not_news": "neither a listing nor an article URL of the profile",
    "trap": "a crawler trap: past TRAPS_MAX_DEPTH, TRAPS_MAX_QUERY_VARIANTS or "
    "TRAPS_MAX_SEGMENT_REPEATS",
    "offsite_redirect": "fetched, but it redirects to a host outside the allowed hosts "
    "(not followed)",
    "truncated": "body cut at a limit (LIMITS_MAXSIZE; LIMITS_TIME when not retried): "
    "archived with WARC-Truncated, not processed",
    "unsafe_xml": "XML that declares entities (XML bomb, XXE): archived, not parsed",
    "too_large": "body larger than DOWNLOAD_MAXSIZE once decompressed: archived, not processed",
    "redirects": "more than REDIRECT_MAX_TIMES redirects in a row",
    "not_archived": "fetched while the crawl was stopping after a WARC write error: "
    "not archived, fetched again by --resume",
    "ignored": "ignored by a downloader middleware",
}

#: Upper bounds of the views histogram's bins (the last bin is open).
VIEW_BINS = (100, 250, 500, 1000, 2000, 5000, 10000)
#: At most this many points in the progress chart.
PROGRESS_POINTS = 200


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def read_items(out_dir: Path, crawl_id: str) -> list[dict[str, Any]]:
    """The crawl's items from its JSON Lines (finished or still ``.part``)."""
    items: list[dict[str, Any]] = []
    folder = out_dir / "json"
    for path in (folder / f"{crawl_id}.jsonl", folder / f"{crawl_id}.jsonl.part"):
        if not path.exists():
            continue
        with path.open("rb") as fh:
            for line in fh:
                if not line.endswith(b"\n"):
                    break
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict):
                    items.append(record)
    return items


def _counter(rows: Iterable[sqlite3.Row]) -> dict[str, int]:
    return {str(row[0]): int(row[1]) for row in rows}


def article_changes(dataset: Path, crawl_id: str, ids: list[str]) -> dict[str, list[str]]:
    """Article ids of this crawl by ``new`` / ``changed`` / ``unchanged``, from observations."""
    result: dict[str, list[str]] = {"new": [], "changed": [], "unchanged": []}
    if not dataset.exists():
        return result
    conn = sqlite3.connect(f"file:{dataset}?mode=ro", uri=True)
    try:
        for article_id in ids:
            mine = conn.execute(
                "SELECT fetched_at, content_hash FROM observations"
                " WHERE article_id = ? AND crawl_id = ?",
                (article_id, crawl_id),
            ).fetchone()
            if mine is None:
                continue
            before = conn.execute(
                "SELECT content_hash FROM observations WHERE article_id = ? AND crawl_id != ?"
                " AND fetched_at < ? ORDER BY fetched_at DESC LIMIT 1",
                (article_id, crawl_id, mine[0]),
            ).fetchone()
            if before is None:
                result["new"].append(article_id)
            elif before[0] != mine[1]:
                result["changed"].append(article_id)
            else:
                result["unchanged"].append(article_id)
    except sqlite3.Error:
        return result
    finally:
        conn.close()
    return result


def _anomalies(item: Mapping[str, Any]) -> list[str]:
    found = []
    for name, problem in (
        ("published", "no publication date"),
        ("title", "no title"),
        ("body", "no body text"),
        ("views", "no view count"),
    ):
        if item.get(name) in (None, "", []):
            found.append(problem)
    published, fetched = item.get("published"), item.get("fetched_at")
    if isinstance(published, str) and isinstance(fetched, str) and published[:10] > fetched[:10]:
        found.append("published after it was fetched")
    body = item.get("body")
    if isinstance(body, str) and 0 < len(body) < 200:
        found.append("very short body")
    return found


def _fields(items: list[dict[str, Any]]) -> dict[str, Any]:
    total = len(items)
    fill = {
        name: round(sum(1 for i in items if i.get(name) not in (None, "", [])) / total, 4)
        if total
        else 0.0
        for name in EXTRACTED_FIELDS
    }
    anomalies = [
        {"id": item.get("id"), "url": item.get("url"), "problem": problem}
        for item in items
        for problem in _anomalies(item)
    ]
    return {"fill_rates": fill, "anomalies": anomalies}


def _charts(items: list[dict[str, Any]], progress: list[tuple[float, int]]) -> dict[str, Any]:
    months = Counter(str(i["published"])[:7] for i in items if isinstance(i.get("published"), str))
    views = [int(i["views"]) for i in items if isinstance(i.get("views"), int)]
    labels = []
    counts = []
    low = 0
    for high in VIEW_BINS:
        labels.append(f"{low}-{high - 1}")
        counts.append(sum(1 for v in views if low <= v < high))
        low = high
    labels.append(f"{low}+")
    counts.append(sum(1 for v in views if v >= low))
    step = max(1, len(progress) // PROGRESS_POINTS)
    points = progress[::step]
    if progress and points[-1] != progress[-1]:
        points.append(progress[-1])
    return {
        "articles_per_month": sorted(months.items()),
        "views_histogram": list(zip(labels, counts, strict=True)),
        "progress": [[round(t, 2), n] for t, n in points],
    }


def _latency(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "mean": round(statistics.fmean(ordered), 4),
        "p50": round(ordered[len(ordered) // 2], 4),
        "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 4),
        "max": round(ordered[-1], 4),
    }


def build_report(
    out_dir: Path, crawl_id: str, *, state: CrawlState, stats: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The report of *crawl_id* as a JSON-ready dict (see the module docstring)."""
    stats = dict(stats or {})
    meta = state.meta()
    items = read_items(out_dir, crawl_id)
    changes = article_changes(out_dir / "arsip.sqlite", crawl_id, [str(i["id"]) for i in items])
    by_id = {i["id"]: i for i in items}
    responses = state.rows("SELECT status, mime, bytes, host, latency, at, kind FROM responses")
    runs = state.runs()
    first = runs[0]["started_at"] if runs else None
    last = max((r["finished_at"] or r["started_at"] for r in runs), default=None)
    duration = sum(
        (r["finished_at"] or r["started_at"]) - r["started_at"] for r in runs if r["started_at"]
    )
    times = sorted(float(r["at"]) for r in responses)
    origin = times[0] if times else 0.0
    progress = [(t - origin, n) for n, t in enumerate(times, 1)]
    failed = [
        {"url": row["url"], "outcome": row["outcome"]}
        for row in state.rows(
            "SELECT url, outcome FROM requests WHERE kind = 'article' AND status = 'done'"
            " AND outcome NOT IN ('ok', 'article', 'redirected', 'max_pages') ORDER BY seq"
        )
    ]
    skipped = [
        {
            "url": row["url"],
            "reason": row["reason"],
            "explanation": SKIP_REASONS.get(row["reason"], row["reason"]),
            "count": row["count"],
            "referer": row["referer"],
        }
        for row in state.rows("SELECT * FROM skipped ORDER BY reason, url")
    ]
    errors = [
        {"url": row["url"], "kind": row["kind"], "message": row["message"], "at": _iso(row["at"])}
        for row in state.rows("SELECT * FROM errors ORDER BY id")
    ]

    def listed(key: str) -> list[dict[str, Any]]:
        return [
            {"id": i, "url": by_id[i].get("url"), "title": by_id[i].get("title")}
            for i in changes[key]
        ]

    return {
        "report_version": REPORT_VERSION,
        "crawl_id": crawl_id,
        "profile": meta.get("profile", ""),
        "mode": meta.get("mode") or stats.get("crawl/mode", ""),
        "mode_reason": stats.get("crawl/mode_reason", ""),
        "finish_reason": stats.get("finish_reason") or meta.get("finish_reason", ""),
        "started_at": _iso(first),
        "finished_at": _iso(last),
        "runs": [
            {
                "started_at": _iso(r["started_at"]),
                "finished_at": _iso(r["finished_at"]),
                "reason": r["reason"],
                "pid": r["pid"],
            }
            for r in runs
        ],
        "totals": {
            "pages": len(responses),
            "bytes": sum(int(r["bytes"]) for r in responses),
            "articles": len(items),
            "failed_articles": len(failed),
            "skipped_urls": len(skipped),
            "errors": len(errors),
            "duration_s": round(duration, 2),
        },
        "pages": {
            "by_status": _counter(
                state.rows("SELECT status, count(*) FROM responses GROUP BY status")
            ),
            "by_mime": _counter(state.rows("SELECT mime, count(*) FROM responses GROUP BY mime")),
            "by_host": _counter(state.rows("SELECT host, count(*) FROM responses GROUP BY host")),
            "by_kind": _counter(state.rows("SELECT kind, count(*) FROM responses GROUP BY kind")),
        },
        "bytes": {
            "downloaded": sum(int(r["bytes"]) for r in responses),
            "by_kind": _counter(state.rows("SELECT kind, sum(bytes) FROM responses GROUP BY kind")),
            "by_mime": _counter(state.rows("SELECT mime, sum(bytes) FROM responses GROUP BY mime")),
        },
        "durations": {
            "total_s": round(duration, 2),
            "latency_s": _latency([float(r["latency"]) for r in responses if r["latency"]]),
        },
        "articles": {
            "new": len(changes["new"]),
            "changed": len(changes["changed"]),
            "unchanged": len(changes["unchanged"]),
            "failed": len(failed),
            "new_list": listed("new"),
            "changed_list": listed("changed"),
            "failed_list": failed,
        },
        "skipped_by_reason": dict(Counter(s["reason"] for s in skipped)),
        "skipped": skipped,
        "errors": errors,
        "fields": _fields(items),
        "charts": _charts(items, progress),
        "stats": {k: v for k, v in sorted(stats.items()) if isinstance(v, int | float | str)},
    }


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def report_paths(out_dir: Path, crawl_id: str) -> tuple[Path, Path]:
    folder = out_dir / "reports"
    return folder / f"{crawl_id}.json", folder / f"{crawl_id}.html"


def write_reports(
    out_dir: Path, crawl_id: str, *, state: CrawlState, stats: Mapping[str, Any] | None = None
) -> tuple[Path, Path]:
    """Build the report and write ``reports/CRAWL_ID.json`` and ``.html``."""
    from arsip.report_html import render_html

    report = build_report(out_dir, crawl_id, state=state, stats=stats)
    json_path, html_path = report_paths(out_dir, crawl_id)
    _atomic_write(json_path, json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    _atomic_write(html_path, render_html(report))
    return json_path, html_path


def load_report(out_dir: Path, crawl_id: str) -> dict[str, Any] | None:
    """A written JSON report, or None."""
    path = report_paths(out_dir, crawl_id)[0]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
