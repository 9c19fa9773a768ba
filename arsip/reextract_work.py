"""What ``arsip reextract`` does with one capture: the item, validated.

`extract_capture` is the work that ``--jobs N`` spreads over processes
(`arsip.parallel`): the capture's item (the same extraction and item
builder as the live spider), checked as `ValidateItemPipeline` checks it,
and its title and body stemmed for the dataset's full-text index. It holds
no shared state, so any number of processes give the same items. Only the
processes that extract import this module (and with it the extractor), so
with ``--jobs 2`` the process that reads the WARC files and writes the
outputs starts without it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from arsip.reextract_source import Capture, Extracted
from crawler.extract import extract
from crawler.items import article_item
from pipelines.db import stemming
from pipelines.schema import ItemCheck, invalid_reason

_FETCHED_AT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def fetched_at(warc_date: str) -> str:
    """*warc_date* as items write times: UTC with milliseconds (``...:48.123Z``).

    arsip's WARC files already write it so; other tools write seconds or
    microseconds (WARC 1.1 allows any precision), or an offset.
    """
    if _FETCHED_AT_RE.match(warc_date):
        return warc_date
    try:
        when = datetime.fromisoformat(warc_date.replace("Z", "+00:00"))
    except ValueError:
        return warc_date  # the validator names it
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_CHECK: list[Any] = []  # the item check of this process, made on first use


def extract_capture(task: tuple[Capture, str]) -> Extracted:
    """Extract and validate one capture of crawl *crawl_id* (``task``): the work
    that ``--jobs N`` spreads over processes, pure of any shared state."""
    capture, crawl_id = task
    if not _CHECK:
        _CHECK.append(ItemCheck())
    where = f"{capture.pointer['filename']}: {capture.url}"
    try:
        item, violations = _CHECK[0](build_item(capture, crawl_id))
    except Exception as exc:  # an extraction bug must not stop a whole rebuild
        return Extracted(problem=f"{where}: extraction failed ({type(exc).__name__}: {exc})")
    if violations:  # what ValidateItemPipeline would drop, with the same reason
        return Extracted(problem=f"{where}: {invalid_reason(item, violations)}")
    title, body = item.get("title"), item.get("body")
    return Extracted(
        item=item, stems=((title, stemming.stem_text(title)), (body, stemming.stem_text(body)))
    )


def build_item(capture: Capture, crawl_id: str) -> dict[str, Any]:
    """The item the live spider makes of *capture* (the same builder,
    `crawler.items.article_item`)."""
    when = fetched_at(capture.warc_date)
    article = extract(
        capture.body,
        capture.url,
        headers=capture.headers,
        site=capture.profile.site_hints(),
        captured=when,
    )
    return article_item(
        article,
        fetched_at=when,
        crawl_id=crawl_id,
        warc=capture.pointer,
    )
