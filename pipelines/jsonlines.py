"""Write each crawl's items to ``ARSIP_OUT_DIR/json/CRAWL_ID.jsonl``.

One item per line (UTF-8, compact separators, fields in ``ITEM_FIELDS``
order), handed to the OS as each item arrives (unbuffered; fsync only on
close) so a crash of the process loses at most the line being
written.

Atomic and resumable: while the crawl runs the file is
``CRAWL_ID.jsonl.part``; on close it is fsynced and renamed to
``CRAWL_ID.jsonl`` (then the folder is fsynced), so a ``.jsonl`` file is
always complete. Opening a crawl id that already has a file continues it
instead of starting over: a ``.part`` left by a crash is cut back to its
last complete line, and a finished ``.jsonl`` (a crawl stopped cleanly and
now resumed) is renamed back to ``.part``. Ids already in the file are not
written again: an article appears once per crawl (stat ``jsonl/duplicates``).

The file is named after ``ARSIP_CRAWL_ID`` and opened when the spider opens;
when that setting is empty, after each item's ``crawl_id``, on first use.

Settings: ``JSONL_ENABLED`` (default ``True``), ``ARSIP_OUT_DIR``,
``ARSIP_CRAWL_ID``. Stats: ``jsonl/items``, ``jsonl/duplicates``,
``jsonl/files``, ``jsonl/errors`` (I/O errors, logged with the traceback;
the item still goes on to the next pipeline).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from io import FileIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive import files
from arsip.core import layout
from pipelines import defaults
from pipelines.itemjson import dumps_line

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: Suffix of a file still being written.
PART_SUFFIX = ".part"


def read_items(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of the JSON Lines file at *path*, one per complete line.

    A torn last line (a crash mid-write) ends the file; a line that is not a
    JSON object is passed over. The reader every consumer of our JSON Lines
    uses: resume, reports, ingest.
    """
    with path.open("rb") as fh:
        for line in fh:
            if not line.endswith(b"\n"):
                break
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record


def crawl_items(folder: Path, crawl_id: str) -> Iterator[dict[str, Any]]:
    """The items of crawl *crawl_id* in *folder* (``json/``): its finished file,
    then its ``.part`` (a resumed crawl writes to the part)."""
    for path in (folder / f"{crawl_id}.jsonl", folder / f"{crawl_id}.jsonl{PART_SUFFIX}"):
        if path.exists():
            yield from read_items(path)


class JsonLinesWriter:
    """Appends items to one crawl's ``.jsonl.part`` file and publishes it on close."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.part = final.with_name(final.name + PART_SUFFIX)
        self.ids: set[str] = set()
        final.parent.mkdir(parents=True, exist_ok=True)
        self._recover()
        # Unbuffered: each line goes to the OS as soon as it is written.
        self._fh: FileIO = self.part.open("ab", buffering=0)

    def _recover(self) -> None:
        """Continue an earlier file of the same crawl, keeping only complete lines."""
        if self.final.exists():
            if self.part.exists():
                # Finished once, then resumed and interrupted: final lines come first.
                with self.part.open("rb") as src, self.final.open("ab") as dst:
                    shutil.copyfileobj(src, dst)
            os.replace(self.final, self.part)
        if not self.part.exists():
            return
        complete = 0
        with self.part.open("r+b") as fh:
            for line in fh:
                if not line.endswith(b"\n"):
                    break
                complete += len(line)
                self._remember(line)
            size = fh.seek(0, os.SEEK_END)
            if size != complete:
                logger.warning(
                    "Cut an incomplete last line (%d bytes) from %s", size - complete, self.part
                )
                fh.truncate(complete)

    def _remember(self, line: bytes) -> None:
        """Note the id of a line already in the file."""
        try:
            record = json.loads(line)
        except ValueError:
            return
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            self.ids.add(record["id"])

    def write(self, item: dict[str, Any]) -> bool:
        """Append *item*; False (and nothing written) when its id is already in the file."""
        item_id = item.get("id")
        if isinstance(item_id, str) and item_id in self.ids:
            return False
        data = memoryview(dumps_line(item).encode("utf-8") + b"\n")
        start = self._fh.tell()
        try:
            while data:  # unbuffered: a write may take only part of the line
                data = data[self._fh.write(data) or 0 :]
        except OSError:
            # Disk full or similar: leave no torn line for the next item to follow.
            with contextlib.suppress(OSError):
                self._fh.truncate(start)
            raise
        if isinstance(item_id, str):
            self.ids.add(item_id)
        return True

    def close(self) -> None:
        """Fsync, close and rename ``.part`` to ``.jsonl``."""
        if self._fh.closed:
            return
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.replace(self.part, self.final)
        files.fsync_dir(self.final.parent)


class JsonLinesPipeline:
    """Writes items to one JSON Lines file per crawl id."""

    def __init__(
        self, folder: Path, crawl_id: str | None = None, stats: StatsCollector | None = None
    ) -> None:
        self.folder = folder
        self.crawl_id = crawl_id
        self.stats = stats
        self.writers: dict[str, JsonLinesWriter] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonLinesPipeline:
        """Read the settings; NotConfigured when JSONL_ENABLED is off."""
        # JsonLinesWriter serves ``arsip reextract``, which does not load Scrapy.
        from scrapy.exceptions import NotConfigured  # noqa: PLC0415 - start-up time

        settings = crawler.settings
        if not settings.getbool("JSONL_ENABLED", defaults.JSONL_ENABLED):
            raise NotConfigured("JSONL_ENABLED is off")
        folder = layout.json_dir(defaults.out_dir(settings))
        return cls(folder, crawl_id=defaults.crawl_id(settings), stats=crawler.stats)

    def path_for(self, crawl_id: str) -> Path:
        """The finished file of *crawl_id*."""
        return self.folder / f"{crawl_id}.jsonl"

    def _writer(self, crawl_id: str) -> JsonLinesWriter:
        writer = self.writers.get(crawl_id)
        if writer is None:
            if not defaults.CRAWL_ID_RE.match(crawl_id):
                raise ValueError(f"crawl id {crawl_id!r} cannot name a file")
            writer = self.writers[crawl_id] = JsonLinesWriter(self.path_for(crawl_id))
            self._inc("jsonl/files")
        return writer

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def open_spider(self) -> None:
        """Open this crawl's ``.part`` file (continuing an earlier one)."""
        if self.crawl_id:
            self._writer(self.crawl_id)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """Append *item* to its crawl's file, once per id; I/O errors are logged and counted."""
        crawl_id = item.get("crawl_id") or self.crawl_id
        if not isinstance(crawl_id, str):
            raise ValueError("item has no crawl_id and ARSIP_CRAWL_ID is empty")
        try:
            written = self._writer(crawl_id).write(item)
        except OSError:
            # The WARC still holds the page; later pipelines still get the item.
            logger.exception("Could not write item %s to JSON Lines", item.get("id"))
            self._inc("jsonl/errors")
            return item
        self._inc("jsonl/items" if written else "jsonl/duplicates")
        return item

    def close_spider(self) -> None:
        """Publish every file: fsync, then rename ``.part`` to ``.jsonl``."""
        for writer in self.writers.values():
            try:
                writer.close()
            except OSError:
                logger.exception("Could not finish %s", writer.final)
                self._inc("jsonl/errors")
        self.writers.clear()
