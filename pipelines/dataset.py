"""Keep the SQLite dataset up to date with the crawl's items.

``DatasetPipeline`` wraps ``pipelines.db.Dataset``: it opens (creates,
migrates) the file when the spider opens, records the crawl in ``crawls``,
upserts each item and, when the spider closes, records the end time and the
crawl's stats and closes the file. The final stats (with ``finish_reason``,
which Scrapy sets only after the pipelines close) are written once more on
the ``spider_closed`` signal.

A dataset that cannot be opened (locked, read-only, newer schema) stops the
crawl at start with a one-line ``DatasetError``. An item that fails later is
logged with the traceback, counted (``dataset/errors``) and passed on: the
WARC and JSON Lines still hold it, and ``arsip reextract`` can rebuild.

Settings (defaults in ``pipelines.defaults``): ``DATASET_ENABLED`` (True),
``DATASET_PATH`` (``ARSIP_OUT_DIR/arsip.sqlite``), ``DATASET_BATCH_SIZE``
(100), ``DATASET_TIMEOUT`` (5.0 s), and ``ARSIP_CRAWL_ID``,
``ARSIP_PROFILE``, ``ARSIP_COLLECTION``. Stats: ``dataset/upserted``,
``dataset/new``, ``dataset/changed``, ``dataset/unchanged``,
``dataset/errors``.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from arsip.core import layout
from pipelines import defaults
from pipelines.db import Dataset, DatasetError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class DatasetPipeline:
    """Upserts items into the SQLite dataset and records the crawl."""

    def __init__(
        self,
        path: Path,
        *,
        crawl_id: str | None = None,
        profile: str | None = None,
        collection: str | None = None,
        batch_size: int = defaults.DATASET_BATCH_SIZE,
        timeout: float = defaults.DATASET_TIMEOUT,
        stats: StatsCollector | None = None,
    ) -> None:
        self.path = path
        self.crawl_id = crawl_id
        self.profile = profile
        self.collection = collection
        self.batch_size = batch_size
        self.timeout = timeout
        self.stats = stats
        self.dataset: Dataset | None = None
        self.started_at: str | None = None
        self.finished_at: str | None = None
        self._crawl_ids: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatasetPipeline:
        """Read the settings once; NotConfigured when DATASET_ENABLED is off."""
        settings = crawler.settings
        if not settings.getbool("DATASET_ENABLED", defaults.DATASET_ENABLED):
            raise NotConfigured("DATASET_ENABLED is off")
        configured = settings.get("DATASET_PATH") or defaults.DATASET_PATH
        path = layout.dataset_path(defaults.out_dir(settings), configured)
        batch_size = settings.getint("DATASET_BATCH_SIZE", defaults.DATASET_BATCH_SIZE)
        if batch_size < 1:
            raise ValueError(f"DATASET_BATCH_SIZE must be 1 or more, not {batch_size}")
        timeout = settings.getfloat("DATASET_TIMEOUT", defaults.DATASET_TIMEOUT)
        if timeout < 0:
            raise ValueError(f"DATASET_TIMEOUT must be 0 or more seconds, not {timeout}")
        pipeline = cls(
            path,
            crawl_id=defaults.crawl_id(settings),
            profile=defaults.profile_name(settings),
            collection=defaults.collection(settings),
            batch_size=batch_size,
            timeout=timeout,
            stats=crawler.stats,
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def _open(self) -> Dataset:
        return Dataset(
            self.path, collection=self.collection, batch_size=self.batch_size, timeout=self.timeout
        )

    def _begin(self, dataset: Dataset, crawl_id: str) -> None:
        dataset.begin_crawl(crawl_id, self.profile, self.collection or "", self.started_at)
        self._crawl_ids.append(crawl_id)

    def open_spider(self) -> None:
        """Open (create, migrate) the dataset and record the start of the crawl."""
        self.started_at = defaults.utc_now()
        self.dataset = self._open()
        if self.crawl_id:
            self._begin(self.dataset, self.crawl_id)
        logger.info("Dataset: %s", self.path)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """Upsert *item*; a dataset error is logged and counted, and the item passed on."""
        if self.dataset is None:
            raise RuntimeError("DatasetPipeline.process_item() before open_spider()")
        try:
            crawl_id = item["crawl_id"]
            if crawl_id not in self._crawl_ids:
                self._begin(self.dataset, crawl_id)
            result = self.dataset.upsert(item)
        except (DatasetError, sqlite3.Error):
            logger.exception("Could not add item %s to the dataset %s", item.get("id"), self.path)
            self._inc("dataset/errors")
            return item
        self._inc("dataset/upserted")
        self._inc(f"dataset/{result}")
        return item

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def _stats(self) -> dict[str, Any]:
        return dict(self.stats.get_stats()) if self.stats is not None else {}

    def close_spider(self) -> None:
        """Record the end of the crawl with its stats, then commit and close the file."""
        if self.dataset is None:
            return
        try:
            self.finished_at = defaults.utc_now()
            for crawl_id in self._crawl_ids:
                self.dataset.finish_crawl(crawl_id, self.finished_at, self._stats())
        finally:
            self.dataset.close()
            self.dataset = None

    def spider_closed(self, reason: str) -> None:
        """Store the final stats (``finish_reason`` is set only after ``close_spider``)."""
        if not self._crawl_ids or self.finished_at is None:
            return
        stats = {**self._stats(), "finish_reason": reason}
        try:
            with self._open() as dataset:
                for crawl_id in self._crawl_ids:
                    dataset.finish_crawl(crawl_id, self.finished_at, stats)
        except DatasetError:
            logger.exception("Could not record the end of the crawl in %s", self.path)
