"""Run a crawl of a site profile in this process and summarise it.

`run_crawl` is what `arsip crawl` and `arsip demo` call: it validates what
the user gave (profile, start URL, output directory) before anything starts,
runs the news spider with Scrapy's CrawlerProcess, and returns a summary.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from arsip.errors import EXIT_CONFIG, EXIT_OUTPUT, EXIT_USAGE, UserError
from crawler.profiles import Profile, ProfileError, load_profile


@dataclass(slots=True)
class CrawlSummary:
    """What a finished crawl produced."""

    crawl_id: str
    profile: str
    out_dir: Path
    finish_reason: str
    stats: dict[str, Any] = field(default_factory=dict)
    duration: float = 0.0

    @property
    def warc_files(self) -> list[Path]:
        return sorted((self.out_dir / "warc").glob("*.warc.gz"))

    @property
    def jsonl_path(self) -> Path:
        return self.out_dir / "json" / f"{self.crawl_id}.jsonl"

    @property
    def db_path(self) -> Path:
        return self.out_dir / "arsip.sqlite"

    @property
    def pages(self) -> int:
        return int(self.stats.get("downloader/response_count", 0))

    @property
    def articles(self) -> int:
        return int(self.stats.get("item_scraped_count", 0))

    @property
    def errors(self) -> int:
        return int(self.stats.get("log_count/ERROR", 0)) + int(
            self.stats.get("downloader/exception_count", 0)
        )

    @property
    def bytes(self) -> int:
        return int(self.stats.get("downloader/response_bytes", 0))

    def complete(self) -> bool:
        """True when the crawl ended normally without errors."""
        return self.finish_reason in ("finished", "closespider_pagecount") and self.errors == 0

    def lines(self) -> list[str]:
        """The human summary printed at the end of a crawl."""
        warcs = self.warc_files
        warc_bytes = sum(p.stat().st_size for p in warcs)
        return [
            f"crawl {self.crawl_id} ({self.profile}): {self.finish_reason}",
            f"  pages      {self.pages} ({_human(self.bytes)} downloaded)",
            f"  articles   {self.articles}",
            f"  errors     {self.errors}",
            f"  WARC files {len(warcs)} ({_human(warc_bytes)}) in {self.out_dir / 'warc'}",
            f"  JSON Lines {self.jsonl_path}",
            f"  dataset    {self.db_path}",
            f"  duration   {self.duration:.1f} s",
        ]


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def check_start_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(
            f"--start-url {url!r} is not an absolute http(s) URL; give e.g. "
            "http://127.0.0.1:8000/publikasi/berita",
            EXIT_USAGE,
        )
    return url


def check_out_dir(out_dir: Path) -> Path:
    """Create *out_dir* if needed and prove it is writable, or fail with one line."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".arsip-write-test-"):
            pass
    except OSError as exc:
        raise UserError(
            f"cannot write to output directory {out_dir}: {exc.strerror or exc}; "
            "choose another with --out",
            EXIT_OUTPUT,
        ) from None
    return out_dir


def resolve_profile(name: str) -> Profile:
    try:
        return load_profile(name)
    except ProfileError as exc:
        raise UserError(str(exc), EXIT_CONFIG) from None


def crawl_settings(
    profile: Profile,
    out_dir: Path,
    *,
    overrides: dict[str, Any] | None = None,
) -> Any:
    """Project settings plus what the command line decides (cmdline priority)."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ARSIP_PROFILE", profile.path or profile.name, priority="cmdline")
    settings.set("ARSIP_OUT_DIR", str(out_dir), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(
    profile_name: str,
    *,
    start_url: str | None = None,
    out_dir: str | Path | None = None,
    max_pages: int = 0,
    overrides: dict[str, Any] | None = None,
) -> CrawlSummary:
    """Crawl *profile_name* to the end and return its summary."""
    profile = resolve_profile(profile_name)
    if start_url:
        check_start_url(start_url)
    elif not profile.start_urls:
        raise UserError(
            f"profile '{profile.name}' has no start_urls; give one with --start-url", EXIT_CONFIG
        )
    out = check_out_dir(Path(out_dir) if out_dir else Path("data") / profile.name)
    settings = crawl_settings(profile, out, overrides=overrides)
    if settings.getbool("DATASET_ENABLED", True):
        # Open (create/migrate) the dataset now: a locked, read-only or corrupt
        # file is one clear line here rather than a traceback mid-crawl.
        from pipelines.db import Dataset

        Dataset(settings.get("DATASET_PATH") or out / "arsip.sqlite").close()

    from scrapy.crawler import CrawlerProcess

    os.environ.pop("SCRAPY_SETTINGS_MODULE", None)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("news")
    started = time.monotonic()
    process.crawl(
        crawler,
        profile=profile.path or profile.name,
        start_url=start_url,
        max_pages=max_pages or None,
    )
    process.start()
    stats: dict[str, Any] = dict(crawler.stats.get_stats()) if crawler.stats else {}
    return CrawlSummary(
        crawl_id=str(crawler.settings.get("ARSIP_CRAWL_ID")),
        profile=profile.name,
        out_dir=out,
        finish_reason=str(stats.get("finish_reason", "unknown")),
        stats=stats,
        duration=time.monotonic() - started,
    )
