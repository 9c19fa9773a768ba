"""Run a crawl of a site profile in this process and summarise it.

`run_crawl` is what `arsip crawl` and `arsip demo` call: it validates what
the user gave (profile, start URL, the crawl to resume, output directory,
dataset) before it creates anything, takes the output directory's lock
(`arsip.core.lock`), picks up an interrupted crawl when asked to resume (same
crawl id, its frontier in ``state/CRAWL_ID.sqlite``), runs the news spider
with Scrapy's CrawlerProcess, and returns a summary, whose `complete()`
decides between exit codes 0 and 6 (`final_failures`). `plan` is
``--dry-run``: what would be fetched first, and with which settings,
without fetching anything.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.files import describe_unreadable
from arsip.core import layout
from arsip.core.lock import CrawlLock, check_unlocked
from arsip.errors import EXIT_CONFIG, EXIT_INPUT, EXIT_OUTPUT, EXIT_USAGE, UserError
from arsip.failure_lines import one_line_failures
from crawler.distributed import connect, join_crawl, worker_dir
from crawler.failures import unreachable
from crawler.figures import CrawlFigures, human_bytes, stop_reason
from crawler.frontier import CrawlState, state_path, unfinished_states
from crawler.profiles import Profile, ProfileError, find_profile
from crawler.report import iter_items
from crawler.stats import final_failures
from pipelines.db import Dataset
from pipelines.full_disk import is_full_disk

__all__ = ["CrawlSummary", "final_failures", "run_crawl"]

logger = logging.getLogger(__name__)

#: Close reasons of a crawl that ended by itself or at a limit the user set.
COMPLETE_REASONS = (
    "finished",
    "closespider_pagecount",
    "closespider_timeout",
    "closespider_sizelimit",
)


@dataclass(slots=True)
class CrawlSummary:
    """What a finished crawl produced."""

    crawl_id: str
    profile: str
    out_dir: Path
    finish_reason: str
    stats: dict[str, Any] = field(default_factory=dict)
    duration: float = 0.0
    resumed: bool = False
    distributed: bool = False  # a worker of a distributed crawl (REDIS_URL)

    @property
    def warc_files(self) -> list[Path]:
        return sorted(layout.warc_dir(self.out_dir).glob("*.warc.gz"))

    @property
    def jsonl_path(self) -> Path:
        return layout.items_path(self.out_dir, self.crawl_id)

    @property
    def db_path(self) -> Path:
        return layout.dataset_path(self.out_dir)

    @property
    def figures(self) -> CrawlFigures:
        """The crawl's figures as its report has them (``crawler.figures``)."""
        return CrawlFigures.from_stats(self.stats) or CrawlFigures.of(None, self.stats)

    @property
    def pages(self) -> int:
        return self.figures.pages

    @property
    def articles(self) -> int:
        return int(self.stats.get("item_scraped_count", 0))

    @property
    def errors(self) -> int:
        """Failures that were final; see `final_failures`."""
        return self.figures.errors

    @property
    def write_error(self) -> str | None:
        """Why the WARC writer stopped the crawl (``warc/fatal_error``), or None."""
        value = self.stats.get("warc/fatal_error")
        return str(value) if value else None

    @property
    def bounded(self) -> int:
        """URLs not followed because a bound stopped them (``traps/*``: depth, query
        variants, repeated segments, URLs longer than URLLENGTH_LIMIT)."""
        return sum(int(v) for k, v in self.stats.items() if k.startswith("traps/"))

    @property
    def anomalies(self) -> int:
        """Pages extraction could not read whole (``extract/anomaly/*``)."""
        return sum(int(v) for k, v in self.stats.items() if k.startswith("extract/anomaly/"))

    @property
    def bytes(self) -> int:
        return self.figures.bytes

    @property
    def report_path(self) -> Path:
        return layout.report_paths(self.out_dir, self.crawl_id)[1]

    @property
    def outcome(self) -> str:
        """How the crawl ended, in plain words (``crawler.figures.stop_reason``)."""
        return stop_reason(self.finish_reason, self.stats, self.figures)

    @property
    def unreachable(self) -> dict[tuple[str, str], int]:
        """Hosts that could not be reached, by (host, cause): requests that failed so."""
        return unreachable(self.stats)

    def complete(self) -> bool:
        """True when the crawl ended by itself and nothing in it failed for good.

        "Ended by itself": it ran out of requests (``finished``) or reached
        its page limit (``closespider_pagecount``, a limit the user set). Not
        complete: interrupted (``shutdown``: Ctrl-C, SIGTERM, a WARC write
        error), or any other close reason. "Nothing failed for good":
        `final_failures` is 0. A failed attempt that a retry recovered does
        not count (it is in the WARC and the report, and the page was
        fetched), nor does an answer the server meant (a 404, 410 or 403 is
        archived as received), nor a URL left out by decision (robots.txt,
        scope, traps, limits, unsafe XML: the report lists it with its reason).
        """
        return (
            self.finish_reason in COMPLETE_REASONS
            and self.errors == 0
            and not self.write_error
            and not self.bounded
        )

    def lines(self) -> list[str]:
        """The human summary printed at the end of a crawl."""
        warcs = self.warc_files
        figures = self.figures
        mode = str(self.stats.get("crawl/mode", ""))
        head = f"crawl {self.crawl_id} ({self.profile}"
        head += f", {mode}" if mode else ""
        head += ", resumed" if self.resumed else ""
        report = (
            str(self.report_path)
            if self.report_path.exists()
            else (
                "not written (the crawl was stopped before it could be); "
                f"arsip crawl {self.profile} --resume --out {self.out_dir} writes it"
            )
        )
        lines = [
            f"{head}): {self.outcome}",
            f"  pages      {figures.pages} ({human_bytes(figures.bytes)} downloaded)",
            f"  articles   {self.articles}",
            f"  skipped    {figures.skipped} URLs{_reasons(figures.skipped_by_reason)}",
            f"  errors     {figures.errors}",
            f"  WARC       {human_bytes(figures.warc_bytes)} written by this crawl in "
            f"{self.out_dir / 'warc'} ({len(warcs)} file{'' if len(warcs) == 1 else 's'} there)",
            f"  JSON Lines {self.jsonl_path}",
            f"  dataset    {self.db_path}",
            f"  report     {report}",
            f"  duration   {self.duration:.1f} s",
        ]
        if self.bounded:
            lines.insert(
                4,
                f"  bounds     {self.bounded} URL(s) not followed: a crawl bound stopped them "
                "(TRAPS_MAX_DEPTH, TRAPS_MAX_QUERY_VARIANTS, TRAPS_MAX_SEGMENT_REPEATS, "
                "URLLENGTH_LIMIT); the report lists each (skip trap, url_too_long)",
            )
        if self.anomalies:
            lines.insert(
                4,
                f"  anomalies  {self.anomalies} page(s) extraction could not read whole "
                "(too deep, too large); the report lists each (errors, kind extract)",
            )
        if self.finish_reason == "shutdown" and self.distributed:
            lines.append(
                "  stopped: the other workers go on with the crawl; run the same command again"
                " to rejoin it (without --resume)"
            )
        elif self.finish_reason == "shutdown" or self.stats.get("crawl/interrupted_by"):
            lines.append(
                f"  interrupted: continue it with arsip crawl {self.profile} --resume"
                f" --out {self.out_dir}"
            )
        return lines


def _reasons(by_reason: Mapping[str, int]) -> str:
    """`` (out_of_scope 360, duplicate 246)``: the reasons, most frequent first."""
    if not by_reason:
        return ""
    ordered = sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    return " (" + ", ".join(f"{reason} {n}" for reason, n in ordered) + ")"


def check_start_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # raises on a port out of range or not a number
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535", ...
        raise UserError(
            f"--start-url {url!r} is not a valid URL ({exc}); give e.g. "
            "http://127.0.0.1:8000/publikasi/berita",
            EXIT_USAGE,
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(
            f"--start-url {url!r} is not an absolute http(s) URL; give e.g. "
            "http://127.0.0.1:8000/publikasi/berita",
            EXIT_USAGE,
        )
    return url


#: The sub-folders a crawl writes into its --out folder.
OUT_SUBFOLDERS = (
    layout.WARC_DIR,
    layout.STATE_DIR,
    layout.JSON_DIR,
    layout.REPORTS_DIR,
    layout.INDEXES_DIR,
)


def check_out_subfolders(out_dir: Path) -> None:
    """Refuse sub-folders of *out_dir* that would send writes elsewhere: a symbolic link
    to a place outside *out_dir*, or to nothing (the crawl would create its target), or
    something that is not a folder. Nothing is created."""
    root = out_dir.resolve()
    for name in OUT_SUBFOLDERS:
        sub = out_dir / name
        if sub.is_symlink():
            target = sub.resolve()
            if not target.exists():
                raise UserError(
                    f"{sub} is a symbolic link to {os.readlink(sub)}, which does not exist; "
                    "remove the link or create its target",
                    EXIT_OUTPUT,
                )
            if not target.is_relative_to(root):
                raise UserError(
                    f"{sub} is a symbolic link to {target}, outside --out {out_dir}; a "
                    "collection keeps its files inside its folder: move them in, or give "
                    "that folder's parent as --out",
                    EXIT_OUTPUT,
                )
        wrong = describe_unreadable(sub, "folder")
        if wrong is not None or (sub.exists() and not sub.is_dir()):
            raise UserError(wrong or f"{sub} is not a folder; move it aside", EXIT_OUTPUT)


#: Free space a crawl needs to start: the dataset, the state files and the first WARC
#: records. With less, it would fail while Scrapy opens its components (tracebacks);
#: a disk that fills up later stops the crawl with one line (`pipelines.full_disk`).
MIN_FREE_BYTES = 1 << 20


def check_out_dir(out_dir: Path) -> Path:
    """Create *out_dir* if needed and prove it is writable and has room, or fail with one
    line."""
    if out_dir.exists() or out_dir.is_symlink():
        check_out_subfolders(out_dir)
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
    free = shutil.disk_usage(out_dir).free
    if free < MIN_FREE_BYTES:
        raise UserError(
            f"no room to crawl into {out_dir}: {free // 1024} KB free, at least "
            f"{MIN_FREE_BYTES // 1024} KB needed; free space or choose another --out",
            EXIT_OUTPUT,
        )
    return out_dir


def resolve_profile(name: str, profiles_dir: str | Path | None = None) -> Profile:
    try:
        return find_profile(name, profiles_dir)
    except ProfileError as exc:
        raise UserError(str(exc), EXIT_CONFIG) from None


def crawl_settings(
    profile: Profile,
    out_dir: Path,
    *,
    overrides: dict[str, Any] | None = None,
) -> Any:
    """Project settings plus what the command line decides (cmdline priority)."""
    from scrapy.settings import Settings  # noqa: PLC0415 - start-up time: Scrapy loads once the input is checked

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ARSIP_PROFILE", profile.path or profile.name, priority="cmdline")
    settings.set("ARSIP_OUT_DIR", str(out_dir), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


@dataclass(frozen=True, slots=True)
class Interrupted:
    """An unfinished crawl found in an output directory."""

    crawl_id: str
    meta: dict[str, Any]
    queued: int
    done: int


def find_interrupted(out_dir: Path) -> Interrupted | None:
    """The newest crawl of *out_dir* that did not finish (its state says so), or None."""
    for path, meta in unfinished_states(out_dir):
        state = CrawlState(path, readonly=True)
        try:
            counts = state.counts()
        finally:
            state.conn.close()
        return Interrupted(
            str(meta["crawl_id"]), meta, counts.get("queued", 0), counts.get("done", 0)
        )
    return None


def replay_items(out_dir: Path, crawl_id: str, dataset_path: Path) -> int:
    """Upsert the crawl's JSON lines into the dataset again (idempotent).

    The dataset commits in batches, so a crawl killed mid-batch may have
    written items to JSON Lines (unbuffered) that never reached the
    dataset; the JSON Lines are the crawl's durable record of its items.
    """
    items = iter_items(out_dir, crawl_id)
    first = next(items, None)
    if first is None:
        return 0
    count = 1
    with Dataset(dataset_path) as dataset:
        dataset.upsert(first)
        for item in items:
            dataset.upsert(item)
            count += 1
    return count


def _state_meta(out_dir: Path, crawl: str, **values: Any) -> None:
    """Create the crawl's state file with what a resume needs to know."""
    state = CrawlState(state_path(out_dir, crawl))
    try:
        state.set_meta(**values)
    finally:
        state.close()


def _to_resume(out: Path, profile: Profile) -> Interrupted:
    """The interrupted crawl of *out* that ``--resume`` continues, or a one-line error."""
    found = find_interrupted(out) if out.is_dir() else None
    if found is None:
        raise UserError(
            f"nothing to resume in {out}: no interrupted crawl there; "
            "run without --resume to start a new crawl",
            EXIT_INPUT,
        )
    if found.meta.get("profile") not in (None, "", profile.name):
        raise UserError(
            f"the interrupted crawl {found.crawl_id} in {out} is of profile "
            f"'{found.meta['profile']}', not '{profile.name}'",
            EXIT_USAGE,
        )
    return found


def open_dataset(profile: Profile, out: Path, overrides: dict[str, Any] | None) -> Path | None:
    """Open (create, migrate) the crawl's dataset now; its path, or None when it is off.

    A locked, read-only, corrupt or too new file is one clear line here
    (`pipelines.db.DatasetError`), before the crawl has created anything,
    rather than a traceback mid-crawl. A failed open leaves the file as it
    was.
    """
    settings = crawl_settings(profile, out, overrides=overrides)
    if not settings.getbool("DATASET_ENABLED", True):
        return None
    db_path = layout.dataset_path(out, settings.get("DATASET_PATH"))
    Dataset(db_path).close()
    return db_path


def run_crawl(
    profile_name: str,
    *,
    start_url: str | None = None,
    out_dir: str | Path | None = None,
    max_pages: int = 0,
    overrides: dict[str, Any] | None = None,
    profiles_dir: str | Path | None = None,
    resume: bool = False,
    full: bool = False,
    redis_url: str | None = None,
) -> CrawlSummary:
    """Crawl *profile_name* to the end (or continue an interrupted crawl) and summarise it.

    Everything the user gave is checked before anything is created, in this
    order: the profile and arguments; with *resume*, that there is an
    interrupted crawl to continue; that the output directory can be written
    (created if needed, nothing else); that no other crawl holds its lock;
    that the dataset opens. Only then are the lock (``state/crawl.lock``)
    and the crawl's state file created, so a refused crawl leaves the
    collection as it was.

    With *redis_url* this process is one worker of a distributed crawl
    (`crawler.distributed`, docs/scaling.md): it joins the crawl running in
    that Redis (or starts it), always full, into its own output directory
    (default ``data/PROFILE/workers/HOST-PID``).
    """
    from crawler.spiders.news import new_crawl_id  # noqa: PLC0415 - start-up time: Scrapy loads once the input is checked

    profile = resolve_profile(profile_name, profiles_dir)
    for url in (start_url or "").split():  # several: white-space separated
        check_start_url(url)
    if not start_url and not profile.start_urls and not resume:
        raise UserError(
            f"profile '{profile.name}' has no start_urls; give one with --start-url", EXIT_CONFIG
        )
    if resume and full:
        raise UserError("--resume and --full cannot be combined", EXIT_USAGE)
    default_out = Path("data") / profile.name
    if redis_url:
        if resume:
            raise UserError(
                "--resume cannot be combined with --redis: a distributed crawl goes on by "
                "itself when a worker is started again (without --resume)",
                EXIT_USAGE,
            )
        connect(redis_url)  # before anything is created: the package, the URL, the server
        default_out = worker_dir(profile.name)
    out = Path(out_dir) if out_dir else default_out
    if resume:
        _to_resume(out, profile)  # before the folder is created or written to
    out = check_out_dir(out)
    check_unlocked(out)
    db_path = open_dataset(profile, out, overrides)
    lock = CrawlLock(out).acquire()
    try:
        extra: dict[str, Any] = dict(overrides or {})
        if resume:
            found = _to_resume(out, profile)  # again, under the lock: it may have changed
            crawl_id = found.crawl_id
            start_url = start_url or found.meta.get("start_url") or None
            max_pages = max_pages or int(found.meta.get("max_pages") or 0)
            extra["ARSIP_RESUME"] = True
            extra["ARSIP_CRAWL_MODE"] = found.meta.get("mode") or "auto"
        elif redis_url:
            crawl_id = join_crawl(redis_url, profile.name, new_crawl_id())
            extra["REDIS_URL"] = redis_url
            extra["ARSIP_CRAWL_MODE"] = "full"
        else:
            crawl_id = new_crawl_id()
            extra["ARSIP_CRAWL_MODE"] = "full" if full else extra.get("ARSIP_CRAWL_MODE", "auto")
            _state_meta(
                out,
                crawl_id,
                crawl_id=crawl_id,
                profile=profile.name,
                start_url=start_url or "",
                max_pages=max_pages,
                finished=False,
            )
        lock.write(crawl_id)
        extra["ARSIP_CRAWL_ID"] = crawl_id
        if profiles_dir:
            extra["ARSIP_PROFILES_DIR"] = str(profiles_dir)
        settings = crawl_settings(profile, out, overrides=extra)
        if resume and db_path is not None:
            replay_items(out, crawl_id, db_path)
        return _run_process(profile, out, settings, start_url, max_pages, resumed=resume)
    finally:
        lock.release()


def finished_warcs(out: Path) -> list[Path]:
    """The finished WARC files of the collection OUT, oldest first (by name)."""
    return sorted(layout.warc_dir(out).glob("*.warc.gz"))


def update_index(out: Path, before: set[str] | None = None) -> None:
    """Bring the collection's CDXJ index (OUT/indexes/index.cdxj) up to date.

    With `before` (the names of the WARC files there before the crawl) and
    an index in place, the files written since are added to it; otherwise it
    is rebuilt from every WARC file. Files are read as ``arsip index`` reads
    them (a damaged record gets no line), 304 revisits replaying as their
    originals (docs/warc.md). A failure is logged and leaves the previous
    index: the WARC files are what counts, and ``arsip index OUT`` rebuilds it.
    """
    from archive.cdxj import (  # noqa: PLC0415 - start-up time: `arsip crawls` imports this module and needs no warcio
        extend_index,
        index_collection,
    )

    warcs = finished_warcs(out)
    index = layout.index_path(out)
    new = [p for p in warcs if before is None or p.name not in before]
    if not new:
        return
    try:
        if before is not None and index.exists():
            count, damage = extend_index(index, new)
        else:
            count, damage = index_collection(warcs, index)
    except OSError as exc:
        if is_full_disk(exc):  # already said once; the resume's crawl indexes the files
            logger.debug("Could not update the index %s: %s", index, exc)
            return
        logger.error("Could not update the index %s: %s", index, exc)
        return
    for line in damage:
        logger.warning("Index: %s; not indexed (run: arsip verify %s)", line, out)
    logger.info("The index %s has %d lines", index, count)


def _run_process(
    profile: Profile,
    out: Path,
    settings: Any,
    start_url: str | None,
    max_pages: int,
    *,
    resumed: bool,
) -> CrawlSummary:
    # Scrapy's TLS modules first, from this shallow stack: each builds deprecated
    # aliases with inspect.stack(), whose cost grows with the depth it is called
    # at (deep inside the add-on's component loading it was ~0.13 s of each start).
    import scrapy.core.downloader.contextfactory  # noqa: F401, PLC0415 - see above
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415 - start-up time: Scrapy loads once the input is checked
    from scrapy.utils.ossignal import signal_names  # noqa: PLC0415 - with Scrapy, above

    os.environ.pop("SCRAPY_SETTINGS_MODULE", None)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("news")
    shutdown = process._signal_shutdown  # Scrapy's handler of the first Ctrl-C / SIGTERM

    def signalled(signum: int, frame: Any) -> None:
        """Note which signal stopped the crawl (the report says "interrupted by Ctrl-C")."""
        if crawler.stats is not None:
            crawler.stats.set_value("crawl/interrupted_by", signal_names.get(signum, signum))
        shutdown(signum, frame)

    process._signal_shutdown = signalled  # type: ignore[method-assign,assignment]
    started = time.monotonic()
    before = {p.name for p in finished_warcs(out)}
    process.crawl(
        crawler,
        profile=profile.path or profile.name,
        start_url=start_url,
        max_pages=max_pages or None,
    )
    with one_line_failures(settings.get("LOG_LEVEL")):
        process.start()
    stats: dict[str, Any] = dict(crawler.stats.get_stats()) if crawler.stats else {}
    update_index(out, before)
    return CrawlSummary(
        crawl_id=str(crawler.settings.get("ARSIP_CRAWL_ID")),
        profile=profile.name,
        out_dir=out,
        finish_reason=str(stats.get("finish_reason", "")),
        stats=stats,
        duration=time.monotonic() - started,
        resumed=resumed,
        distributed=bool(settings.get("REDIS_URL")),
    )
