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

`write_reports` writes both files atomically (`archive.files`);
the HTML comes from `crawler.report_html` (inline CSS and SVG, no script).
"""

from __future__ import annotations

import bisect
import json
import math
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive import files
from arsip.core import layout
from crawler.extract.model import EXTRACTED_FIELDS
from crawler.figures import CrawlFigures, stop_reason
from crawler.frontier import CrawlState
from crawler.report_html import render_html
from pipelines.db.reads import crawl_changes
from pipelines.jsonlines import crawl_items

REPORT_VERSION = 1

#: What each skip reason means, for people.
SKIP_REASONS: dict[str, str] = {
    "robots": "forbidden by robots.txt",
    "out_of_scope": "outside the allowed hosts",
    "excluded": "matches the profile's exclude_patterns",
    "duplicate": "already scheduled in this crawl",
    "depth": "deeper than crawl.max_depth",
    "max_pages": "page limit reached (crawl.max_pages / --max-pages)",
    "size_limit": "size limit reached (--size-limit, ARSIP_SIZE_LIMIT)",
    "known": "already in the collection, outside the revisit window (incremental)",
    "not_news": "neither a listing nor an article URL of the profile",
    "trap": "a crawler trap: past TRAPS_MAX_DEPTH, TRAPS_MAX_QUERY_VARIANTS or "
    "TRAPS_MAX_SEGMENT_REPEATS",
    "url_too_long": "URL longer than URLLENGTH_LIMIT (2083 characters): not requested",
    "offsite_redirect": "fetched, but it redirects to a host outside the allowed hosts "
    "(not followed)",
    "truncated": "body cut at a limit (LIMITS_MAXSIZE; LIMITS_TIME when not retried): "
    "archived with WARC-Truncated, not processed",
    "unsafe_xml": "XML that declares entities (XML bomb, XXE): archived, not parsed",
    "too_large": "body larger than DOWNLOAD_MAXSIZE once decompressed: archived, not processed",
    "head_too_large": "response head over 1 MiB (archive.limits.MAX_HTTP_HEAD): recorded as a "
    "failed attempt, not archived as a response, not processed",
    "redirects": "more than REDIRECT_MAX_TIMES redirects in a row",
    "not_archived": "fetched while the crawl was stopping after a WARC write error: "
    "not archived, fetched again by --resume",
    "ignored": "ignored by a downloader middleware",
    "out_of_section": "outside the section the start URL names (and not a teaser link of "
    "one of its listings, feeds or sitemaps)",
    "trap_search": "a search page (crawler trap)",
    "trap_tag": "a tag or label page (crawler trap)",
    "trap_calendar": "a calendar or agenda page (crawler trap)",
    "trap_gallery": "a gallery, photo or video page (crawler trap)",
    "trap_documents": "a document repository or download page (crawler trap)",
    "trap_sort": "a sorted, filtered or re-laid-out permutation of a page (crawler trap)",
    "trap_print_view": "a print, AMP, share or reply view of a page (crawler trap)",
    "trap_account": "a login, logout or account page",
    "trap_feed": "a feed or comment feed linked as a page (feeds announced in <head> are read)",
    "trap_author_archive": "an author archive (the same articles again)",
    "trap_date_archive": "a date archive (the same articles again)",
    "trap_category": "a category page (the same articles again, outside the section named)",
    "alias": "the article's own address without its slug (the same page again)",
}

#: Upper bounds of the views histogram's bins (the last bin is open).
VIEW_BINS = (100, 250, 500, 1000, 2000, 5000, 10000)
#: At most this many points in the progress chart.
PROGRESS_POINTS = 200


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def iter_items(out_dir: Path, crawl_id: str) -> Iterator[dict[str, Any]]:
    """The crawl's items from its JSON Lines (finished or still ``.part``), one at a time."""
    return crawl_items(layout.json_dir(out_dir), crawl_id)


def read_items(out_dir: Path, crawl_id: str) -> list[dict[str, Any]]:
    """The crawl's items from its JSON Lines (finished or still ``.part``)."""
    return list(iter_items(out_dir, crawl_id))


def _counter(rows: Iterable[sqlite3.Row]) -> dict[str, int]:
    return {str(row[0]): int(row[1]) for row in rows}


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


class _ItemSummary:
    """What the report needs of the items, gathered one item at a time (bodies not kept)."""

    def __init__(self) -> None:
        self.total = 0
        self.ids: list[str] = []
        self.labels: dict[str, tuple[Any, Any]] = {}
        self.filled: Counter[str] = Counter()
        self.anomalies: list[dict[str, Any]] = []
        self.months: Counter[str] = Counter()
        self.views = [0] * (len(VIEW_BINS) + 1)

    def add(self, item: Mapping[str, Any]) -> None:
        self.total += 1
        self.ids.append(str(item["id"]))
        self.labels[item["id"]] = (item.get("url"), item.get("title"))
        for name in EXTRACTED_FIELDS:
            if item.get(name) not in (None, "", []):
                self.filled[name] += 1
        for problem in _anomalies(item):
            self.anomalies.append(
                {"id": item.get("id"), "url": item.get("url"), "problem": problem}
            )
        published = item.get("published")
        if isinstance(published, str):
            self.months[published[:7]] += 1
        views = item.get("views")
        if isinstance(views, int) and views >= 0:
            self.views[bisect.bisect_right(VIEW_BINS, int(views))] += 1

    def fields(self) -> dict[str, Any]:
        total = self.total
        fill = {
            name: round(self.filled[name] / total, 4) if total else 0.0 for name in EXTRACTED_FIELDS
        }
        return {"fill_rates": fill, "anomalies": self.anomalies}

    def views_histogram(self) -> list[tuple[str, int]]:
        labels = []
        low = 0
        for high in VIEW_BINS:
            labels.append(f"{low}-{high - 1}")
            low = high
        labels.append(f"{low}+")
        return list(zip(labels, self.views, strict=True))


def _progress(state: CrawlState, pages: int) -> list[list[float | int]]:
    """At most about `PROGRESS_POINTS` points (seconds since the first response, pages)."""
    step = max(1, pages // PROGRESS_POINTS)
    points: list[list[float | int]] = []
    origin: float | None = None
    last: list[float | int] | None = None
    for n, (at,) in enumerate(state.conn.execute("SELECT at FROM responses ORDER BY at"), 1):
        if origin is None:
            origin = float(at)
        last = [round(float(at) - origin, 2), n]
        if (n - 1) % step == 0:
            points.append(last)
    if last is not None and points[-1] is not last:
        points.append(last)
    return points


def _latency(state: CrawlState) -> dict[str, float]:
    """Mean, median, 95th percentile and max of the responses' latencies (SQL-sorted)."""
    where = "FROM responses WHERE latency IS NOT NULL AND latency != 0"
    count = int(state.conn.execute(f"SELECT count(*) {where}").fetchone()[0])
    if not count:
        return {}
    p50, p95 = count // 2, min(count - 1, int(count * 0.95))
    picked: dict[int, float] = {}
    values = state.conn.execute(f"SELECT latency {where} ORDER BY latency")
    total = math.fsum(
        picked.setdefault(i, float(v)) if i in (p50, p95, count - 1) else float(v)
        for i, (v,) in enumerate(values)
    )
    return {
        "mean": round(total / count, 4),
        "p50": round(picked[p50], 4),
        "p95": round(picked[p95], 4),
        "max": round(picked[count - 1], 4),
    }


class SkippedURLs:
    """The skipped URLs of a crawl, read from its state each time they are iterated."""

    def __init__(self, state: CrawlState) -> None:
        self.state = state

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.state.conn.execute("SELECT * FROM skipped ORDER BY reason, url"):
            yield {
                "url": row["url"],
                "reason": row["reason"],
                "explanation": SKIP_REASONS.get(row["reason"], row["reason"]),
                "count": row["count"],
                "referer": row["referer"],
            }


def build_report(
    out_dir: Path,
    crawl_id: str,
    *,
    state: CrawlState,
    stats: Mapping[str, Any] | None = None,
    dataset: Path | None = None,
) -> dict[str, Any]:
    """The report of *crawl_id* as a JSON-ready dict (see the module docstring).

    *dataset* is the crawl's ``DATASET_PATH`` (default: ``OUT/arsip.sqlite``).
    """
    report = _build(out_dir, crawl_id, state=state, stats=stats, dataset=dataset)
    report["skipped"] = list(SkippedURLs(state))
    return report


def _build(
    out_dir: Path,
    crawl_id: str,
    *,
    state: CrawlState,
    stats: Mapping[str, Any] | None = None,
    dataset: Path | None = None,
) -> dict[str, Any]:
    """The report without its ``skipped`` list, reading items and rows as streams."""
    stats = dict(stats or {})
    state.flush()
    meta = state.meta()
    summary = _ItemSummary()
    for item in iter_items(out_dir, crawl_id):
        summary.add(item)
    changes = crawl_changes(dataset or layout.dataset_path(out_dir), crawl_id, summary.ids)
    runs = state.runs()
    first = runs[0]["started_at"] if runs else None
    last = max((r["finished_at"] or r["started_at"] for r in runs), default=None)
    duration = sum(
        (r["finished_at"] or r["started_at"]) - r["started_at"] for r in runs if r["started_at"]
    )
    figures = CrawlFigures.of(state, stats)
    pages, downloaded = figures.pages, figures.bytes
    failed = [
        {"url": row["url"], "outcome": row["outcome"]}
        for row in state.rows(
            "SELECT url, outcome FROM requests WHERE kind IN ('article', 'page')"
            " AND status = 'done'"
            " AND outcome NOT IN ('ok', 'article', 'redirected', 'max_pages') ORDER BY seq"
        )
    ]
    skipped_by_reason = figures.skipped_by_reason
    errors = [
        {"url": row["url"], "kind": row["kind"], "message": row["message"], "at": _iso(row["at"])}
        for row in state.rows("SELECT * FROM errors ORDER BY id")
    ]

    def listed(key: str) -> list[dict[str, Any]]:
        return [
            {"id": i, "url": summary.labels[i][0], "title": summary.labels[i][1]}
            for i in changes[key]
        ]

    return {
        "report_version": REPORT_VERSION,
        "crawl_id": crawl_id,
        "profile": meta.get("profile", ""),
        "mode": meta.get("mode") or stats.get("crawl/mode", ""),
        "mode_reason": stats.get("crawl/mode_reason", ""),
        "finish_reason": stats.get("finish_reason") or meta.get("finish_reason", ""),
        "crawl_log": f"../{layout.LOGS_DIR}/{layout.crawl_log_path(out_dir, crawl_id).name}"
        if layout.crawl_log_path(out_dir, crawl_id).exists()
        else None,
        "outcome": stop_reason(
            str(stats.get("finish_reason") or meta.get("finish_reason", "")), stats, figures
        ),
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
            "pages": int(pages),
            "bytes": int(downloaded),
            "articles": summary.total,
            "failed_articles": len(failed),
            "skipped_urls": figures.skipped,
            "errors": figures.errors,
            "warc_bytes": figures.warc_bytes,
            "warc_files": figures.warc_files,
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
            "downloaded": int(downloaded),
            "by_kind": _counter(state.rows("SELECT kind, sum(bytes) FROM responses GROUP BY kind")),
            "by_mime": _counter(state.rows("SELECT mime, sum(bytes) FROM responses GROUP BY mime")),
        },
        "durations": {"total_s": round(duration, 2), "latency_s": _latency(state)},
        "articles": {
            "new": len(changes["new"]),
            "changed": len(changes["changed"]),
            "unchanged": len(changes["unchanged"]),
            "failed": len(failed),
            "new_list": listed("new"),
            "changed_list": listed("changed"),
            "failed_list": failed,
        },
        "classified": _classified(state),
        "skipped_by_reason": skipped_by_reason,
        "errors": errors,
        "fields": summary.fields(),
        "charts": {
            "articles_per_month": sorted(summary.months.items()),
            "views_histogram": summary.views_histogram(),
            "progress": _progress(state, int(pages)),
        },
        "stats": {k: v for k, v in sorted(stats.items()) if isinstance(v, int | float | str)},
    }


def _classified(state: CrawlState) -> dict[str, Any]:
    """How each page was classified (article, listing, other) and why, with counts."""
    rows = state.rows("SELECT url, kind, reason FROM classified ORDER BY kind, url")
    by_reason: dict[str, int] = {}
    for row in rows:
        key = f"{row['kind']}: {row['reason']}"
        by_reason[key] = by_reason.get(key, 0) + 1
    return {
        "by_kind": _counter(
            state.rows("SELECT kind, count(*) FROM classified GROUP BY kind ORDER BY kind")
        ),
        "by_reason": dict(sorted(by_reason.items())),
        "pages": [{"url": r["url"], "kind": r["kind"], "reason": r["reason"]} for r in rows],
    }


#: Stands for the skipped list while the rest of the report is encoded.
_SKIPPED_MARK = "\x00arsip-skipped\x00"


def _json_chunks(report: Mapping[str, Any], skipped: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The JSON text of *report*, with *skipped* streamed in as its ``skipped`` list."""
    mark = json.dumps(_SKIPPED_MARK)
    encoder = json.JSONEncoder(ensure_ascii=False, indent=1)
    for chunk in encoder.iterencode({**report, "skipped": _SKIPPED_MARK}):
        if chunk != mark:
            yield chunk
            continue
        yield "["
        separator = "\n  "
        for entry in skipped:
            yield separator + json.dumps(entry, ensure_ascii=False)
            separator = ",\n  "
        yield "\n ]" if separator != "\n  " else "]"
    yield "\n"


def report_paths(out_dir: Path, crawl_id: str) -> tuple[Path, Path]:
    """``reports/CRAWL_ID.json`` and ``.html`` (`arsip.core.layout`)."""
    return layout.report_paths(out_dir, crawl_id)


def write_reports(
    out_dir: Path,
    crawl_id: str,
    *,
    state: CrawlState,
    stats: Mapping[str, Any] | None = None,
    dataset: Path | None = None,
) -> tuple[Path, Path]:
    """Build the report and write ``reports/CRAWL_ID.json`` and ``.html``."""
    report = _build(out_dir, crawl_id, state=state, stats=stats, dataset=dataset)
    skipped = SkippedURLs(state)
    json_path, html_path = report_paths(out_dir, crawl_id)
    files.write_text_atomically(json_path, _json_chunks(report, skipped))
    files.write_text_atomically(html_path, render_html({**report, "skipped": skipped}))
    return json_path, html_path


def load_report(out_dir: Path, crawl_id: str) -> dict[str, Any] | None:
    """A written JSON report, or None."""
    path = report_paths(out_dir, crawl_id)[0]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
