"""A full disk during a crawl: one line, the crawl stopped resumably, then silence.

When the disk fills up, every component that writes meets it within moments:
the WARC writer, the JSON Lines and dataset pipelines, the digest index,
the crawl's state file, the report. `stop_for_full_disk` is what each of them
calls with the error it got: the first call logs the one line (what could
not be written, where to make room, the command that continues the crawl),
sets the stat ``warc/fatal_error`` (the ``arsip crawl`` command turns it
into its exit line and code) and stops the crawl with reason ``shutdown``
(resumable); later calls only count ``write/after_full_disk``. Nothing is
lost: what was not written is fetched again by ``--resume``.

An error that is not a full disk (`is_full_disk` False) is left to the
caller, which logs it as before.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines import defaults

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: The stat that says why the crawl stopped (read by ``arsip crawl``).
FATAL_ERROR = "warc/fatal_error"
#: errno values that mean "no room": no space, a file size limit, a quota.
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})
#: What SQLite says when its write failed for want of room.
_SQLITE_FULL = ("database or disk is full", "disk i/o error")


def is_full_disk(exc: BaseException) -> bool:
    """True if *exc* (or the error it was raised from) says the disk, a size limit or a
    quota left no room to write."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in FULL_ERRNOS:
            return True
        if isinstance(seen, sqlite3.OperationalError) and any(
            text in str(seen).lower() for text in _SQLITE_FULL
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def reason(exc: BaseException) -> str:
    """The error's own words: ``No space left on device``, ``database or disk is full``."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def stop_for_full_disk(crawler: Crawler | None, what: str, where: Path, exc: BaseException) -> bool:
    """If *exc* is a full disk: say so once, stop the crawl; True. Else False (untouched).

    *what* names what could not be written (``item 1a2b to JSON Lines``),
    *where* the folder to make room in.
    """
    if not is_full_disk(exc):
        return False
    stats = crawler.stats if crawler is not None else None
    if stats is not None and stats.get_value(FATAL_ERROR) is not None:
        stats.inc_value("write/after_full_disk")
        logger.debug("Could not write %s either (%s)", what, reason(exc))
        return True
    if stats is not None:
        stats.set_value(FATAL_ERROR, f"cannot write to {where}: {reason(exc)}")
    profile = getattr(getattr(crawler, "spider", None), "profile", None)
    settings = crawler.settings if crawler is not None else None
    out = defaults.out_dir(settings) if settings is not None else "DIR"
    logger.error(
        "Could not write %s (%s): the crawl stops; make room in %s, then continue it "
        "with: arsip crawl %s --resume --out %s",
        what,
        reason(exc),
        where,
        getattr(profile, "name", None) or "PROFILE",
        out,
    )
    try:
        engine = crawler.engine if crawler is not None else None
    except RuntimeError:  # Scrapy: no engine before the crawl starts
        engine = None
    if engine is not None and engine.running:
        from scrapy.utils.defer import deferred_from_coro  # noqa: PLC0415 - start-up time: is_full_disk serves the CLI, which has no Scrapy to load

        deferred_from_coro(engine.close_spider_async(reason="shutdown"))
    return True


def full_disk_seen(crawler: Crawler | None) -> bool:
    """True once `stop_for_full_disk` has stopped the crawl (or the WARC writer did)."""
    stats = crawler.stats if crawler is not None else None
    return stats is not None and stats.get_value(FATAL_ERROR) is not None


__all__ = ["FATAL_ERROR", "full_disk_seen", "is_full_disk", "reason", "stop_for_full_disk"]
