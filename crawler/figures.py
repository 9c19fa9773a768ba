"""The figures of a crawl, from one source, for everything that shows them.

The progress line, the summary printed at the end, the report (JSON and
HTML) and ``arsip crawls`` all show pages, bytes, skipped URLs, errors and
WARC bytes; each reads them here, so they agree:

- **pages**: responses received, as recorded in the crawl's state
  (``responses``: every run of a resumed crawl);
- **bytes**: the bodies of those responses as they came off the wire
  (content-encoding kept), summed;
- **skipped**: URLs left out, one per URL and reason (``skipped`` rows; a
  link seen on 40 pages is one skipped URL), by reason;
- **errors**: what failed for good (``crawler.stats.final_failures``: the
  figure that decides exit code 6);
- **WARC bytes / files**: what this crawl wrote to WARC (``warc/bytes``,
  ``warc/files``), not the collection's total.

At the end of a crawl the report extension stores them in the stats as
``figures/*`` (so the summary and the dataset's ``crawls`` row carry the
very values of the report); ``CrawlFigures.from_stats`` reads them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from crawler.failures import unreachable
from crawler.stats import final_failures

#: Prefix of the figures in the crawl's stats.
STATS_PREFIX = "figures/"


class _State(Protocol):
    """What the figures read of a crawl state (``crawler.frontier.CrawlState``)."""

    conn: Any

    def flush(self) -> None: ...


def _count(stats: Mapping[str, Any], key: str) -> int:
    value = stats.get(key, 0)
    return int(value) if isinstance(value, int | float) else 0


@dataclass(frozen=True, slots=True)
class CrawlFigures:
    """Pages, bytes, skipped URLs (by reason), errors and WARC output of one crawl."""

    pages: int = 0
    bytes: int = 0
    skipped: int = 0
    errors: int = 0
    warc_bytes: int = 0
    warc_files: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, state: _State | None, stats: Mapping[str, Any]) -> CrawlFigures:
        """The figures of a crawl now: its state's rows and its stats (state None: stats only)."""
        if state is None:
            return cls(
                pages=_count(stats, "downloader/response_count"),
                bytes=_count(stats, "downloader/response_bytes"),
                skipped=sum(_count(stats, k) for k in stats if k.startswith("skip/")),
                errors=final_failures(stats),
                warc_bytes=_count(stats, "warc/bytes"),
                warc_files=_count(stats, "warc/files"),
            )
        state.flush()  # the buffered rows, into the open transaction
        pages, size = state.conn.execute(
            "SELECT count(*), coalesce(sum(bytes), 0) FROM responses"
        ).fetchone()
        by_reason = {
            str(reason): int(n)
            for reason, n in state.conn.execute(
                "SELECT reason, count(*) FROM skipped GROUP BY reason ORDER BY reason"
            )
        }
        return cls(
            pages=int(pages),
            bytes=int(size),
            skipped=sum(by_reason.values()),
            errors=final_failures(stats),
            warc_bytes=_count(stats, "warc/bytes"),
            warc_files=_count(stats, "warc/files"),
            skipped_by_reason=by_reason,
        )

    def as_stats(self) -> dict[str, int]:
        """The figures as ``figures/*`` stats (the reasons as ``figures/skipped/REASON``)."""
        values = {
            f"{STATS_PREFIX}{name}": getattr(self, name)
            for name in ("pages", "bytes", "skipped", "errors", "warc_bytes", "warc_files")
        }
        for reason, n in self.skipped_by_reason.items():
            values[f"{STATS_PREFIX}skipped/{reason}"] = n
        return values

    @classmethod
    def from_stats(cls, stats: Mapping[str, Any]) -> CrawlFigures | None:
        """The figures stored in *stats* at the end of a crawl, or None (none stored)."""
        if f"{STATS_PREFIX}pages" not in stats:
            return None
        reasons = f"{STATS_PREFIX}skipped/"
        return cls(
            pages=_count(stats, f"{STATS_PREFIX}pages"),
            bytes=_count(stats, f"{STATS_PREFIX}bytes"),
            skipped=_count(stats, f"{STATS_PREFIX}skipped"),
            # errors are counted from the final stats (an ERROR after the report counts)
            errors=final_failures(stats),
            warc_bytes=_count(stats, f"{STATS_PREFIX}warc_bytes"),
            warc_files=_count(stats, f"{STATS_PREFIX}warc_files"),
            skipped_by_reason={
                k[len(reasons) :]: _count(stats, k) for k in sorted(stats) if k.startswith(reasons)
            },
        )


def human_bytes(n: float) -> str:
    """``1.2 MB``: bytes in binary units (KB = 1024 bytes), one decimal."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


#: Scrapy's close reasons of a crawl that stopped at a limit the user set, in words.
LIMIT_REASONS: dict[str, str] = {
    "closespider_pagecount": "stopped after {pages} pages (--max-pages)",
    "closespider_timeout": "stopped at the time limit (--time-limit)",
    "closespider_sizelimit": "stopped at the size limit (--size-limit)",
}
#: Signals that interrupt a crawl, as a person names them.
SIGNAL_WORDS = {"SIGINT": "Ctrl-C", "SIGTERM": "SIGTERM", "SIGBREAK": "Ctrl-Break"}


def stop_reason(finish_reason: str, stats: Mapping[str, Any], figures: CrawlFigures) -> str:
    """How a crawl ended, in plain words ("finished", "stopped after 5 pages (--max-pages)",
    "interrupted by Ctrl-C", "failed: could not reach HOST (connection refused)").

    A crawl that received no response at all because its hosts could not be
    reached *failed*, whatever Scrapy's close reason.
    """
    hosts = unreachable(stats)
    if figures.pages == 0 and hosts:
        (netloc, cause), _ = max(hosts.items(), key=lambda kv: kv[1])
        more = f" and {len(hosts) - 1} more" if len(hosts) > 1 else ""
        return f"failed: could not reach {netloc} ({cause}){more}"
    if finish_reason == "closespider_sizelimit" and stats.get("crawl/size_limit"):
        limit = human_bytes(_count(stats, "crawl/size_limit"))
        return f"stopped after {human_bytes(figures.bytes)} (--size-limit {limit})"
    if finish_reason in LIMIT_REASONS:
        return LIMIT_REASONS[finish_reason].format(pages=figures.pages)
    if finish_reason == "finished" and figures.skipped_by_reason.get("max_pages"):
        return LIMIT_REASONS["closespider_pagecount"].format(pages=figures.pages)
    if stats.get("warc/fatal_error"):
        return "stopped by a WARC write error"
    signal = str(stats.get("crawl/interrupted_by") or "")
    if finish_reason == "shutdown":
        return f"interrupted by {SIGNAL_WORDS.get(signal, signal)}" if signal else "interrupted"
    if not finish_reason and signal:  # a second signal: stopped at once, the spider never closed
        return f"interrupted by {SIGNAL_WORDS.get(signal, signal)}, twice: stopped at once"
    return finish_reason.replace("_", " ") if finish_reason else "ended without a close reason"
