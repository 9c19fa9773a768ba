"""Render a crawl report (`crawler.report`) as one standalone HTML page.

Everything is inline: CSS in a ``<style>``, charts as ``<svg>``, no script
and no external resource, so the page opens from a USB stick on a machine
without network. Long lists (skipped URLs, anomalies) are folded in
``<details>``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from crawler.figures import human_bytes

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #7a1c1c; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; opacity: .9; }
main { padding: 18px 28px 40px; max-width: 1220px; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px;
  padding: 12px 18px; margin: 0 0 16px; }
h2 { font-size: 17px; margin: 4px 0 10px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 14px;
  min-width: 120px; }
.card b { display: block; font-size: 22px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(330px, 1fr)); gap: 16px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eaeef2;
  vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.url { word-break: break-all; font-family: ui-monospace, monospace; font-size: 12px; }
.bad { color: #b42318; } .ok { color: #1a7f37; }
svg text { font: 11px system-ui, sans-serif; fill: #57606a; }
figure { margin: 0; }
svg.chart { width: 100%; height: auto; display: block; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
details summary { cursor: pointer; margin: 6px 0; }
"""

BAR = "#8a1c1c"
LINE = "#0969da"


def _table(head: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Sequence[int] = ()) -> str:
    cells = "".join(
        f'<th class="n">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
        for i, h in enumerate(head)
    )
    body = []
    for row in rows:
        tds = []
        for i, value in enumerate(row):
            text = "" if value is None else escape(str(value))
            cls = (
                ' class="n"'
                if i in numeric
                else ' class="url"'
                if str(value).startswith(("http://", "https://"))
                else ""
            )
            tds.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _counts(title: str, counts: Mapping[str, int], unit: str = "count") -> str:
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if unit == "bytes":
        shown = [(k, f"{human_bytes(v)} ({v:,} B)") for k, v in rows]
        return f"<div><h3>{escape(title)}</h3>{_table(('', 'bytes'), shown, (1,))}</div>"
    return f"<div><h3>{escape(title)}</h3>{_table(('', unit), rows, (1,))}</div>"


#: Narrowest bar slot (SVG units) that gets a label of its own (see bar_chart).
LABEL_SLOT = 22.0


def bar_chart(title: str, data: Sequence[tuple[str, int]], width: int = 560) -> str:
    """A vertical bar chart as inline SVG (labels thinned out when crowded)."""
    height, left, bottom, top = 236, 52, 62, 24
    if not data:
        return f"<figure><figcaption>{escape(title)}: no data</figcaption></figure>"
    peak = max(v for _, v in data) or 1
    slot = (width - left - 10) / len(data)
    # Rotated by 45 degrees, neighbouring labels are slot * 0.71 apart: keep that
    # above the labels' height (11 px) or they overlap; label every n-th bar.
    every = max(1, math.ceil(LABEL_SLOT / slot))
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{left}" y="14" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#8c959f"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end">0</text>',
    ]
    usable = height - bottom - top
    for n, (label, value) in enumerate(data):
        h = usable * value / peak
        x = left + n * slot
        parts.append(
            f'<rect class="bar" x="{x + 1:.1f}" y="{height - bottom - h:.1f}" '
            f'width="{max(slot - 2, 1):.1f}" height="{h:.1f}" fill="{BAR}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if n % every == 0:
            tx, ty = x + slot / 2, height - bottom + 12
            parts.append(
                f'<text x="{tx:.1f}" y="{ty}" text-anchor="end" font-size="11" '
                f'transform="rotate(-45 {tx:.1f} {ty})">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "<figure>" + "".join(parts) + "</figure>"


def line_chart(title: str, points: Sequence[Sequence[float]], width: int = 560) -> str:
    """Pages done over seconds since the first response, as inline SVG."""
    height, left, bottom, top = 220, 46, 34, 24
    if len(points) < 2:
        return f"<figure><figcaption>{escape(title)}: no data</figcaption></figure>"
    max_t = max(p[0] for p in points) or 1
    max_n = max(p[1] for p in points) or 1
    sx = (width - left - 12) / max_t
    sy = (height - bottom - top) / max_n
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{left + t * sx:.1f},{height - bottom - n * sy:.1f}"
        for i, (t, n) in enumerate(points)
    )
    return (
        f'<figure><svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f'<text x="{left}" y="14" font-weight="bold">{escape(title)}</text>'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 12}" y2="{height - bottom}" '
        'stroke="#8c959f"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#8c959f"/>'
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{max_n:.0f}</text>'
        f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end">0</text>'
        f'<text x="{width - 12}" y="{height - bottom + 16}" text-anchor="end">{max_t:.0f} s</text>'
        f'<path class="progress" d="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>'
        "</svg></figure>"
    )


def _cards(report: Mapping[str, Any]) -> str:
    totals, articles = report["totals"], report["articles"]
    values = [
        ("pages", totals["pages"]),
        ("downloaded", human_bytes(totals["bytes"])),
        ("articles", totals["articles"]),
        ("new", articles["new"]),
        ("changed", articles["changed"]),
        ("unchanged", articles["unchanged"]),
        ("failed", articles["failed"]),
        ("skipped URLs", totals["skipped_urls"]),
        ("errors", totals["errors"]),
        ("WARC written", human_bytes(totals.get("warc_bytes", 0))),
        ("duration", f"{totals['duration_s']:.1f} s"),
    ]
    return (
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{escape(str(v))}</b>{escape(k)}</div>' for k, v in values)
        + "</div>"
    )


#: Skipped URLs shown per reason; the JSON report lists every one.
SKIPPED_SHOWN = 1000


def _skipped(report: Mapping[str, Any]) -> str:
    """Skipped URLs folded by reason, at most `SKIPPED_SHOWN` rows each.

    Entries come grouped by reason (the report's order), so only one
    reason's rows are held at a time.
    """
    blocks = []
    reason: str | None = None
    explanation = ""
    rows: list[tuple[Any, ...]] = []
    count = 0

    def block() -> str:
        more = count - len(rows)
        note = (
            f"<p>… and {more} more: the JSON report (reports/CRAWL_ID.json) lists them all.</p>"
            if more > 0
            else ""
        )
        return (
            f"<details{' open' if count <= 20 else ''}><summary><b>{escape(str(reason))}</b>"
            f" — {escape(explanation)}: {count} URL(s)</summary>"
            + _table(("URL", "times", "found on"), rows, (1,))
            + note
            + "</details>"
        )

    entries: Iterable[Mapping[str, Any]] = report["skipped"]
    if isinstance(entries, list):  # a built report: group it (stable, so URLs stay sorted)
        entries = sorted(entries, key=lambda e: str(e["reason"]))
    for entry in entries:
        if entry["reason"] != reason:
            if reason is not None:
                blocks.append(block())
            reason, explanation, rows, count = entry["reason"], entry["explanation"], [], 0
        count += 1
        if len(rows) < SKIPPED_SHOWN:
            rows.append((entry["url"], entry["count"], entry["referer"]))
    if reason is not None:
        blocks.append(block())
    return "".join(blocks) or "<p>No URL was skipped.</p>"


def _classified(report: Mapping[str, Any]) -> str:
    """What each page was taken for (article, listing, other) and why, folded by reason."""
    classified = report.get("classified") or {}
    pages: list[Mapping[str, Any]] = classified.get("pages") or []
    if not pages:
        return "<p>No page was classified.</p>"
    blocks = ['<div class="grid">' + _counts("by kind", classified.get("by_kind") or {}) + "</div>"]
    by_reason: dict[str, list[tuple[Any, ...]]] = {}
    for page in pages:
        by_reason.setdefault(f"{page['kind']}: {page['reason']}", []).append((page["url"],))
    for reason, rows in sorted(by_reason.items()):
        blocks.append(
            f"<details><summary><b>{escape(reason)}</b>: {len(rows)} page(s)</summary>"
            + _table(("URL",), rows[:SKIPPED_SHOWN])
            + "</details>"
        )
    return "".join(blocks)


def render_html(report: Mapping[str, Any]) -> str:
    """The whole page."""
    charts = report["charts"]
    fields = report["fields"]
    articles = report["articles"]
    fill_rows = [(name, f"{100 * rate:.1f} %") for name, rate in fields["fill_rates"].items()]
    anomalies = [(a["url"], a["problem"]) for a in fields["anomalies"]]
    failed = [(a["url"], a["outcome"]) for a in articles["failed_list"]]
    changed = [(a["url"], a["title"]) for a in articles["changed_list"]]
    new = [(a["url"], a["title"]) for a in articles["new_list"]]
    errors = [(e["url"], e["kind"], e["message"]) for e in report["errors"]]
    runs = [(r["started_at"], r["finished_at"], r["reason"], r["pid"]) for r in report["runs"]]
    latency = report["durations"]["latency_s"]
    title = f"Crawl {report['crawl_id']} ({report['profile']})"
    sections = [
        f"<section><h2>Summary</h2>{_cards(report)}<p>Mode: <b>{escape(str(report['mode']))}"
        f"</b> ({escape(str(report['mode_reason']))}); ended: "
        f"<b>{escape(str(report.get('outcome') or report['finish_reason']))}</b>."
        + (
            f' Every URL and what became of it: <a href="{escape(report["crawl_log"])}">'
            "the crawl log</a> (JSON Lines)."
            if report.get("crawl_log")
            else ""
        )
        + "</p>"
        + _table(("run started", "finished", "reason", "pid"), runs)
        + "</section>",
        '<section><h2>Charts</h2><div class="charts">'
        + bar_chart("Articles per month (published)", charts["articles_per_month"])
        + bar_chart("Views distribution", charts["views_histogram"])
        + line_chart("Crawl progress: pages over time", charts["progress"])
        + "</div></section>",
        '<section><h2>Pages</h2><div class="grid">'
        + _counts("by status", report["pages"]["by_status"])
        + _counts("by MIME type", report["pages"]["by_mime"])
        + _counts("by host", report["pages"]["by_host"])
        + _counts("bytes by kind", report["bytes"]["by_kind"], "bytes")
        + "</div>"
        + (
            f"<p>Latency: mean {latency['mean']} s, median {latency['p50']} s, "
            f"95th percentile {latency['p95']} s, max {latency['max']} s.</p>"
            if latency
            else ""
        )
        + "</section>",
        f"<section><h2>Articles</h2><details><summary>new: {len(new)}</summary>"
        + _table(("URL", "title"), new)
        + f"</details><details open><summary>changed: {len(changed)}</summary>"
        + _table(("URL", "title"), changed)
        + f"</details><details open><summary>failed: {len(failed)}</summary>"
        + _table(("URL", "outcome"), failed)
        + "</details></section>",
        "<section><h2>Pages classified</h2>" + _classified(report) + "</section>",
        "<section><h2>Skipped URLs</h2>" + _skipped(report) + "</section>",
        f"<section><h2>Errors ({len(errors)})</h2>"
        + (_table(("URL", "kind", "message"), errors) if errors else "<p>None.</p>")
        + "</section>",
        '<section><h2>Fields</h2><div class="grid"><div><h3>fill rates</h3>'
        + _table(("field", "filled"), fill_rows, (1,))
        + f"</div><div><h3>extraction anomalies ({len(anomalies)})</h3>"
        + (_table(("URL", "problem"), anomalies) if anomalies else "<p>None.</p>")
        + "</div></div></section>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>{escape(str(report['started_at']))} → "
        f"{escape(str(report['finished_at']))}</p></header><main>"
        + "".join(sections)
        + "</main></body></html>\n"
    )
