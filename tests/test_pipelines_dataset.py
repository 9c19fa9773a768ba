"""DatasetPipeline, and the three pipelines chained the way Scrapy 2.19 runs them."""

from __future__ import annotations

import asyncio
import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.test import get_crawler

from pipelines.dataset import DatasetPipeline
from pipelines.db import DatasetReadOnlyError, query_readonly

ITEM: dict[str, Any] = {
    "id": "0123456789abcdef",
    "url": "https://anri.go.id/publikasi/berita/rapat",
    "site": "anri",
    "title": "Rapat",
    "published": "2021-12-09",
    "author": None,
    "editor": None,
    "views": 7,
    "event_times": [],
    "place": None,
    "body": "Isi berita.",
    "images": [],
    "attachments": [],
    "language": "id",
    "fetched_at": "2021-12-09T03:15:00.123Z",
    "crawl_id": "c1",
    "warc": {
        "filename": "ANRI-1.warc.gz",
        "offset": 0,
        "length": 10,
        "record_id": "<urn:uuid:1>",
        "payload_digest": "sha1:AAAA",
    },
    "schema_version": 1,
}

PIPELINES = {
    "pipelines.validate.ValidateItemPipeline": 100,
    "pipelines.jsonlines.JsonLinesPipeline": 300,
    "pipelines.dataset.DatasetPipeline": 400,
}


def make_item(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(ITEM)
    item.update(changes)
    return item


def settings(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "ARSIP_OUT_DIR": str(tmp_path),
        "ARSIP_CRAWL_ID": "c1",
        "ARSIP_PROFILE": "anri",
        "ARSIP_COLLECTION": "anri-news",
        **extra,
    }


def test_pipeline_records_crawl_items_and_stats(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict=settings(tmp_path))
    pipeline = DatasetPipeline.from_crawler(crawler)
    assert pipeline.path == tmp_path / "arsip.sqlite"
    pipeline.open_spider()
    item = make_item()
    assert pipeline.process_item(item) is item
    pipeline.process_item(make_item())
    pipeline.process_item(make_item(title="Rapat (ralat)", fetched_at="2021-12-10T00:00:00.000Z"))
    pipeline.close_spider()
    crawler.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")

    stats = crawler.stats
    assert stats is not None
    assert [
        stats.get_value(f"dataset/{k}") for k in ("upserted", "new", "changed", "unchanged")
    ] == [
        3,
        1,
        1,
        1,
    ]
    path = tmp_path / "arsip.sqlite"
    assert query_readonly(path, "SELECT replay_url, title FROM articles")[1] == [
        ("/anri-news/20211210000000id_/https://anri.go.id/publikasi/berita/rapat", "Rapat (ralat)")
    ]
    (crawl,) = query_readonly(
        path, "SELECT id, profile, collection, finished_at, stats FROM crawls"
    )[1]
    assert crawl[:3] == ("c1", "anri", "anri-news")
    assert crawl[3] is not None
    assert json.loads(crawl[4])["finish_reason"] == "finished"
    assert json.loads(crawl[4])["dataset/upserted"] == 3


def test_dataset_path_setting_wins(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "x.sqlite"
    crawler = get_crawler(settings_dict=settings(tmp_path, DATASET_PATH=str(target)))
    assert DatasetPipeline.from_crawler(crawler).path == target


@pytest.mark.parametrize(("setting", "value"), [("DATASET_BATCH_SIZE", 0), ("DATASET_TIMEOUT", -1)])
def test_bad_setting_fails_fast_naming_it(tmp_path: Path, setting: str, value: int) -> None:
    with pytest.raises(ValueError, match=f"^{setting} must be"):
        DatasetPipeline.from_crawler(
            get_crawler(settings_dict=settings(tmp_path, **{setting: value}))
        )


def test_pipeline_is_off_when_disabled(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured, match="DATASET_ENABLED"):
        DatasetPipeline.from_crawler(
            get_crawler(settings_dict=settings(tmp_path, DATASET_ENABLED=False))
        )


def test_unwritable_dataset_fails_at_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "arsip.sqlite").write_bytes(b"")

    def read_only(self: Any) -> sqlite3.Connection:
        return sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, isolation_level=None)

    monkeypatch.setattr("pipelines.db.store.Dataset._connect", read_only)
    pipeline = DatasetPipeline.from_crawler(get_crawler(settings_dict=settings(tmp_path)))
    with pytest.raises(DatasetReadOnlyError, match="cannot be written"):
        pipeline.open_spider()


def test_chain_runs_in_scrapy_item_pipeline_manager_without_warnings(tmp_path: Path) -> None:
    """Scrapy 2.19 warns (an error here) about spider arguments and Deferred returns."""
    crawler = get_crawler(settings_dict=settings(tmp_path, ITEM_PIPELINES=PIPELINES))
    manager = ItemPipelineManager.from_crawler(crawler)
    assert [type(p).__name__ for p in manager.middlewares] == [
        "ValidateItemPipeline",
        "JsonLinesPipeline",
        "DatasetPipeline",
    ]

    async def run() -> list[Any]:
        await manager.open_spider_async()
        results: list[Any] = []
        for item in (make_item(title="  Rapat  "), make_item(id="not-hex")):
            try:
                results.append(await manager.process_item_async(item))
            except Exception as exc:
                results.append(exc)
        await manager.close_spider_async()
        return results

    kept, dropped = asyncio.run(run())
    assert kept == make_item()
    assert type(dropped).__name__ == "InvalidItem"
    lines = (tmp_path / "json" / "c1.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [make_item()]
    assert query_readonly(tmp_path / "arsip.sqlite", "SELECT id, title FROM articles")[1] == [
        ("0123456789abcdef", "Rapat")
    ]
    assert crawler.stats is not None
    assert crawler.stats.get_value("item/dropped/invalid/id") == 1
